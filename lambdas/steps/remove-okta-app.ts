/** RemoveOktaApp (teardown): deactivate and delete the provisioner-made app, its assignments with it. */
import type { UndoReport } from '../core/undo-report';
import type { StepContext } from './context';
import { anyRunOf, nameOf } from './scope';
import type { TeardownState } from './teardown-state';

export function removeOktaApp(
  state: TeardownState,
  { okta }: Pick<StepContext, 'okta'>,
): Promise<UndoReport> {
  return okta.apps.remove({ name: nameOf(state) }, anyRunOf(state));
}

/** RemoveAuthServer (teardown): deactivate and delete the provisioner-made authorization server. */
import type { UndoReport } from '../core/undo-report';
import type { StepContext } from './context';
import { anyRunOf, nameOf } from './scope';
import type { TeardownState } from './teardown-state';

export function removeAuthServer(
  state: TeardownState,
  { okta }: Pick<StepContext, 'okta'>,
): Promise<UndoReport> {
  return okta.authServers.remove({ name: nameOf(state) }, anyRunOf(state));
}

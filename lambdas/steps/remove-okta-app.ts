/** RemoveOktaApp (teardown): deactivate and delete the provisioner-made app, its assignments with it. */
import type { UndoReport } from '../core/undo-report';
import { isFirstAttempt, type StepContext } from './context';
import { anyRunOf, nameOf } from './scope';
import type { TeardownState } from './teardown-state';

export function removeOktaApp(
  state: TeardownState,
  { okta, attempt }: Pick<StepContext, 'okta' | 'attempt'>,
): Promise<UndoReport> {
  const located = state.resources.located?.apps;
  // A retry looks again: the failed attempt may have removed some of it already.
  if (located && isFirstAttempt({ attempt })) return okta.apps.removeLocated(located);
  return okta.apps.remove({ name: nameOf(state) }, anyRunOf(state));
}

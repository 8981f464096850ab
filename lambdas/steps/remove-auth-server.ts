/** RemoveAuthServer (teardown): deactivate and delete the provisioner-made authorization server. */
import type { UndoReport } from '../core/undo-report';
import { isFirstAttempt, type StepContext } from './context';
import { anyRunOf, nameOf } from './scope';
import type { TeardownState } from './teardown-state';

export function removeAuthServer(
  state: TeardownState,
  { okta, attempt }: Pick<StepContext, 'okta' | 'attempt'>,
): Promise<UndoReport> {
  const located = state.resources.located?.authServers;
  // A retry looks again: the failed attempt may have removed some of it already.
  if (located && isFirstAttempt({ attempt })) return okta.authServers.removeLocated(located);
  return okta.authServers.remove({ name: nameOf(state) }, anyRunOf(state));
}

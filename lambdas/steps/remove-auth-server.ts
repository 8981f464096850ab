/** RemoveAuthServer (teardown): deactivate and delete the provisioner-made authorization server. */
import { ANY_REQUEST } from '../core/naming';
import type { UndoReport } from '../core/undo-report';
import type { StepContext } from './context';
import { nameOf } from './scope';
import type { TeardownState } from './teardown-state';

export function removeAuthServer(
  state: TeardownState,
  { okta }: Pick<StepContext, 'okta'>,
): Promise<UndoReport> {
  return okta.authServers.remove({ name: nameOf(state) }, ANY_REQUEST);
}

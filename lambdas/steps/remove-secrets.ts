/** RemoveSecrets (teardown): the client secret and the Kong baseline, when the provisioner wrote them. */
import { ANY_REQUEST } from '../core/naming';
import type { UndoReport } from '../core/undo-report';
import type { StepContext } from './context';
import { baselineSnapshotName, clientSecretName } from './scope';
import type { TeardownState } from './teardown-state';

export async function removeSecrets(
  state: TeardownState,
  { secrets }: Pick<StepContext, 'secrets'>,
): Promise<UndoReport> {
  const result: UndoReport = { removed: [], leftAlone: [] };
  for (const name of [clientSecretName(state), baselineSnapshotName(state)]) {
    const arn = await secrets.arnOf(name);
    if (!arn) continue;
    const deleted = await secrets.deleteOwned(arn, ANY_REQUEST);
    if (deleted.deleted) result.removed.push(arn);
    if (deleted.leftAlone) result.leftAlone.push({ id: arn, reason: deleted.leftAlone });
  }
  return result;
}

/**
 * RemoveSecrets (teardown): the client secret, the Kong baseline, and a rollback point a dead run
 * left behind, when the provisioner wrote them for this workspace.
 */
import type { UndoReport } from '../core/undo-report';
import type { StepContext } from './context';
import { anyRunOf, baselineSnapshotName, clientSecretName, rollbackSnapshotName } from './scope';
import type { TeardownState } from './teardown-state';

export async function removeSecrets(
  state: TeardownState,
  { secrets }: Pick<StepContext, 'secrets'>,
): Promise<UndoReport> {
  const result: UndoReport = { removed: [], leftAlone: [] };
  for (const name of [clientSecretName(state), baselineSnapshotName(state), rollbackSnapshotName(state)]) {
    const arn = await secrets.arnOf(name);
    if (!arn) continue;
    const deleted = await secrets.deleteOwned(arn, anyRunOf(state));
    if (deleted.deleted) result.removed.push(arn);
    if (deleted.leftAlone) result.leftAlone.push({ id: arn, reason: deleted.leftAlone });
  }
  return result;
}

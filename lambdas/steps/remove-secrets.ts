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
  const names = [clientSecretName(state), baselineSnapshotName(state), rollbackSnapshotName(state)];
  // Independent secrets: looked up and deleted at once.
  const outcomes = await Promise.all(
    names.map(async (name) => {
      const arn = await secrets.arnOf(name);
      return arn ? { arn, ...(await secrets.deleteOwned(arn, anyRunOf(state))) } : undefined;
    }),
  );
  const result: UndoReport = { removed: [], leftAlone: [] };
  for (const outcome of outcomes) {
    if (!outcome) continue;
    if (outcome.deleted) result.removed.push(outcome.arn);
    if (outcome.leftAlone) result.leftAlone.push({ id: outcome.arn, reason: outcome.leftAlone });
  }
  return result;
}

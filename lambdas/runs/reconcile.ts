/**
 * A run that ended without reaching its Finalize state (TIMED_OUT, ABORTED - stopped from outside,
 * or killed with local mode) never recorded its outcome or rolled back. Its record is brought in
 * line with how the execution really ended: CLEANUP_INCOMPLETE, with the steps it had started
 * telling what it may have left behind (the catalogue says what each step makes).
 */
import type { HistoryEvent as SfnHistoryEvent } from '@aws-sdk/client-sfn';
import type { ExecutionDescription } from '../clients/executions';
import type { RequestChanges, RequestRecord } from '../clients/requests';
import { describeLeftover, type LeftoverKind } from '../core/leftovers';
import { stepProgress, type HistoryEvent } from '../core/progress';
import { forwardSteps } from '../steps/catalogue';
import type { RunDeps } from './deps';

const DIED = new Set(['TIMED_OUT', 'ABORTED']);

export const diedWithoutFinalize = (execution: ExecutionDescription | undefined): boolean =>
  execution !== undefined && DIED.has(execution.status);

const asProgressEvents = (events: SfnHistoryEvent[]): HistoryEvent[] => events;

/** What a dead run may have left, from the steps its history shows started. */
export function deadRunLeftovers(record: RequestRecord, history: readonly SfnHistoryEvent[]): string[] {
  const started = new Set(stepProgress(asProgressEvents([...history])).map((s) => s.name));
  if (record.kind === 'teardown')
    return started.size
      ? [`kong-workspace:${record.workspace}: teardown stopped part-way; run the teardown again`]
      : [];
  const kinds = new Set<LeftoverKind>(
    forwardSteps().flatMap((s) => (started.has(s.name) ? (s.leaves ?? []) : [])),
  );
  return [...kinds].map((kind) => describeLeftover(kind, record, record.id));
}

export function deadRunChanges(
  record: RequestRecord,
  execution: ExecutionDescription,
  history: readonly SfnHistoryEvent[],
): RequestChanges {
  return {
    status: 'CLEANUP_INCOMPLETE',
    error: {
      name: execution.status,
      message: 'The run stopped before it could finish or roll back',
    },
    leftovers: deadRunLeftovers(record, history),
  };
}

/** Records a dead run's end (idempotent: the store never moves a final record back). */
export async function reconcileDeadRun(
  deps: Pick<RunDeps, 'store' | 'executions'>,
  record: RequestRecord,
  execution: ExecutionDescription,
): Promise<RequestChanges> {
  const history = (await deps.executions.history(record.kind, record.id)) ?? [];
  const changes = deadRunChanges(record, execution, history);
  await deps.store.update(record.id, changes);
  return changes;
}

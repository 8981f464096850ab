/**
 * A run that ended without reaching its Finalize state (TIMED_OUT, ABORTED - stopped from outside,
 * or killed with local mode) never recorded its outcome, and never (or not fully) rolled back. Its
 * record is brought in line with how the execution really ended: CLEANUP_INCOMPLETE, naming what
 * the steps it had started may have left (the catalogue says what each step makes and which undo
 * removes it; an undo that finished before the run died is taken into account).
 */
import { portalResourceId } from '../core/portal-target';
import type { HistoryEvent as SfnHistoryEvent } from '@aws-sdk/client-sfn';
import type { ExecutionDescription } from '../clients/executions';
import type { RequestRecord } from '../clients/requests';
import { describeLeftover, type LeftoverKind } from '../core/leftovers';
import { stepProgress, type HistoryEvent } from '../core/progress';
import { forwardSteps, undoSteps } from '../steps/catalogue';
import type { RunDeps } from './deps';

type Step = { name: string; state: string };

const DIED = new Set(['TIMED_OUT', 'ABORTED']);

export const diedWithoutFinalize = (execution: { status: string } | undefined): boolean =>
  execution !== undefined && DIED.has(execution.status);

const asProgressEvents = (events: readonly SfnHistoryEvent[]): HistoryEvent[] => [...events];

export const stepsOf = (history: readonly SfnHistoryEvent[]): Step[] =>
  stepProgress(asProgressEvents(history));

/** What an interrupted run may have left: the resources of every started forward step whose undo did not finish. */
export function possibleLeftovers(
  record: RequestRecord,
  steps: readonly Step[] | undefined = everyStepStarted(),
): string[] {
  const started = new Set(steps.map((s) => s.name));
  if (record.kind === 'teardown')
    return started.size
      ? [
          `${portalResourceId(record.workspace)}: the teardown stopped part-way; run it again (every step is idempotent)`,
        ]
      : [];
  const undone = new Set(steps.filter((s) => s.state === 'SUCCEEDED').map((s) => s.name));
  const kinds = new Set<LeftoverKind>();
  for (const step of forwardSteps()) {
    if (!started.has(step.name)) continue;
    for (const [kind, undo] of Object.entries(step.leaves ?? {}) as Array<[LeftoverKind, string]>)
      if (!undone.has(undo)) kinds.add(kind);
  }
  return [...kinds].map((kind) => describeLeftover(kind, record, record.id));
}

const UNDO_NAMES = new Set(undoSteps.map((u) => u.name));

/** The first forward step that failed (undo steps fail only after one did). */
export function failedStepOf(steps: readonly Step[]): string | undefined {
  return steps.find((s) => s.state === 'FAILED' && !UNDO_NAMES.has(s.name) && !s.name.startsWith('Finalize'))
    ?.name;
}

/** Why a run that never reached Finalize ended, in words for the record and the ticket. */
export function stoppedReason(status: string): string {
  return status === 'TIMED_OUT'
    ? 'The run timed out before it could finish or roll back'
    : 'The run was stopped before it could finish or roll back';
}

export interface DeadRunOutcome {
  status: 'CLEANUP_INCOMPLETE' | 'FAILED';
  error: { name: string; message: string };
  leftovers: string[];
}

/** Unknown history (it could not be read): every step is taken as started, so nothing is missed. */
const everyStepStarted = (): Step[] => forwardSteps().map((s) => ({ name: s.name, state: 'RUNNING' }));

/**
 * A dead run is CLEANUP_INCOMPLETE naming what it may have left - or FAILED when, by its history,
 * it had not started anything that leaves something (nothing to clean up).
 */
export function deadRunChanges(
  record: RequestRecord,
  execution: { status: string },
  steps: readonly Step[] | undefined,
): DeadRunOutcome {
  const leftovers = possibleLeftovers(record, steps ?? everyStepStarted());
  if (leftovers.length === 0)
    return {
      status: 'FAILED',
      error: {
        name: execution.status,
        message:
          execution.status === 'TIMED_OUT'
            ? 'The run timed out before it had changed anything'
            : 'The run was stopped before it had changed anything',
      },
      leftovers,
    };
  return {
    status: 'CLEANUP_INCOMPLETE',
    error: { name: execution.status, message: stoppedReason(execution.status) },
    leftovers,
  };
}

/** Records a dead run's end (idempotent: the store never moves a final record back). */
export async function reconcileDeadRun(
  deps: Pick<RunDeps, 'store' | 'executions'>,
  record: RequestRecord,
  execution: ExecutionDescription,
): Promise<DeadRunOutcome> {
  const history = await deps.executions.history(record.kind, record.id);
  const changes = deadRunChanges(record, execution, history && stepsOf(history));
  await deps.store.update(record.id, changes);
  return changes;
}

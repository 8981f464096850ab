/**
 * What a caller sees of a run: the request record, with per-step progress from its execution
 * history. The record is authoritative once the run has finalized; until then the execution says
 * where it is. Outputs hold identifiers and ARNs, never a secret value.
 */
import type { HistoryEvent as SfnHistoryEvent } from '@aws-sdk/client-sfn';
import type { ListQuery, RequestRecord } from '../clients/requests';
import { NotFoundError } from '../core/errors';
import { stepProgress, type HistoryEvent, type StepProgress } from '../core/progress';
import { isFinal, publicStatus, statusFromExecution } from '../core/status';
import { statusUrl, type RunDeps } from './deps';
import { deadRunChanges, diedWithoutFinalize } from './reconcile';

const REQUEST_ID = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * Finalize writes the final status before its own step ends in the history: once the record is
 * final, a still-open Finalize step has in fact finished.
 */
function closeFinalize(steps: StepProgress[], endedAt: string): StepProgress[] {
  return steps.map((s) =>
    s.name.startsWith('Finalize') && s.state === 'RUNNING' ? { ...s, state: 'SUCCEEDED', endedAt } : s,
  );
}

const asProgressEvents = (events: SfnHistoryEvent[]): HistoryEvent[] => events;

export function runView(deps: Pick<RunDeps, 'basePath'>, steps: StepProgress[], record: RequestRecord) {
  const { plan, ...outputs } = record.outputs ?? {};
  return {
    id: record.id,
    kind: record.kind,
    status: publicStatus(record.status),
    workspace: record.workspace,
    environment: record.environment,
    dryRun: record.dryRun,
    requestedBy: record.requestedBy,
    source: record.source,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    statusUrl: statusUrl(deps, record.id),
    steps,
    ...(Object.keys(outputs).length ? { outputs } : {}),
    ...(plan !== undefined ? { plan } : {}),
    ...(record.error ? { error: record.error } : {}),
    ...(record.leftovers?.length ? { leftovers: record.leftovers } : {}),
    ...(record.warnings?.length ? { warnings: record.warnings } : {}),
    ...(record.ticketAnswer ? { ticketAnswer: answerView(record.ticketAnswer) } : {}),
  };
}

/** Where the answer on the ticket stands (the lease is an internal detail). */
function answerView(answer: NonNullable<RequestRecord['ticketAnswer']>) {
  return {
    state: answer.state,
    at: answer.at,
    attempts: answer.attempts,
    ...(answer.error ? { error: answer.error } : {}),
  };
}

export type RunView = ReturnType<typeof runView>;

export async function viewRun(deps: RunDeps, id: string): Promise<RunView> {
  const wellFormed = REQUEST_ID.test(id);
  const record = wellFormed ? await deps.store.get(id) : undefined;
  // A malformed id is not echoed back.
  if (!record) throw new NotFoundError(wellFormed ? `No request with id '${id}'` : 'No request with that id');
  // Accepted but not started (yet), or its start failed: no history to show.
  const history = await deps.executions.history(record.kind, record.id);
  const steps = history ? stepProgress(asProgressEvents(history)) : [];
  if (isFinal(record.status)) return runView(deps, closeFinalize(steps, record.updatedAt), record);
  const execution = history ? await deps.executions.describe(record.kind, record.id) : undefined;
  if (!execution) return runView(deps, steps, record);
  // A run that died without Finalize: show how it really ended and what it may have left.
  if (diedWithoutFinalize(execution))
    return runView(deps, steps, { ...record, ...deadRunChanges(record, execution, steps) });
  return runView(deps, steps, { ...record, status: statusFromExecution(execution) });
}

export async function listRuns(deps: RunDeps, query: ListQuery) {
  const page = await deps.store.list(query);
  return {
    items: page.items.map((r) => ({
      id: r.id,
      kind: r.kind,
      status: publicStatus(r.status),
      workspace: r.workspace,
      environment: r.environment,
      dryRun: r.dryRun,
      requestedBy: r.requestedBy,
      source: r.source,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      statusUrl: statusUrl(deps, r.id),
    })),
    ...(page.next ? { next: page.next } : {}),
  };
}

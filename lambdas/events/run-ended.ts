/**
 * The end of every run, however it ended, in one handler (EventBridge: Step Functions execution
 * status changes of both state machines, and our own "Ticket Rejected"):
 *
 * 1. brings the request record and the workspace lock in line with how the execution really ended -
 *    a run that timed out or was stopped from outside never ran Finalize, and neither did one whose
 *    Finalize failed: its outcome is recorded here (only while the record is still active), and -
 *    for every ended run - the lock is released if this request still holds it;
 * 2. counts it (metrics, once per execution even when the event comes twice);
 * 3. answers the ticket the request came from, through the one notifier.
 *
 * Every part is safe to repeat, because EventBridge and Lambda deliver at least once. A failure to
 * answer is thrown (Lambda retries the event, then keeps it in the dead-letter queue); it never
 * changes the recorded outcome.
 */
import type { Executions, StateMachineArns } from '../clients/executions';
import type { DeliveryLog, RequestKind, RequestRecord, RequestStore, RunEnds } from '../clients/requests';
import { deliveryKey, requestKey, requestKinds } from '../clients/requests';
import { logger } from '../clients/logger';
import { stepProgress, type StepProgress } from '../core/progress';
import { readEvent, type ExecutionEnded, type TicketRejectedDetail } from '../core/run-events';
import { deadRunChanges, failedStepOf, possibleLeftovers } from '../runs/reconcile';
import { isFinal, statusFromExecution } from '../core/status';
import type { TicketAnswer } from '../core/ticket-answer';
import { AnswerInProgress, answerTicket, type AnswerTarget, type NotifierDeps } from '../tickets/answer';
import type { RunMetrics } from './metrics';

export interface RunEndedDeps {
  store: RequestStore;
  runEnds: RunEnds;
  /** Where a rejection's ticket and reasons are read: never from the event, which anyone allowed to put events could forge. */
  deliveries: Pick<DeliveryLog, 'get'>;
  executions: Executions;
  stateMachines: StateMachineArns;
  notifier: NotifierDeps;
  /** The API's URL with its stage, for status links in answers. */
  statusBaseUrl?: string;
  /** A fresh recorder per event. */
  metrics(): RunMetrics;
}

const kindOf = (machines: StateMachineArns, arn: string): RequestKind | undefined =>
  requestKinds.find((kind) => machines[kind] === arn);

function parseOutput(output: string | undefined): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(output ?? '{}');
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? { ...parsed } : {};
  } catch {
    return {};
  }
}

/** Step Functions causes are JSON ({errorMessage}) from a Lambda, or text: keep the message. */
function messageOf(cause: string | undefined, fallback: string): string {
  if (!cause) return fallback;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown; error?: { message?: unknown } };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
  } catch {
    // plain text
  }
  return cause;
}

/** What the record should say, for a run Finalize did not record. */
async function outcomeOf(
  e: ExecutionEnded,
  steps: () => Promise<StepProgress[] | undefined>,
  record: RequestRecord,
) {
  const status = statusFromExecution(e);
  if (e.status === 'TIMED_OUT' || e.status === 'ABORTED') return deadRunChanges(record, e, await steps());
  if (e.status === 'SUCCEEDED') {
    // Finalize ran (its output is the run's outcome) but could not record it: the output is secret-free.
    const { status: _status, ...outputs } = parseOutput(e.output);
    return { status, outputs };
  }
  const error = { name: e.error ?? 'ExecutionFailed', message: messageOf(e.cause, 'The run failed') };
  // The rollback ran but Finalize could not record it: name what the undos did not remove.
  if (status === 'CLEANUP_INCOMPLETE')
    return { status, error, leftovers: possibleLeftovers(record, await steps()) };
  return { status, error };
}

function runAnswer(
  record: RequestRecord,
  steps: StepProgress[],
  statusBaseUrl?: string,
): TicketAnswer | undefined {
  const facts = {
    requestId: record.id,
    workspace: record.workspace,
    environment: record.environment,
    ...(statusBaseUrl ? { statusUrl: `${statusBaseUrl}/provisionings/${record.id}` } : {}),
  };
  const failedStep = failedStepOf(steps) ?? steps.find((s) => s.state === 'RUNNING')?.name;
  const reason = record.error?.message ?? 'no reason was recorded';
  const out = (key: string) => {
    const value = record.outputs?.[key];
    return typeof value === 'string' ? value : '(unknown)';
  };
  switch (record.status) {
    case 'SUCCEEDED':
      return {
        kind: 'succeeded',
        ...facts,
        portalUrl: out('portalUrl'),
        issuer: out('issuer'),
        clientId: out('clientId'),
        clientSecretArn: out('clientSecretArn'),
      };
    case 'FAILED':
      return { kind: 'failed', ...facts, ...(failedStep ? { failedStep } : {}), reason };
    case 'CLEANUP_INCOMPLETE':
      return {
        kind: 'cleanup-incomplete',
        ...facts,
        ...(failedStep ? { failedStep } : {}),
        reason,
        leftovers: record.leftovers ?? [],
      };
    default:
      return undefined;
  }
}

async function onExecutionEnded(deps: RunEndedDeps, metrics: RunMetrics, e: ExecutionEnded): Promise<void> {
  const kind = kindOf(deps.stateMachines, e.stateMachineArn);
  if (!kind) return;
  let record = await deps.store.get(e.requestId);
  if (!record) {
    logger.warn('an execution ended that has no request record', {
      requestId: e.requestId,
      status: e.status,
    });
    return;
  }
  let history: Promise<StepProgress[] | undefined> | undefined;
  // Undefined when the history cannot be had: reconciliation then assumes every step ran.
  const steps = () =>
    (history ??= deps.executions
      .history(kind, e.requestId)
      .then((events) => (events ? stepProgress(events) : undefined)));

  let settled = false;
  const wasActive = !isFinal(record.status);
  if (wasActive) {
    // EventBridge leaves out an output over 248 KB; the execution itself still has it.
    const output =
      e.status === 'SUCCEEDED' && e.output === undefined
        ? (await deps.executions.describe(kind, e.requestId))?.output
        : e.output;
    const outcome = await outcomeOf({ ...e, ...(output === undefined ? {} : { output }) }, steps, record);
    settled = await deps.runEnds.settle(record.id, outcome);
    if (settled)
      logger.warn('run outcome recorded after it ended without Finalize', {
        requestId: record.id,
        execution: e.status,
        status: outcome.status,
      });
    record = (await deps.store.get(record.id)) ?? record;
  }
  // An ended run needs no lock, whoever recorded its end: Finalize may have recorded the outcome
  // and then failed to release it. Conditional: only this request's lock goes (a newer request may
  // hold the workspace by now).
  await deps.store.releaseLock({ environment: record.environment, workspace: record.workspace }, record.id);

  if (await deps.runEnds.observe(record.id, e.executionArn)) {
    const duration =
      e.startDate !== undefined && e.stopDate !== undefined ? e.stopDate - e.startDate : undefined;
    metrics.runEnded(kind, record.status, duration);
    if (kind === 'provision' && e.status === 'FAILED') metrics.rollback();
    if (record.status === 'CLEANUP_INCOMPLETE') metrics.cleanupIncomplete(kind);
    if (settled) metrics.reconciled(record.status);
  }

  const { channel, ticket, ticketId } = record.source;
  if (
    kind !== 'provision' ||
    record.dryRun ||
    !ticket ||
    !ticketId ||
    (channel !== 'jira' && channel !== 'servicenow')
  )
    return;
  const answer = runAnswer(
    record,
    record.status === 'SUCCEEDED' ? [] : ((await steps()) ?? []),
    deps.statusBaseUrl,
  );
  if (!answer) return;
  await answerOnTicket(
    deps,
    metrics,
    { channel, ticketKey: ticket, ticketId, item: requestKey(record.id), itemName: `request ${record.id}` },
    answer,
  );
}

async function answerOnTicket(
  deps: RunEndedDeps,
  metrics: RunMetrics,
  target: AnswerTarget,
  answer: TicketAnswer,
) {
  try {
    const result = await answerTicket(deps.notifier, target, answer);
    if (result === 'posted') metrics.answerPosted(target.channel);
  } catch (err) {
    // A claim held by another invocation is not a failure of the answer.
    if (!(err instanceof AnswerInProgress)) metrics.answerFailed(target.channel);
    throw err;
  }
}

async function onTicketRejected(deps: RunEndedDeps, metrics: RunMetrics, detail: TicketRejectedDetail) {
  // The event only points at the delivery; what is posted, and where, is what the webhook recorded.
  const delivery = await deps.deliveries.get(detail.channel, detail.deliveryId);
  if (delivery?.outcome !== 'rejected') {
    logger.warn('ticket rejection event without a rejected delivery on record: not answered', {
      channel: detail.channel,
      deliveryId: detail.deliveryId,
    });
    return;
  }
  const answer: TicketAnswer = {
    kind: 'rejected',
    ticketKey: delivery.ticket,
    deliveryId: delivery.deliveryId,
    issues: delivery.issues ?? [],
  };
  await answerOnTicket(
    deps,
    metrics,
    {
      channel: delivery.channel,
      ticketKey: delivery.ticket,
      ticketId: delivery.ticketId,
      item: deliveryKey(delivery.channel, delivery.deliveryId),
      itemName: `delivery ${delivery.channel}/${delivery.deliveryId}`,
    },
    answer,
  );
}

export async function handleRunEvent(deps: RunEndedDeps, event: unknown): Promise<void> {
  const metrics = deps.metrics();
  try {
    const handled = readEvent(event);
    if (handled.kind === 'execution-ended') await onExecutionEnded(deps, metrics, handled);
    else if (handled.kind === 'ticket-rejected') await onTicketRejected(deps, metrics, handled);
    // Anything else cannot become valid by retrying it.
    else logger.warn('event not handled', { reason: handled.reason });
  } finally {
    metrics.flush();
  }
}

/**
 * The one place that answers on tickets: finished runs and refused requests alike. At-least-once
 * events make every answer a claim first (../clients/requests/answers.ts): the invocation that
 * claims it posts it, a duplicate finds it done or being done. Posting is retried a few times in
 * place (backoff, honouring Retry-After); if it still fails, the claim is released and the error
 * thrown, so the event is retried by Lambda and, in the end, kept in the dead-letter queue. How a
 * run ended is never changed by how its answer fared.
 */
import type { AnswerClaims, ItemKey } from '../clients/requests';
import type { JiraClient } from '../clients/tickets/jira';
import type { ServiceNowClient } from '../clients/tickets/servicenow';
import { logger } from '../clients/logger';
import { PermanentError, ProvisionerError, RateLimitedError, TransientError } from '../core/errors';
import { answerMarker, toAdf, toPlainText, type TicketAnswer } from '../core/ticket-answer';
import type { TicketChannel } from '../core/ticket-request';

export interface NotifierDeps {
  claims: AnswerClaims;
  /** Built on first use (reading the credentials secret); absent when the system is not configured. */
  jira?: () => Promise<JiraClient>;
  servicenow?: () => Promise<ServiceNowClient>;
  jiraSuccessTransitionId?: string;
  servicenowStates?: { success?: string; failure?: string };
  /** How long a claim is ours while we post. */
  leaseMs: number;
  /** Attempts in place before handing the event back for retry. */
  attempts: number;
  backoffMs: number;
  sleep(ms: number): Promise<void>;
}

export interface AnswerTarget {
  channel: TicketChannel;
  ticketKey: string;
  ticketId: string;
  /** The item the answer is claimed on (request record or delivery), and its name for errors. */
  item: ItemKey;
  itemName: string;
}

/** Another invocation holds the claim and is posting: retry later, it is not a failure. */
export class AnswerInProgress extends TransientError {}

export type AnswerResult = 'posted' | 'already-posted' | 'not-configured' | 'no-record';

const MAX_WAIT_MS = 30_000;
/** How often (and how long, growing) a duplicate looks again at an answer being posted. */
const BUSY_CHECKS = 3;
const BUSY_WAIT_MS = 250;

function retryable(err: unknown): boolean {
  return err instanceof ProvisionerError && err.retryable;
}

function waitBefore(attempt: number, err: unknown, backoffMs: number): number {
  const advised = err instanceof RateLimitedError ? (err.retryAfterSeconds() ?? 0) * 1000 : 0;
  return Math.min(MAX_WAIT_MS, Math.max(advised, backoffMs * 2 ** (attempt - 1)));
}

async function post(deps: NotifierDeps, target: AnswerTarget, answer: TicketAnswer, takeover: boolean) {
  if (target.channel === 'jira') {
    if (!deps.jira) throw new PermanentError('Jira is not configured');
    const jira = await deps.jira();
    // A claimer that died after posting left no record of it: look before posting twice.
    const earlier = takeover ? await jira.findComment(target.ticketId, answerMarker(answer)) : undefined;
    if (earlier) return { commentId: earlier };
    const { id } = await jira.addComment(target.ticketId, toAdf(answer));
    return { commentId: id };
  }
  if (!deps.servicenow) throw new PermanentError('ServiceNow is not configured');
  const servicenow = await deps.servicenow();
  const state =
    answer.kind === 'succeeded'
      ? deps.servicenowStates?.success
      : answer.kind === 'rejected'
        ? undefined
        : deps.servicenowStates?.failure;
  await servicenow.addWorkNote(target.ticketId, toPlainText(answer), state);
  return {};
}

/** The configured transition after a success; its failure is logged, never fatal to the answer. */
async function transition(deps: NotifierDeps, target: AnswerTarget): Promise<void> {
  if (target.channel !== 'jira' || !deps.jiraSuccessTransitionId || !deps.jira) return;
  try {
    await (await deps.jira()).transition(target.ticketId, deps.jiraSuccessTransitionId);
  } catch (err) {
    logger.warn('ticket transition failed', {
      ticket: target.ticketKey,
      transitionId: deps.jiraSuccessTransitionId,
      error: err instanceof Error ? err.name : 'Error',
    });
  }
}

export async function answerTicket(
  deps: NotifierDeps,
  target: AnswerTarget,
  answer: TicketAnswer,
): Promise<AnswerResult> {
  const configured = target.channel === 'jira' ? deps.jira : deps.servicenow;
  if (!configured) {
    logger.warn('ticket not answered: its system is not configured', {
      channel: target.channel,
      ticket: target.ticketKey,
    });
    return 'not-configured';
  }
  let claim = await deps.claims.claim(target.item, target.itemName, deps.leaseMs);
  // A duplicate event while another invocation posts: it is usually done in a moment.
  for (let wait = 1; claim.outcome === 'busy' && wait <= BUSY_CHECKS; wait++) {
    await deps.sleep(BUSY_WAIT_MS * wait);
    claim = await deps.claims.claim(target.item, target.itemName, deps.leaseMs);
  }
  if (claim.outcome === 'missing') return 'no-record';
  if (claim.outcome === 'done') return 'already-posted';
  // Still held: that invocation may have died. Lambda retries this event after its lease ran out.
  if (claim.outcome === 'busy')
    throw new AnswerInProgress(`The answer on ${target.ticketKey} is being posted by another invocation`, {
      leaseUntil: claim.leaseUntil,
    });

  for (let attempt = 1; ; attempt++) {
    try {
      const { commentId } = await post(deps, target, answer, claim.takeover || attempt > 1);
      await deps.claims.posted(target.item, target.itemName, claim.attempt, commentId);
      logger.info('ticket answered', {
        channel: target.channel,
        ticket: target.ticketKey,
        answer: answer.kind,
      });
      if (answer.kind === 'succeeded') await transition(deps, target);
      return 'posted';
    } catch (err) {
      if (retryable(err) && attempt < deps.attempts) {
        await deps.sleep(waitBefore(attempt, err, deps.backoffMs));
        continue;
      }
      const name = err instanceof Error ? err.name : 'Error';
      await deps.claims.failed(target.item, target.itemName, claim.attempt, name);
      logger.error('ticket answer failed', {
        channel: target.channel,
        ticket: target.ticketKey,
        error: name,
        attempt,
      });
      throw err instanceof ProvisionerError
        ? err
        : new PermanentError(`Answering ${target.ticketKey} failed: ${name}`);
    }
  }
}

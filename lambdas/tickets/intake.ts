/**
 * A ticket's request, from whichever system, taken in: validated as POST /provisionings would,
 * bound to its delivery id, then accepted through the same run lifecycle as the API (acceptRun) -
 * or refused, with the refusal handed to the notifier so the ticket is told which field is wrong.
 *
 * The run's request id follows from the ticket and the event that asked (ticketIdempotencyKey), so
 * a redelivery, a second webhook for the same event, and a retry after a lost answer all map onto
 * the one request and the one execution named after it. The delivery binding adds what acceptRun
 * cannot know: that a delivery id was seen before, and what it was answered.
 */
import type { DeliveryLog, RequestSource } from '../clients/requests';
import type { TicketEvents } from '../clients/ticket-events';
import { logger } from '../clients/logger';
import { ConflictError, ValidationError, type FieldIssue } from '../core/errors';
import { requestIdFromKey } from '../core/idempotency';
import { assertServedEnvironment } from '../core/request';
import type { PublicStatus } from '../core/status';
import {
  relabel,
  ticketIdempotencyKey,
  validateTicketRequest,
  type TicketRequest,
  type TicketValidation,
} from '../core/ticket-request';
import { acceptRun } from '../runs/accept';
import type { RunDeps } from '../runs/deps';
import { provisioningRun } from '../runs/requests';

export interface IntakeDeps extends RunDeps {
  deliveries: DeliveryLog;
  events: TicketEvents;
  /** A ticket that names no environment asks for this one (the served one). */
  defaultEnvironment: string;
}

export type IntakeOutcome =
  | { kind: 'accepted'; id: string; status: PublicStatus; repeated: boolean }
  | { kind: 'rejected'; issues: FieldIssue[]; repeated: boolean }
  | { kind: 'replayed'; requestId: string };

export interface IntakeOptions {
  /**
   * What a delivery id seen before means. Jira retries a delivery under the same id (answer it as
   * the first time); each attempt of our ServiceNow business rule has a fresh id (a repeat is a replay).
   */
  repeatedDelivery: 'answer' | 'refuse';
}

function validate(deps: IntakeDeps, request: TicketRequest): TicketValidation {
  const validation = validateTicketRequest(request, { environment: deps.defaultEnvironment });
  if (!validation.ok) return validation;
  try {
    assertServedEnvironment(validation.request.environment, deps.servedEnvironment);
  } catch (err) {
    if (err instanceof ValidationError) return { ok: false, issues: relabel(err.issues, request.labels) };
    throw err;
  }
  return validation;
}

/** Who the run is recorded as coming from; the channel also scopes the request id. */
export function ticketSource(request: TicketRequest): RequestSource {
  return {
    channel: request.ticket.channel,
    principal: request.ticket.channel,
    ticket: request.ticket.key,
    ticketId: request.ticket.id,
  };
}

/** The request id a ticket event's run gets: what acceptRun derives from the same key. */
export function ticketRequestId(request: TicketRequest): string {
  return requestIdFromKey(request.ticket.channel, ticketIdempotencyKey(request.ticket, request.trigger));
}

async function reject(deps: IntakeDeps, request: TicketRequest, issues: FieldIssue[]): Promise<void> {
  const { ticket, deliveryId } = request;
  await deps.events.rejected({
    channel: ticket.channel,
    deliveryId,
    ticket: { key: ticket.key, id: ticket.id },
    issues,
  });
  logger.info('ticket request rejected', {
    channel: ticket.channel,
    ticket: ticket.key,
    deliveryId,
    fields: issues.map((i) => i.field),
  });
}

export async function takeInTicket(
  deps: IntakeDeps,
  request: TicketRequest,
  options: IntakeOptions,
): Promise<IntakeOutcome> {
  const validation = validate(deps, request);
  const { ticket, deliveryId } = request;
  const { first, delivery } = await deps.deliveries.bind({
    channel: ticket.channel,
    deliveryId,
    requestId: ticketRequestId(request),
    ticket: ticket.key,
    ticketId: ticket.id,
    ...(validation.ok ? { outcome: 'accepted' } : { outcome: 'rejected', issues: validation.issues }),
  });

  // The conditional put wrote nothing for a repeated id: a replay changes nothing at all.
  if (!first && options.repeatedDelivery === 'refuse') {
    logger.warn('webhook delivery replayed', { channel: ticket.channel, deliveryId });
    return { kind: 'replayed', requestId: delivery.requestId };
  }
  if (delivery.outcome === 'rejected') {
    const issues = delivery.issues ?? [];
    // Until the notifier has taken it on, every delivery hands it the rejection (it answers once).
    if (!delivery.ticketAnswer) await reject(deps, request, issues);
    return { kind: 'rejected', issues, repeated: !first };
  }
  // Bound as accepted by an earlier delivery, but not valid under today's configuration.
  if (!validation.ok) return { kind: 'rejected', issues: validation.issues, repeated: true };

  try {
    const run = await acceptRun(deps, provisioningRun(validation.request, ticketSource(request)));
    return { kind: 'accepted', id: run.id, status: run.status, repeated: !first || !run.created };
  } catch (err) {
    const field = request.labels.workspace ?? 'workspace';
    if (err instanceof ConflictError) {
      // Another request holds the workspace: the ticket is told, and asked to come back.
      const reason = `${err.message}; approve the ticket again once that request has finished`;
      return {
        kind: 'rejected',
        issues: await refuseAfterAll(deps, request, [{ field, reason }]),
        repeated: !first,
      };
    }
    // The run could not be started (the answer is a 5xx). Jira retries such a delivery, and its
    // retry starts the run; our ServiceNow rule sends once, so that ticket is told to ask again.
    if (options.repeatedDelivery === 'refuse') {
      const reason =
        'the workflow could not be started (a temporary AWS failure); move the item out of the approved state and back to ask again';
      await refuseAfterAll(deps, request, [{ field: 'request', reason }]);
    }
    throw err;
  }
}

/** A delivery bound as accepted that could not be: record it refused and tell the ticket why. */
async function refuseAfterAll(deps: IntakeDeps, request: TicketRequest, issues: FieldIssue[]) {
  await deps.deliveries.markRejected(request.ticket.channel, request.deliveryId, issues);
  await reject(deps, request, issues);
  return issues;
}

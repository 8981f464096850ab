/**
 * The events the run-ended handler reacts to, and what an ended run means for its request.
 *
 * - Step Functions sends "Step Functions Execution Status Change" to the default EventBridge bus for
 *   every status change of a Standard workflow execution; `detail` carries what DescribeExecution
 *   returns (executionArn, stateMachineArn, name, status, startDate/stopDate in epoch ms, input,
 *   output, error, cause). Source: AWS Step Functions Developer Guide, "EventBridge (CloudWatch
 *   Events) for Step Functions execution status changes" (cw-events.md). Delivery is best effort and
 *   at least once, so everything done with one must be safe to repeat.
 * - "Ticket Rejected" is our own event: a webhook that names a ticket whose request is invalid
 *   publishes it, so that every ticket answer is given by the same notifier.
 *
 * The event patterns are defined here once: the CDK rules and local mode's event router both use them.
 */
import * as z from 'zod';
import { TICKET_CHANNELS } from './ticket-request';

export const STEP_FUNCTIONS_SOURCE = 'aws.states';
export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';
export const PROVISIONER_EVENT_SOURCE = 'kong-portal-provisioner';
export const TICKET_REJECTED = 'Ticket Rejected';

/** The terminal statuses; RUNNING (and PENDING_REDRIVE) say nothing about an outcome. */
export const ENDED_STATUSES = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type EndedStatus = (typeof ENDED_STATUSES)[number];

/** EventBridge event patterns, in EventBridge's own JSON form. */
export function runEndedPattern(stateMachineArns: readonly string[]) {
  return {
    source: [STEP_FUNCTIONS_SOURCE],
    'detail-type': [EXECUTION_STATUS_CHANGE],
    detail: { status: [...ENDED_STATUSES], stateMachineArn: [...stateMachineArns] },
  };
}

export const TICKET_REJECTED_PATTERN = {
  source: [PROVISIONER_EVENT_SOURCE],
  'detail-type': [TICKET_REJECTED],
} as const;

const executionEnded = z.looseObject({
  source: z.literal(STEP_FUNCTIONS_SOURCE),
  'detail-type': z.literal(EXECUTION_STATUS_CHANGE),
  detail: z.looseObject({
    executionArn: z.string(),
    stateMachineArn: z.string(),
    name: z.string(),
    status: z.string(),
    startDate: z.number().nullish(),
    stopDate: z.number().nullish(),
    output: z.string().nullish(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});

export const ticketRejectedDetail = z.strictObject({
  channel: z.enum(TICKET_CHANNELS),
  deliveryId: z.string().min(1),
  ticket: z.strictObject({ key: z.string().min(1), id: z.string().min(1) }),
  issues: z.array(z.strictObject({ field: z.string(), reason: z.string() })).min(1),
});

const ticketRejected = z.looseObject({
  source: z.literal(PROVISIONER_EVENT_SOURCE),
  'detail-type': z.literal(TICKET_REJECTED),
  detail: ticketRejectedDetail,
});

export type TicketRejectedDetail = z.output<typeof ticketRejectedDetail>;

export interface ExecutionEnded {
  kind: 'execution-ended';
  executionArn: string;
  stateMachineArn: string;
  /** The execution name: our request id. */
  requestId: string;
  status: EndedStatus;
  startDate?: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
}

export type HandledEvent =
  | ExecutionEnded
  | ({ kind: 'ticket-rejected' } & TicketRejectedDetail)
  | { kind: 'not-handled'; reason: string };

const isEnded = (status: string): status is EndedStatus =>
  (ENDED_STATUSES as readonly string[]).includes(status);

export function readEvent(event: unknown): HandledEvent {
  const ended = executionEnded.safeParse(event);
  if (ended.success) {
    const d = ended.data.detail;
    if (!isEnded(d.status)) return { kind: 'not-handled', reason: `status ${d.status} is not an end` };
    return {
      kind: 'execution-ended',
      executionArn: d.executionArn,
      stateMachineArn: d.stateMachineArn,
      requestId: d.name,
      status: d.status,
      ...(typeof d.startDate === 'number' ? { startDate: d.startDate } : {}),
      ...(typeof d.stopDate === 'number' ? { stopDate: d.stopDate } : {}),
      ...(d.output ? { output: d.output } : {}),
      ...(d.error ? { error: d.error } : {}),
      ...(d.cause ? { cause: d.cause } : {}),
    };
  }
  const rejected = ticketRejected.safeParse(event);
  if (rejected.success) return { kind: 'ticket-rejected', ...rejected.data.detail };
  return { kind: 'not-handled', reason: 'neither an execution status change nor a ticket rejection' };
}

/**
 * A ticket as a provisioning request, whichever system it comes from: which ticket and which of its
 * events asked (so a redelivery or a retry maps onto the same run), who asked, and the request
 * fields read from the ticket's mapped fields. Validation is the API's own (core/request.ts); only
 * the field names in its answer are translated back into the ticket's vocabulary, so the comment
 * on the ticket names the field the requester actually filled in.
 */
import { createHash } from 'node:crypto';
import { ValidationError, type FieldIssue } from './errors';
import { parseProvisioningRequest, type ProvisioningRequest } from './request';

export const TICKET_CHANNELS = ['jira', 'servicenow'] as const;
export type TicketChannel = (typeof TICKET_CHANNELS)[number];

export interface TicketRef {
  channel: TicketChannel;
  /** What people call it: `SD-42`, `RITM0010001`. */
  key: string;
  /** What the vendor's API addresses it by: Jira's issue id, ServiceNow's sys_id. */
  id: string;
}

export interface TicketRequest {
  ticket: TicketRef;
  /** The vendor's id of this delivery (unchanged across its retries). */
  deliveryId: string;
  /** Which event of the ticket asked: `created`, `c<changelog id>`, `m<sys_mod_count>`. */
  trigger: string;
  requestedBy: string;
  /** Request fields read from the ticket, not validated yet. */
  fields: Record<string, unknown>;
  /** Request field -> where it came from on the ticket, for answers that name the field. */
  labels: Record<string, string>;
  /** Problems found while reading the ticket itself (an options field that is not JSON, ...). */
  readIssues: FieldIssue[];
}

export type TicketDecision =
  | { action: 'ignore'; reason: string }
  | { action: 'malformed'; reason: string }
  | { action: 'provision'; request: TicketRequest };

/** Request fields a ticket's options field may set; the rest come from mapped fields or not at all. */
export const TICKET_OPTION_FIELDS = [
  'emailAttribute',
  'claimName',
  'audience',
  'scopes',
  'autoApprove',
  'sslVerify',
  'tokenLifetimes',
] as const;

/** Delivery ids we store and compare: bounded and free of key separators. */
export const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A field's value as text: plain text, a select option ({value}), a user or group ({name}). */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  for (const key of ['value', 'name', 'displayName', 'display_value'])
    if (typeof v[key] === 'string') return textOf(v[key]);
  return undefined;
}

/** A list-valued field: an array of options/groups/labels, or text separated by commas or lines. */
export function listOf(value: unknown): string[] | undefined {
  const items = Array.isArray(value)
    ? value.map(textOf)
    : typeof value === 'string'
      ? value.split(/[,;\n]/).map((s) => textOf(s))
      : [textOf(value)];
  const kept = items.filter((s): s is string => s !== undefined);
  return kept.length ? kept : undefined;
}

/**
 * The options field: a JSON object of further request fields (`{"autoApprove": true}`). Its own
 * problems are reported under its label; values are validated later with the rest of the request.
 */
export function optionsOf(
  value: unknown,
  label: string,
): { fields: Record<string, unknown>; issues: FieldIssue[] } {
  const text = textOf(value);
  if (text === undefined) return { fields: {}, issues: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {
      fields: {},
      issues: [{ field: label, reason: 'must be a JSON object, e.g. {"autoApprove": true}' }],
    };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return {
      fields: {},
      issues: [{ field: label, reason: 'must be a JSON object, e.g. {"autoApprove": true}' }],
    };
  const allowed: readonly string[] = TICKET_OPTION_FIELDS;
  const issues = Object.keys(parsed)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({
      field: `${label}: ${key}`,
      reason: `cannot be set from a ticket (allowed: ${TICKET_OPTION_FIELDS.join(', ')})`,
    }));
  const fields = Object.fromEntries(Object.entries(parsed).filter(([key]) => allowed.includes(key)));
  return { fields, issues };
}

/**
 * The run's idempotency key: the ticket and the event that asked. A redelivered webhook, a second
 * webhook for the same event and a retried start all name the same request and execution.
 */
export function ticketIdempotencyKey(ticket: TicketRef, trigger: string): string {
  const readable = `${ticket.key}-${trigger}`.replace(/[^A-Za-z0-9_-]/g, '_');
  if (readable.length <= 64) return readable;
  // Keep it within the request schema's 64 characters and still unique.
  const digest = createHash('sha256').update(readable).digest('hex').slice(0, 16);
  return `${readable.slice(0, 47)}-${digest}`;
}

/** An issue about request field `a.b` named the way the ticket shows it. */
export function relabel(issues: readonly FieldIssue[], labels: Record<string, string>): FieldIssue[] {
  return issues.map((issue) => {
    if (!issue.field) return issue;
    const [top = '', ...rest] = issue.field.split('.');
    const label = labels[top];
    if (!label) return issue;
    return { field: rest.length ? `${label}.${rest.join('.')}` : label, reason: issue.reason };
  });
}

export type TicketValidation =
  { ok: true; request: ProvisioningRequest } | { ok: false; issues: FieldIssue[] };

/**
 * Validates what a ticket asks for exactly as POST /provisionings would, keyed by the ticket event.
 * Tickets never ask for a dry run (there is nobody to read the plan).
 */
export function validateTicketRequest(
  request: TicketRequest,
  defaults: { environment: string },
): TicketValidation {
  const body = {
    ...request.fields,
    requestedBy: request.requestedBy,
    idempotencyKey: ticketIdempotencyKey(request.ticket, request.trigger),
  };
  let parsed: ProvisioningRequest | undefined;
  let issues: FieldIssue[] = [];
  try {
    parsed = parseProvisioningRequest(body, defaults);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    issues = relabel(err.issues, request.labels);
  }
  const all = [...request.readIssues, ...issues];
  if (all.length || !parsed) return { ok: false, issues: all };
  return { ok: true, request: parsed };
}

/** The labels a mapping gives its request fields: `workspace (customfield_10050)`. */
export function labelsFor(
  fields: Partial<Record<'workspace' | 'environment' | 'oktaGroups' | 'options', string>>,
  where: string,
): Record<string, string> {
  const labels: Record<string, string> = { requestedBy: 'the requester', idempotencyKey: 'the ticket key' };
  for (const [field, id] of Object.entries(fields)) if (id) labels[field] = `${field} (${where} ${id})`;
  if (!fields.environment)
    labels.environment = 'environment (the deployment default; not mapped to a ticket field)';
  if (fields.options)
    for (const option of TICKET_OPTION_FIELDS) labels[option] = `${labels.options}: ${option}`;
  return labels;
}

/**
 * A Jira Cloud webhook delivery read as a provisioning request, or not one at all.
 *
 * Payload shape (Jira Cloud `jira:issue_*` events; REST v2 field representation, so text fields are
 * strings and `issue.self` names /rest/api/2/): `webhookEvent`, `timestamp`, `user`, `issue` {id,
 * key, self, fields{project, issuetype, reporter, status, customfield_*}}, and on updates
 * `changelog` {id, items[{field, fieldId, from, fromString, to, toString}]}. E-mail addresses are
 * often hidden by profile visibility, so people are named by accountId and displayName.
 *
 * Only two events start a run: `jira:issue_created` (when the mapping says creating is asking) and
 * `jira:issue_updated` whose changelog moves `status` into the configured approved status. Any
 * other delivery, or a ticket of another project or issue type, is not for us.
 */
import * as z from 'zod';
import { DELIVERY_ID, labelsFor, listOf, optionsOf, textOf, type TicketDecision } from './ticket-request';

const fieldId = z
  .string()
  .regex(/^(customfield_\d+|[a-z][A-Za-z]*)$/, 'must be a Jira field id (customfield_10050, labels, ...)');
const nonEmpty = z.string().trim().min(1, 'must not be empty');

export const jiraMappingSchema = z.strictObject({
  /** Project keys whose tickets may ask (others are ignored). */
  projects: z.array(z.string().regex(/^[A-Z][A-Z0-9_]+$/, 'must be a Jira project key')).min(1),
  /** Issue type names or ids that are portal requests. */
  issueTypes: z.array(nonEmpty).min(1),
  /** The status (name or id) a ticket moves into when it is approved. */
  approvedStatus: nonEmpty,
  /** Whether creating a ticket already asks (no approval step). */
  onCreate: z.boolean().default(true),
  fields: z.strictObject({
    workspace: fieldId,
    oktaGroups: fieldId,
    environment: fieldId.optional(),
    options: fieldId.optional(),
  }),
});

export type JiraMapping = z.output<typeof jiraMappingSchema>;
export type JiraMappingInput = z.input<typeof jiraMappingSchema>;

const user = z.looseObject({
  accountId: z.string().optional(),
  displayName: z.string().optional(),
  emailAddress: z.string().optional(),
});

/**
 * A changelog item, read by own keys only: `toString` is also an Object method, so an object schema
 * would find the inherited function on an item that has no such key and call it malformed.
 */
const changelogItem = z.record(z.string(), z.unknown());
const textAt = (item: Record<string, unknown>, key: string): string | undefined => {
  const value = Object.hasOwn(item, key) ? item[key] : undefined;
  return typeof value === 'string' ? value : undefined;
};

const issue = z.looseObject({
  id: z.string().regex(/^\d{1,18}$/, 'must be a Jira issue id'),
  key: z.string().regex(/^[A-Z][A-Z0-9_]*-\d{1,12}$/, 'must be a Jira issue key'),
  fields: z.record(z.string(), z.unknown()),
});

const jiraPayload = z.looseObject({
  webhookEvent: z.string(),
  timestamp: z.number().optional(),
  user: user.nullish(),
  issue: issue.optional(),
  changelog: z.looseObject({ id: z.string().nullish(), items: z.array(changelogItem) }).nullish(),
});

type JiraPayload = z.output<typeof jiraPayload>;

const HANDLED = new Set(['jira:issue_created', 'jira:issue_updated']);

function person(value: unknown): { accountId?: string; displayName?: string } | undefined {
  const parsed = user.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Who asked: the reporter (else whoever triggered the event), by name and stable account id. */
function requesterOf(payload: JiraPayload): string {
  const who = person(payload.issue?.fields.reporter) ?? payload.user ?? undefined;
  const name = who?.displayName?.trim();
  const id = who?.accountId ? `jira:${who.accountId}` : undefined;
  if (name && id) return `${name} (${id})`;
  return name ?? id ?? 'unknown Jira user';
}

/** Which event asked, or why this delivery is not a request. */
function triggerOf(payload: JiraPayload, mapping: JiraMapping): { trigger: string } | { ignore: string } {
  if (payload.webhookEvent === 'jira:issue_created')
    return mapping.onCreate
      ? { trigger: 'created' }
      : { ignore: 'creating a ticket does not ask (onCreate: false)' };
  const approved = (payload.changelog?.items ?? []).some(
    (item) =>
      (textAt(item, 'fieldId') ?? textAt(item, 'field')) === 'status' &&
      (textAt(item, 'toString') === mapping.approvedStatus || textAt(item, 'to') === mapping.approvedStatus),
  );
  if (!approved) return { ignore: `the update does not move the status into '${mapping.approvedStatus}'` };
  // The changelog id names this one transition; a later re-approval is a new request.
  const id = payload.changelog?.id ?? String(payload.timestamp ?? '');
  return id ? { trigger: `c${id}` } : { ignore: 'the update carries no changelog id or timestamp' };
}

function fieldOf(fields: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(fields, name) ? fields[name] : undefined;
}

export function jiraDecision(
  body: unknown,
  deliveryHeader: string | undefined,
  mapping: JiraMapping,
): TicketDecision {
  const parsed = jiraPayload.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return {
      action: 'malformed',
      reason: `not a Jira webhook: ${first?.path.join('.') || 'body'} ${first?.message ?? ''}`.trim(),
    };
  }
  const payload = parsed.data;
  if (!HANDLED.has(payload.webhookEvent))
    return { action: 'ignore', reason: `event ${payload.webhookEvent} is not handled` };
  const ticket = payload.issue;
  if (!ticket) return { action: 'malformed', reason: `a ${payload.webhookEvent} event must carry the issue` };

  const project = textOf((ticket.fields.project as { key?: unknown } | undefined)?.key);
  if (!project || !mapping.projects.includes(project))
    return { action: 'ignore', reason: `project ${project ?? '(none)'} is not mapped` };
  const type = ticket.fields.issuetype as { name?: unknown; id?: unknown } | undefined;
  const typeNames = [textOf(type?.name), textOf(type?.id)].filter((t): t is string => t !== undefined);
  if (!typeNames.some((t) => mapping.issueTypes.includes(t)))
    return { action: 'ignore', reason: `issue type ${typeNames[0] ?? '(none)'} is not mapped` };

  const trigger = triggerOf(payload, mapping);
  if ('ignore' in trigger) return { action: 'ignore', reason: trigger.ignore };

  if (deliveryHeader !== undefined && !DELIVERY_ID.test(deliveryHeader))
    return { action: 'malformed', reason: 'X-Atlassian-Webhook-Identifier is not a delivery id' };
  // Automation rules send no identifier: the ticket event itself names the delivery.
  const deliveryId = deliveryHeader ?? `${ticket.key}:${trigger.trigger}`;

  const labels = labelsFor(mapping.fields, 'Jira field');
  const f = mapping.fields;
  const options = f.options
    ? optionsOf(fieldOf(ticket.fields, f.options), labels.options ?? 'options')
    : undefined;
  const fields: Record<string, unknown> = {
    ...options?.fields,
    workspace: textOf(fieldOf(ticket.fields, f.workspace)),
    oktaGroups: listOf(fieldOf(ticket.fields, f.oktaGroups)),
    ...(f.environment ? { environment: textOf(fieldOf(ticket.fields, f.environment)) } : {}),
  };
  return {
    action: 'provision',
    request: {
      ticket: { channel: 'jira', key: ticket.key, id: ticket.id },
      deliveryId,
      trigger: trigger.trigger,
      requestedBy: requesterOf(payload),
      fields: Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
      labels,
      readIssues: options?.issues ?? [],
    },
  };
}

/**
 * A ServiceNow delivery read as a provisioning request, or not one at all. ServiceNow has no
 * webhook format of its own: the body is what our business rule on `sc_req_item`
 * (docs/servicenow-business-rule.js) builds from the requested item and its catalog variables:
 *
 *   { "delivery_id": "<gs.generateGUID()>", "table": "sc_req_item", "sys_id": "<32 hex>",
 *     "number": "RITM0010001", "sys_mod_count": "4", "state": "2", "previous_state": "1",
 *     "cat_item": { "sys_id": "<32 hex>", "name": "Kong Dev Portal" },
 *     "requested_for": { "sys_id": "<32 hex>", "name": "Mia Krystof", "user_name": "mia.krystof" },
 *     "variables": { "<variable name>": "<value as text>", ... } }
 *
 * Values are strings because the rule reads them with getValue()/`+ ''` (GlideElement values).
 * Only the configured catalog items, moved into one of the configured states, are requests.
 */
import * as z from 'zod';
import { DELIVERY_ID, labelsFor, listOf, optionsOf, textOf, type TicketDecision } from './ticket-request';

const variable = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,79}$/, 'must be a catalog variable name (lowercase, digits, _)');
const nonEmpty = z.string().trim().min(1, 'must not be empty');

export const serviceNowMappingSchema = z.strictObject({
  /** Catalog items (sys_id or name) whose requested items are portal requests. */
  catalogItems: z.array(nonEmpty).min(1),
  /** sc_req_item `state` values in which an item asks (choice values differ per instance). */
  states: z.array(nonEmpty).min(1).default(['2']),
  variables: z.strictObject({
    workspace: variable,
    oktaGroups: variable,
    environment: variable.optional(),
    options: variable.optional(),
  }),
});

export type ServiceNowMapping = z.output<typeof serviceNowMappingSchema>;
export type ServiceNowMappingInput = z.input<typeof serviceNowMappingSchema>;

const sysId = z.string().regex(/^[0-9a-f]{32}$/, 'must be a sys_id (32 hex digits)');
const reference = z.looseObject({ sys_id: sysId, name: z.string().optional() });

const payload = z.looseObject({
  delivery_id: z.string().regex(DELIVERY_ID, 'must be a delivery id (1-128 of A-Z a-z 0-9 . _ : -)'),
  table: z.literal('sc_req_item', { error: "must be 'sc_req_item'" }),
  sys_id: sysId,
  number: z.string().regex(/^[A-Z]{2,8}\d{1,12}$/, 'must be a record number (RITM0010001)'),
  sys_mod_count: z.union([z.string().regex(/^\d{1,9}$/), z.number().int().nonnegative()]),
  state: z.union([z.string(), z.number()]).transform(String),
  /** The state before the update that fired the rule (`previous.state`): tells an approval from any later update. */
  previous_state: z.union([z.string(), z.number()]).transform(String),
  cat_item: reference,
  requested_for: z
    // getValue() of an empty reference is null (and older instances have no requested_for at all).
    .looseObject({ sys_id: sysId.nullish(), name: z.string().nullish(), user_name: z.string().nullish() })
    .nullish(),
  variables: z.record(z.string(), z.unknown()).default({}),
});

export function serviceNowDecision(body: unknown, mapping: ServiceNowMapping): TicketDecision {
  const parsed = payload.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return {
      action: 'malformed',
      reason:
        `not a requested-item delivery: ${first?.path.join('.') || 'body'} ${first?.message ?? ''}`.trim(),
    };
  }
  const item = parsed.data;
  const catalog = [item.cat_item.sys_id, item.cat_item.name].filter((c): c is string => c !== undefined);
  if (!catalog.some((c) => mapping.catalogItems.includes(c)))
    return {
      action: 'ignore',
      reason: `catalog item ${item.cat_item.name ?? item.cat_item.sys_id} is not mapped`,
    };
  if (!mapping.states.includes(item.state))
    return {
      action: 'ignore',
      reason: `state ${item.state} is not one that asks (${mapping.states.join(', ')})`,
    };
  // Only a move into an asking state asks: any later update of the item (a comment, the service's
  // own work note) arrives in the same state and must not start another run.
  if (mapping.states.includes(item.previous_state))
    return {
      action: 'ignore',
      reason: `the item was already in state ${item.previous_state}: an update, not an approval`,
    };

  const v = mapping.variables;
  const labels = labelsFor(v, 'catalog variable');
  const options = v.options ? optionsOf(item.variables[v.options], labels.options ?? 'options') : undefined;
  const fields: Record<string, unknown> = {
    ...options?.fields,
    workspace: textOf(item.variables[v.workspace]),
    oktaGroups: listOf(item.variables[v.oktaGroups]),
    ...(v.environment ? { environment: textOf(item.variables[v.environment]) } : {}),
  };
  const who = item.requested_for;
  const id = who?.user_name || who?.sys_id;
  const requestedBy =
    who?.name && id
      ? `${who.name} (servicenow:${id})`
      : (who?.name ?? (id ? `servicenow:${id}` : 'unknown ServiceNow user'));
  return {
    action: 'provision',
    request: {
      ticket: { channel: 'servicenow', key: item.number, id: item.sys_id },
      deliveryId: item.delivery_id,
      // Each update of the item bumps sys_mod_count: a later re-approval is a new request.
      trigger: `m${item.sys_mod_count}`,
      requestedBy,
      fields: Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
      labels,
      readIssues: options?.issues ?? [],
    },
  };
}

/**
 * The "requests" table: the request log and the per-workspace lock, in one table, and the shape
 * of what is stored in it. Local mode, tests and the CDK construct all build from these.
 *
 *   item      pk                              sk        gsi1pk / gsi1sk                                gsi2pk / gsi2sk
 *   request   REQUEST#<id>                    REQUEST   WORKSPACE#<env>#<workspace> / <createdAt>#<id>  REQUESTS / <createdAt>#<id>
 *   lock      LOCK#<env>#<workspace>          LOCK      -                                              -
 *   delivery  DELIVERY#<channel>#<deliveryId>  DELIVERY  -                                              -
 *
 * - GSI1 lists one workspace's requests newest first; GSI2 lists all requests newest first. GSI2
 *   is a single partition on purpose: provisioning requests arrive a few a day, far below one
 *   partition's limits, and one partition makes a global "newest first" listing a Query.
 * - `<createdAt>` is ISO-8601 UTC, so string order is time order; `#<id>` keeps two requests of
 *   the same millisecond distinct and in a stable order.
 * - Lock items hold `holder` (request id), `inputHash`, `expiresAt` (epoch seconds) and `ttl`
 *   (= `expiresAt`): the lock is judged by `expiresAt`; `ttl` only lets DynamoDB's sweeper
 *   (which may lag by days) collect abandoned locks.
 * - Workspace and environment names cannot contain `#`, so `WORKSPACE#a#b#c` has one meaning.
 * - Delivery items bind a ticketing webhook's delivery id to the request it asked for (or to why it
 *   was rejected), with `ttl` a day ahead: long past Jira's ~30 minute retry window. Delivery ids
 *   cannot contain `#` (DELIVERY_ID in core/ticket-request.ts).
 * - `ticketAnswer` (on request and delivery items) claims the answer on the ticket before it is
 *   posted, so an at-least-once event posts it once (see ./answers.ts).
 *
 * Records are secret-free by contract: `outputs` holds identifiers and ARNs, never values.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { REQUEST_STATUSES } from '../../core/status';

export const REQUESTS_TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: {
    /** One workspace's requests, newest first. */
    byWorkspace: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** Every request, newest first. */
    byCreatedAt: { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  },
  ttlAttribute: 'ttl',
} as const;

const S = REQUESTS_TABLE_SCHEMA;
export const GSI1 = S.indexes.byWorkspace;
export const GSI2 = S.indexes.byCreatedAt;

/** The CreateTable input minus the name (TTL is a separate API call: UpdateTimeToLive). */
export const requestsTableDefinition = {
  KeySchema: [
    { AttributeName: S.partitionKey, KeyType: 'HASH' },
    { AttributeName: S.sortKey, KeyType: 'RANGE' },
  ],
  AttributeDefinitions: [
    S.partitionKey,
    S.sortKey,
    GSI1.partitionKey,
    GSI1.sortKey,
    GSI2.partitionKey,
    GSI2.sortKey,
  ].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
  GlobalSecondaryIndexes: [GSI1, GSI2].map((index) => ({
    IndexName: index.indexName,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  })),
  BillingMode: 'PAY_PER_REQUEST',
} satisfies Omit<CreateTableCommandInput, 'TableName'>;

// ---- what a request record holds ------------------------------------------------------------

export const requestKinds = ['provision', 'teardown'] as const;
export type RequestKind = (typeof requestKinds)[number];

const requestSource = z.object({
  channel: z.enum(['api', 'jira', 'servicenow', 'cli']),
  principal: z.string().optional(),
  sourceIp: z.string().optional(),
  userAgent: z.string().optional(),
  /** The ticket key (`SD-42`, `RITM0010001`), for requests from a ticketing webhook. */
  ticket: z.string().optional(),
  /** The vendor's id of the ticket (Jira issue id, ServiceNow sys_id): what its API is called with. */
  ticketId: z.string().optional(),
});

export const ANSWER_STATES = ['CLAIMED', 'POSTED', 'FAILED'] as const;

/** Where the answer on the ticket stands. */
export const ticketAnswerSchema = z.object({
  state: z.enum(ANSWER_STATES),
  /** When the state was entered (ISO-8601). */
  at: z.string(),
  /** Epoch ms until which a CLAIMED answer belongs to the invocation that claimed it. */
  leaseUntil: z.number().optional(),
  attempts: z.number(),
  /** The Jira comment id, once posted. */
  commentId: z.string().optional(),
  /** The error name of the last failed attempt (no message: it could quote a vendor's answer). */
  error: z.string().optional(),
});

const failure = z.object({ name: z.string(), message: z.string() });

export const requestRecordSchema = z.object({
  id: z.string(),
  kind: z.enum(requestKinds),
  workspace: z.string(),
  environment: z.string(),
  status: z.enum(REQUEST_STATUSES),
  requestedBy: z.string(),
  source: requestSource,
  inputHash: z.string(),
  idempotencyKey: z.string().optional(),
  dryRun: z.boolean(),
  executionArn: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Secret-free: issuer, clientId, portalUrl, clientSecretArn, or the plan. */
  outputs: z.record(z.string(), z.unknown()).optional(),
  error: failure.optional(),
  leftovers: z.array(z.string()).optional(),
  /** Changes a run makes to an existing portal that weaken it (recorded for status and plan). */
  warnings: z.array(z.string()).optional(),
  ticketAnswer: ticketAnswerSchema.optional(),
});

export type TicketAnswerState = z.infer<typeof ticketAnswerSchema>;
export type RequestSource = z.infer<typeof requestSource>;
export type RequestRecord = z.infer<typeof requestRecordSchema>;

export const lockItemSchema = z.object({
  holder: z.string(),
  inputHash: z.string(),
  expiresAt: z.number(),
});

export interface LockHolder {
  requestId: string;
  inputHash: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface LockScope {
  environment: string;
  workspace: string;
}

export type RequestChanges = Partial<
  Pick<RequestRecord, 'status' | 'executionArn' | 'outputs' | 'error' | 'leftovers' | 'warnings'>
>;

// ---- keys --------------------------------------------------------------------------------------

const REQUEST_SK = 'REQUEST';
const LOCK_SK = 'LOCK';
const DELIVERY_SK = 'DELIVERY';
export const ALL_REQUESTS = 'REQUESTS';

export const requestKey = (id: string) => ({ [S.partitionKey]: `REQUEST#${id}`, [S.sortKey]: REQUEST_SK });
export const lockKey = ({ environment, workspace }: LockScope) => ({
  [S.partitionKey]: `LOCK#${environment}#${workspace}`,
  [S.sortKey]: LOCK_SK,
});
export const deliveryKey = (channel: string, deliveryId: string) => ({
  [S.partitionKey]: `DELIVERY#${channel}#${deliveryId}`,
  [S.sortKey]: DELIVERY_SK,
});
export const workspacePartition = ({ environment, workspace }: LockScope) =>
  `WORKSPACE#${environment}#${workspace}`;
export const timeOrderKey = (record: Pick<RequestRecord, 'createdAt' | 'id'>) =>
  `${record.createdAt}#${record.id}`;

/** Attributes we add to a record to store it; stripped again when reading. */
const STORAGE_ATTRIBUTES = new Set<string>([
  S.partitionKey,
  S.sortKey,
  GSI1.partitionKey,
  GSI1.sortKey,
  GSI2.partitionKey,
  GSI2.sortKey,
  'entity',
]);

export type Item = Record<string, unknown>;

/** A stored item read back as a record; an item that is not one is a corrupt table, said so. */
export function toRecord(item: Item): RequestRecord {
  const fields = Object.fromEntries(Object.entries(item).filter(([key]) => !STORAGE_ATTRIBUTES.has(key)));
  return requestRecordSchema.parse(fields);
}

export function toLockHolder(item: Item): LockHolder {
  const lock = lockItemSchema.parse(item);
  return { requestId: lock.holder, inputHash: lock.inputHash, expiresAt: lock.expiresAt };
}

export function storedItem(record: RequestRecord): Item {
  return {
    ...record,
    ...requestKey(record.id),
    entity: 'REQUEST',
    [GSI1.partitionKey]: workspacePartition(record),
    [GSI1.sortKey]: timeOrderKey(record),
    [GSI2.partitionKey]: ALL_REQUESTS,
    [GSI2.sortKey]: timeOrderKey(record),
  };
}

export function scopeIssues(scope: LockScope, prefix = ''): { field: string; reason: string }[] {
  const issues: { field: string; reason: string }[] = [];
  for (const field of ['environment', 'workspace'] as const) {
    const value = scope[field];
    if (typeof value !== 'string' || value.length === 0)
      issues.push({ field: `${prefix}${field}`, reason: 'must be a non-empty string' });
    else if (value.includes('#')) issues.push({ field: `${prefix}${field}`, reason: "must not contain '#'" });
  }
  return issues;
}

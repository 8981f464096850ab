/**
 * DynamoDB "requests" table: the request log and the per-workspace lock, in one table.
 *
 * Single-table layout (every key attribute is a string):
 *
 *   item      pk                              sk        gsi1pk / gsi1sk                                gsi2pk / gsi2sk
 *   request   REQUEST#<id>                    REQUEST   WORKSPACE#<env>#<workspace> / <createdAt>#<id>  REQUESTS / <createdAt>#<id>
 *   lock      LOCK#<env>#<workspace>          LOCK      -                                              -
 *
 * - GSI1 (`gsi1`) lists one workspace's requests newest first; GSI2 (`gsi2`) lists all requests
 *   newest first. GSI2 is a single partition on purpose: provisioning requests arrive a few a day,
 *   far below one partition's limits, and one partition is what makes a global "newest first"
 *   listing a Query rather than a Scan. Lock items carry no GSI attributes, so they stay out of both.
 * - `<createdAt>` is an ISO-8601 UTC timestamp, so string order is time order; the `#<id>` suffix
 *   keeps two requests created in the same millisecond distinct and in a stable order.
 * - Lock items hold `holder` (request id), `inputHash`, `expiresAt` (epoch seconds) and `ttl`
 *   (= `expiresAt`). The lock is judged by `expiresAt` in the condition expression; `ttl` only lets
 *   DynamoDB's TTL sweeper (which may lag by days) garbage-collect abandoned locks.
 * - Workspace and environment names cannot contain `#` (see core/request.ts); we refuse it here as
 *   well, so `WORKSPACE#a#b#c` can never mean two different scopes.
 *
 * Records are secret-free by contract: `outputs` holds identifiers and ARNs, never values.
 * Error messages name the operation and the key, never item contents.
 */
import { DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { PermanentError, TransientError, ValidationError, type ProvisionerError } from '../core/errors';
import { logger } from './logger';

export type RequestKind = 'provision' | 'teardown';
export type RequestStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CLEANUP_INCOMPLETE' | 'PLANNED';

export interface RequestSource {
  channel: 'api' | 'jira' | 'servicenow' | 'cli';
  principal?: string;
  sourceIp?: string;
  userAgent?: string;
  ticket?: string;
}

export interface RequestRecord {
  id: string;
  kind: RequestKind;
  workspace: string;
  environment: string;
  status: RequestStatus;
  requestedBy: string;
  source: RequestSource;
  inputHash: string;
  idempotencyKey?: string;
  dryRun: boolean;
  executionArn?: string;
  createdAt: string;
  updatedAt: string;
  /** Secret-free: issuer, clientId, portalUrl, clientSecretArn, or the plan. */
  outputs?: Record<string, unknown>;
  error?: { name: string; message: string };
  leftovers?: string[];
}

export interface LockHolder {
  requestId: string;
  inputHash: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface Page<T> {
  items: T[];
  /** Opaque base64url token; absent on the last page. */
  next?: string;
}

export interface LockScope {
  environment: string;
  workspace: string;
}

export type RequestChanges = Partial<
  Pick<RequestRecord, 'status' | 'executionArn' | 'outputs' | 'error' | 'leftovers'>
>;

export interface ListQuery {
  workspace?: string;
  environment?: string;
  /** 1..100, default 25. */
  limit?: number;
  next?: string;
}

// ---------------------------------------------------------------------------------------------
// Table schema: the one definition local mode, tests and the CDK construct all build from
// ---------------------------------------------------------------------------------------------

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
const GSI1 = S.indexes.byWorkspace;
const GSI2 = S.indexes.byCreatedAt;

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

// ---------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------

const REQUEST_SK = 'REQUEST';
const LOCK_SK = 'LOCK';
const ALL_REQUESTS = 'REQUESTS';

const requestKey = (id: string) => ({ [S.partitionKey]: `REQUEST#${id}`, [S.sortKey]: REQUEST_SK });
const lockKey = ({ environment, workspace }: LockScope) => ({
  [S.partitionKey]: `LOCK#${environment}#${workspace}`,
  [S.sortKey]: LOCK_SK,
});
const workspacePartition = ({ environment, workspace }: LockScope) => `WORKSPACE#${environment}#${workspace}`;
const timeOrderKey = (record: Pick<RequestRecord, 'createdAt' | 'id'>) => `${record.createdAt}#${record.id}`;

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

const FINAL_STATUSES: readonly RequestStatus[] = ['SUCCEEDED', 'FAILED', 'CLEANUP_INCOMPLETE', 'PLANNED'];
const ACTIVE_STATUSES: readonly RequestStatus[] = ['PENDING', 'RUNNING'];

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;
/** A filtered listing reads this many index entries per round trip... */
const FILTERED_PAGE_SIZE = 100;
/** ...and at most this many round trips per call, so one call's cost stays bounded. */
const MAX_FILTERED_ROUNDS = 10;
/** Conditional-write races we re-run before giving up (see acquireLock). */
const LOCK_ATTEMPTS = 3;

type Item = Record<string, unknown>;

function scopeIssues(scope: LockScope, prefix = ''): { field: string; reason: string }[] {
  const issues: { field: string; reason: string }[] = [];
  for (const field of ['environment', 'workspace'] as const) {
    const value = scope[field];
    if (typeof value !== 'string' || value.length === 0)
      issues.push({ field: `${prefix}${field}`, reason: 'must be a non-empty string' });
    else if (value.includes('#')) issues.push({ field: `${prefix}${field}`, reason: "must not contain '#'" });
  }
  return issues;
}

function checkScope(scope: LockScope): void {
  const issues = scopeIssues(scope);
  if (issues.length > 0) throw ValidationError.of(issues, 'Invalid workspace scope');
}

function toRecord(item: Item): RequestRecord {
  const record: Item = {};
  for (const [key, value] of Object.entries(item)) if (!STORAGE_ATTRIBUTES.has(key)) record[key] = value;
  // Only this module writes REQUEST items, always from a complete RequestRecord.
  return record as unknown as RequestRecord;
}

function toLockHolder(item: Item): LockHolder {
  return {
    requestId: String(item.holder),
    inputHash: String(item.inputHash),
    expiresAt: Number(item.expiresAt),
  };
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

function errorName(err: unknown): string {
  return typeof err === 'object' && err !== null && 'name' in err
    ? String((err as { name: unknown }).name)
    : 'Error';
}

const isConditionalCheckFailed = (err: unknown) => errorName(err) === 'ConditionalCheckFailedException';

const TRANSIENT = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TimeoutError',
  'RequestTimeout',
  'ECONNRESET',
  'ECONNREFUSED',
]);

/** Errors raised by our own process before anything was sent (e.g. an unmarshallable value). */
const LOCAL_FAULTS = new Set(['TypeError', 'RangeError', 'SyntaxError', 'ReferenceError']);

/**
 * Messages are composed from the operation, the key and the error's name only: the SDK's own
 * message can quote expression values, and those are item contents. An error without an HTTP
 * status never got an answer (refused, reset, timed out), so it is worth retrying - unless it is a
 * plain programming error raised before sending, which would fail identically on every retry.
 */
function mapAwsError(operation: string, target: string, err: unknown): ProvisionerError {
  const code = (err as { code?: unknown } | null)?.code;
  // Node's network errors are plain `Error`s; their `code` (ECONNREFUSED, ...) is the useful name.
  const kind = errorName(err) === 'Error' && typeof code === 'string' ? code : errorName(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  const noAnswer = status === undefined && !LOCAL_FAULTS.has(kind);
  const message = `DynamoDB ${operation} on '${target}' failed: ${noAnswer ? `${kind} (no answer)` : kind}`;
  const details = { operation, kind, ...(status === undefined ? {} : { status }) };
  if (TRANSIENT.has(kind) || noAnswer || (status ?? 0) >= 500) return new TransientError(message, details);
  return new PermanentError(message, details);
}

// ---------------------------------------------------------------------------------------------
// Paging tokens
// ---------------------------------------------------------------------------------------------

interface ListPlan {
  index: typeof GSI1 | typeof GSI2;
  partition: string;
  filter?: { expression: string; names: Record<string, string>; values: Record<string, string> };
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,2048}$/;

function encodeToken(key: Item): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The start key of an index query: the table key plus the index key of the last item returned. */
function startKeyOf(item: Item, plan: ListPlan): Record<string, string> {
  const key: Record<string, string> = {};
  for (const name of [S.partitionKey, S.sortKey, plan.index.partitionKey, plan.index.sortKey])
    key[name] = String(item[name]);
  return key;
}

/**
 * Tokens are opaque to callers but not trusted: a token must decode to exactly the key shape of the
 * index this query uses, in this query's partition. Anything else (garbage, a token from another
 * listing) is the caller's mistake, reported as such rather than as a DynamoDB failure.
 */
function decodeToken(token: string, plan: ListPlan): Record<string, string> {
  const invalid = () =>
    ValidationError.of(
      [{ field: 'next', reason: 'is not a token returned by a previous page of this listing' }],
      'Invalid listing query',
    );
  if (!TOKEN_PATTERN.test(token)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid();
  const expected = [S.partitionKey, S.sortKey, plan.index.partitionKey, plan.index.sortKey];
  const entries = Object.entries(parsed);
  if (
    entries.length !== expected.length ||
    !entries.every(
      ([name, value]) => expected.includes(name as never) && typeof value === 'string' && value,
    ) ||
    (parsed as Record<string, string>)[plan.index.partitionKey] !== plan.partition
  )
    throw invalid();
  return parsed as Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------------

export class RequestStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => Date;

  /**
   * `client` defaults to one built from the environment (region, credentials and
   * `AWS_ENDPOINT_URL_DYNAMODB`, which local mode points at dynalite).
   */
  constructor(options: { tableName: string; client?: DynamoDBClient; now?: () => Date }) {
    this.tableName = options.tableName;
    this.now = options.now ?? (() => new Date());
    this.doc = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}), {
      // Optional record fields are simply absent; nested `undefined`s in outputs are dropped too.
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  private async send<T>(operation: string, target: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw mapAwsError(operation, target, err);
    }
  }

  /** Conditional put (attribute_not_exists): returns {created:true, record} or {created:false, record: existing}. */
  async create(record: RequestRecord): Promise<{ created: boolean; record: RequestRecord }> {
    const issues = scopeIssues(record);
    if (typeof record.id !== 'string' || record.id.length === 0)
      issues.push({ field: 'id', reason: 'must be a non-empty string' });
    if (issues.length > 0) throw ValidationError.of(issues, 'Invalid request record');

    const item: Item = {
      ...record,
      ...requestKey(record.id),
      entity: 'REQUEST',
      [GSI1.partitionKey]: workspacePartition(record),
      [GSI1.sortKey]: timeOrderKey(record),
      [GSI2.partitionKey]: ALL_REQUESTS,
      [GSI2.sortKey]: timeOrderKey(record),
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': S.partitionKey },
        }),
      );
      return { created: true, record: toRecord(item) };
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw mapAwsError('PutItem', `request ${record.id}`, err);
    }
    // Request items are never deleted, so a failed "not exists" means one is there to read.
    const existing = await this.get(record.id);
    if (!existing)
      throw new TransientError(`DynamoDB PutItem on 'request ${record.id}' raced with a deletion`, {
        operation: 'PutItem',
      });
    return { created: false, record: existing };
  }

  /** Strongly consistent: the status endpoint reads right after a start writes. */
  async get(id: string): Promise<RequestRecord | undefined> {
    const result = await this.send('GetItem', `request ${id}`, () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: requestKey(id), ConsistentRead: true })),
    );
    return result.Item ? toRecord(result.Item) : undefined;
  }

  /**
   * Sets status (and optionally executionArn/outputs/error/leftovers), bumps updatedAt. A final
   * status (SUCCEEDED/FAILED/CLEANUP_INCOMPLETE/PLANNED) never goes back to PENDING/RUNNING: such a
   * write is a late writer that lost a race (e.g. "RUNNING" arriving after Finalize), so its status
   * is dropped - without an error - while its other fields (say, the executionArn) still apply.
   * Updating a request that does not exist is a PermanentError.
   */
  async update(id: string, changes: RequestChanges): Promise<void> {
    const regresses = changes.status !== undefined && ACTIVE_STATUSES.includes(changes.status);
    try {
      await this.applyUpdate(id, changes, regresses);
      return;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw mapAwsError('UpdateItem', `request ${id}`, err);
    }
    const current = await this.get(id);
    if (!current) throw new PermanentError(`Request '${id}' does not exist`, { operation: 'UpdateItem', id });
    logger.info('status change ignored: request already final', {
      requestId: id,
      status: current.status,
      ignored: changes.status,
    });
    const { status: _ignored, ...rest } = changes;
    if (Object.values(rest).every((v) => v === undefined)) return;
    try {
      await this.applyUpdate(id, rest, false);
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw mapAwsError('UpdateItem', `request ${id}`, err);
      throw new PermanentError(`Request '${id}' does not exist`, { operation: 'UpdateItem', id });
    }
  }

  private async applyUpdate(id: string, changes: RequestChanges, guardFinal: boolean): Promise<void> {
    const names: Record<string, string> = { '#pk': S.partitionKey, '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':updatedAt': this.now().toISOString() };
    const sets = ['#updatedAt = :updatedAt'];
    for (const field of ['status', 'executionArn', 'outputs', 'error', 'leftovers'] as const) {
      if (changes[field] === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = changes[field];
      sets.push(`#${field} = :${field}`);
    }
    let condition = 'attribute_exists(#pk)';
    if (guardFinal) {
      // `#status` is already named: guardFinal is only set when the change carries a status.
      const finals = FINAL_STATUSES.map((status, i) => {
        values[`:final${i}`] = status;
        return `:final${i}`;
      });
      condition += ` AND NOT (#status IN (${finals.join(', ')}))`;
    }
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: requestKey(id),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /**
   * Newest first. `workspace`+`environment` query GSI1 (one partition, exact). Anything else
   * queries GSI2 with a filter on `workspace` and/or `environment`; since DynamoDB filters after
   * reading, a filtered call reads up to MAX_FILTERED_ROUNDS pages of the index and may return
   * fewer than `limit` items (even none) together with a `next`: follow `next` until it is absent.
   */
  async list(query: ListQuery): Promise<Page<RequestRecord>> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      throw ValidationError.of(
        [{ field: 'limit', reason: `must be an integer from 1 to ${MAX_LIMIT}` }],
        'Invalid listing query',
      );
    const plan = this.listPlan(query);
    let cursor = query.next === undefined ? undefined : decodeToken(query.next, plan);

    const items: Item[] = [];
    let rounds = 0;
    do {
      const input: QueryCommandInput = {
        TableName: this.tableName,
        IndexName: plan.index.indexName,
        KeyConditionExpression: '#ipk = :partition',
        ExpressionAttributeNames: { '#ipk': plan.index.partitionKey, ...plan.filter?.names },
        ExpressionAttributeValues: { ':partition': plan.partition, ...plan.filter?.values },
        ScanIndexForward: false,
        // Unfiltered: one more than we need tells us whether another page exists, so the last
        // page carries no `next` (DynamoDB alone would hand out a token leading to an empty page).
        Limit: plan.filter ? FILTERED_PAGE_SIZE : limit + 1 - items.length,
        ...(plan.filter ? { FilterExpression: plan.filter.expression } : {}),
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      };
      const page = await this.send('Query', `${plan.index.indexName} ${plan.partition}`, () =>
        this.doc.send(new QueryCommand(input)),
      );
      items.push(...(page.Items ?? []));
      cursor = page.LastEvaluatedKey as Record<string, string> | undefined;
      rounds++;
    } while (items.length <= limit && cursor !== undefined && (!plan.filter || rounds < MAX_FILTERED_ROUNDS));

    if (items.length > limit) {
      const kept = items.slice(0, limit);
      return { items: kept.map(toRecord), next: encodeToken(startKeyOf(kept[limit - 1] as Item, plan)) };
    }
    return { items: items.map(toRecord), ...(cursor ? { next: encodeToken(cursor) } : {}) };
  }

  private listPlan(query: ListQuery): ListPlan {
    const issues: { field: string; reason: string }[] = [];
    for (const field of ['environment', 'workspace'] as const) {
      const value = query[field];
      if (value !== undefined && (typeof value !== 'string' || value.length === 0 || value.includes('#')))
        issues.push({ field, reason: "must be a non-empty string without '#'" });
    }
    if (issues.length > 0) throw ValidationError.of(issues, 'Invalid listing query');

    const { workspace, environment } = query;
    if (workspace !== undefined && environment !== undefined)
      return { index: GSI1, partition: workspacePartition({ environment, workspace }) };
    const names: Record<string, string> = {};
    const values: Record<string, string> = {};
    const clauses: string[] = [];
    for (const [field, value] of [
      ['workspace', workspace],
      ['environment', environment],
    ] as const) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      clauses.push(`#${field} = :${field}`);
    }
    return {
      index: GSI2,
      partition: ALL_REQUESTS,
      ...(clauses.length > 0 ? { filter: { expression: clauses.join(' AND '), names, values } } : {}),
    };
  }

  /**
   * Takes the workspace lock with one conditional write: succeeds if free, expired, or already
   * held by this requestId (re-acquiring extends the expiry). When refused, the holder is read
   * back with a consistent get (dynalite does not return the item with the failed condition); if
   * the lock vanished or expired between the two calls, the write is tried again.
   */
  async acquireLock(
    scope: LockScope,
    holder: { requestId: string; inputHash: string },
    ttlSeconds: number,
  ): Promise<{ acquired: true } | { acquired: false; heldBy: LockHolder }> {
    checkScope(scope);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1)
      throw ValidationError.of(
        [{ field: 'ttlSeconds', reason: 'must be a positive integer' }],
        'Invalid lock',
      );
    if (typeof holder.requestId !== 'string' || holder.requestId.length === 0)
      throw ValidationError.of(
        [{ field: 'requestId', reason: 'must be a non-empty string' }],
        'Invalid lock',
      );
    const target = `lock ${scope.environment}/${scope.workspace}`;

    for (let attempt = 1; attempt <= LOCK_ATTEMPTS; attempt++) {
      const now = this.now();
      const nowSeconds = Math.floor(now.getTime() / 1000);
      const expiresAt = nowSeconds + ttlSeconds;
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...lockKey(scope),
              entity: 'LOCK',
              environment: scope.environment,
              workspace: scope.workspace,
              holder: holder.requestId,
              inputHash: holder.inputHash,
              acquiredAt: now.toISOString(),
              expiresAt,
              [S.ttlAttribute]: expiresAt,
            },
            ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt <= :now OR #holder = :holder',
            ExpressionAttributeNames: {
              '#pk': S.partitionKey,
              '#expiresAt': 'expiresAt',
              '#holder': 'holder',
            },
            ExpressionAttributeValues: { ':now': nowSeconds, ':holder': holder.requestId },
          }),
        );
        return { acquired: true };
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw mapAwsError('PutItem', target, err);
      }
      const current = await this.send('GetItem', target, () =>
        this.doc.send(
          new GetCommand({ TableName: this.tableName, Key: lockKey(scope), ConsistentRead: true }),
        ),
      );
      if (current.Item) {
        const heldBy = toLockHolder(current.Item);
        if (heldBy.expiresAt > Math.floor(this.now().getTime() / 1000)) return { acquired: false, heldBy };
      }
    }
    throw new TransientError(`DynamoDB PutItem on '${target}' kept racing with other lock holders`, {
      operation: 'PutItem',
    });
  }

  /** Releases only if held by requestId (conditional delete); a lock already gone or held by another is left as is. */
  async releaseLock(scope: LockScope, requestId: string): Promise<void> {
    checkScope(scope);
    const target = `lock ${scope.environment}/${scope.workspace}`;
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: lockKey(scope),
          ConditionExpression: '#holder = :holder',
          ExpressionAttributeNames: { '#holder': 'holder' },
          ExpressionAttributeValues: { ':holder': requestId },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw mapAwsError('DeleteItem', target, err);
      logger.info('lock not released: not held by this request', { ...scope, requestId });
    }
  }
}

/**
 * The request log and the per-workspace lock on DynamoDB (layout in ./schema.ts). Error messages
 * name the operation and the key, never item contents.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { PermanentError, TransientError, ValidationError } from '../../core/errors';
import { ACTIVE_STATUSES, FINAL_STATUSES } from '../../core/status';
import { errorName, mapAwsError as mapAws } from '../aws-errors';
import { logger } from '../logger';
import {
  DEFAULT_LIMIT,
  checkLimit,
  decodeToken,
  encodeToken,
  listPlan,
  startKeyOf,
  type ListQuery,
  type Page,
} from './paging';
import {
  REQUESTS_TABLE_SCHEMA as S,
  lockKey,
  requestKey,
  scopeIssues,
  storedItem,
  toLockHolder,
  toRecord,
  type Item,
  type LockHolder,
  type LockScope,
  type RequestChanges,
  type RequestRecord,
} from './schema';
import { startWrite, usedIn, type ConditionalWrite, type StartChange } from './start-writes';

/** A filtered listing reads this many index entries per round trip... */
const FILTERED_PAGE_SIZE = 100;
/** ...and at most this many round trips per call, so one call's cost stays bounded. */
const MAX_FILTERED_ROUNDS = 10;
/** Conditional-write races we re-run before giving up (see acquireLock). */
const LOCK_ATTEMPTS = 3;

const mapAwsError = (operation: string, target: string, err: unknown) =>
  mapAws('DynamoDB', operation, target, err);
const isConditionalCheckFailed = (err: unknown) => errorName(err) === 'ConditionalCheckFailedException';

function checkScope(scope: LockScope): void {
  const issues = scopeIssues(scope);
  if (issues.length > 0) throw ValidationError.of(issues, 'Invalid workspace scope');
}

export class RequestStore {
  private readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
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

    const item = storedItem(record);
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

  /** Records how a request's start went; see ./start-writes.ts for each outcome's condition. */
  async recordStart(id: string, change: StartChange): Promise<boolean> {
    const now = this.now().toISOString();
    if (change.outcome !== 'started') return this.conditionally(id, startWrite(change, now));
    if (await this.conditionally(id, startWrite(change, now))) return true;
    await this.update(id, { status: 'RUNNING', executionArn: change.executionArn });
    return false;
  }

  private async conditionally(id: string, write: ConditionalWrite): Promise<boolean> {
    const expressions = `${write.update} ${write.condition} #pk`;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: requestKey(id),
          UpdateExpression: write.update,
          ConditionExpression: `attribute_exists(#pk) AND (${write.condition})`,
          // DynamoDB refuses names and values the expressions do not use.
          ExpressionAttributeNames: usedIn(expressions, write.names),
          ExpressionAttributeValues: usedIn(expressions, write.values),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw mapAwsError('UpdateItem', `request ${id}`, err);
    }
  }

  private async applyUpdate(id: string, changes: RequestChanges, guardFinal: boolean): Promise<void> {
    const names: Record<string, string> = { '#pk': S.partitionKey, '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':updatedAt': this.now().toISOString() };
    const sets = ['#updatedAt = :updatedAt'];
    for (const field of ['status', 'executionArn', 'outputs', 'error', 'leftovers', 'warnings'] as const) {
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
    checkLimit(limit);
    const plan = listPlan(query);
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

  /**
   * Takes the workspace lock with one conditional write: succeeds if free, expired, or already
   * held by this requestId for this same input (re-acquiring extends the expiry). A holder's input
   * hash is never overwritten: the lock always describes the run that holds it. When refused, the holder is read
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
            ConditionExpression:
              'attribute_not_exists(#pk) OR #expiresAt <= :now OR (#holder = :holder AND #inputHash = :hash)',
            ExpressionAttributeNames: {
              '#pk': S.partitionKey,
              '#expiresAt': 'expiresAt',
              '#holder': 'holder',
              '#inputHash': 'inputHash',
            },
            ExpressionAttributeValues: {
              ':now': nowSeconds,
              ':holder': holder.requestId,
              ':hash': holder.inputHash,
            },
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

  /**
   * Releases only if held by requestId (and, when given, for that input): a conditional delete; a
   * lock already gone or held by another is left as is.
   */
  async releaseLock(scope: LockScope, requestId: string, inputHash?: string): Promise<void> {
    checkScope(scope);
    const target = `lock ${scope.environment}/${scope.workspace}`;
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: lockKey(scope),
          ConditionExpression:
            inputHash === undefined ? '#holder = :holder' : '#holder = :holder AND #inputHash = :hash',
          ExpressionAttributeNames: {
            '#holder': 'holder',
            ...(inputHash === undefined ? {} : { '#inputHash': 'inputHash' }),
          },
          ExpressionAttributeValues: {
            ':holder': requestId,
            ...(inputHash === undefined ? {} : { ':hash': inputHash }),
          },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw mapAwsError('DeleteItem', target, err);
      logger.info('lock not released: not held by this request', { ...scope, requestId });
    }
  }
}

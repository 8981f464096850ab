// Intent: the request log and the workspace lock behave as the API and the workflow rely on,
// through the real AWS SDK v3 clients against dynalite on loopback: creating a request twice is
// one request, a finished request never looks running again, listings are newest first and page
// with opaque tokens, exactly one of many concurrent requests gets a workspace's lock, data
// survives a restart in local mode, and local mode creates the table requestsTableDefinition declares
// (the CDK construct builds from the same schema; its template is checked under test/infra).
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RequestStore, requestsTableDefinition, type RequestRecord } from '../../lambdas/clients/requests';
import type { RequestStatus } from '../../lambdas/core/status';
import { PermanentError, TransientError, ValidationError } from '../../lambdas/core/errors';
import { ensureRequestsTable, startDynamoDb, type LocalDynamoDb } from '../../local/dynamodb';

const clientFor = (endpoint: string, maxAttempts?: number) =>
  new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  });

let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let tables = 0;

/** A fresh table per test keeps the global listing (GSI2) free of other tests' records. */
async function freshStore(now?: () => Date): Promise<RequestStore> {
  const tableName = `requests-${++tables}`;
  await ensureRequestsTable(client, tableName);
  return new RequestStore({ tableName, client, ...(now ? { now } : {}) });
}

function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: 'req-1',
    kind: 'provision',
    workspace: 'team-a',
    environment: 'dev',
    status: 'PENDING',
    requestedBy: 'alice@example.com',
    source: { channel: 'api', principal: 'arn:aws:iam::123456789012:user/alice', sourceIp: '10.0.0.1' },
    inputHash: 'hash-1',
    idempotencyKey: 'key-1',
    dryRun: false,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

beforeAll(async () => {
  dynamo = await startDynamoDb();
  client = clientFor(dynamo.endpoint);
});
afterAll(async () => {
  client.destroy();
  await dynamo.close();
});

describe('request records', () => {
  it('creates a record once; a second create returns the existing one', async () => {
    const store = await freshStore();
    const first = await store.create(record());
    const second = await store.create(record({ requestedBy: 'mallory@example.com', inputHash: 'other' }));
    expect(first).toEqual({ created: true, record: record() });
    expect(second).toEqual({ created: false, record: record() });
    expect(await store.get('req-1')).toEqual(record());
    expect(await store.get('req-unknown')).toBeUndefined();
  });

  it('updates status and outputs, bumping updatedAt', async () => {
    const store = await freshStore(() => new Date('2025-01-01T00:05:00.000Z'));
    await store.create(record());
    await store.update('req-1', {
      status: 'RUNNING',
      executionArn: 'arn:aws:states:us-east-1:1:execution:sm:x',
    });
    await store.update('req-1', {
      status: 'SUCCEEDED',
      outputs: { issuer: 'https://example.okta.com/oauth2/aus1', clientId: '0oa1', nested: { n: 1 } },
    });
    expect(await store.get('req-1')).toEqual(
      record({
        status: 'SUCCEEDED',
        executionArn: 'arn:aws:states:us-east-1:1:execution:sm:x',
        outputs: { issuer: 'https://example.okta.com/oauth2/aus1', clientId: '0oa1', nested: { n: 1 } },
        updatedAt: '2025-01-01T00:05:00.000Z',
      }),
    );
  });

  it.each<RequestStatus>(['SUCCEEDED', 'FAILED', 'CLEANUP_INCOMPLETE', 'PLANNED'])(
    'never moves %s back to PENDING or RUNNING, but still applies the other fields',
    async (final) => {
      const store = await freshStore();
      await store.create(record());
      await store.update('req-1', { status: final, error: { name: 'PermanentError', message: 'x' } });
      await store.update('req-1', { status: 'RUNNING', executionArn: 'arn:late' });
      await store.update('req-1', { status: 'PENDING' });
      const stored = await store.get('req-1');
      expect(stored?.status).toBe(final);
      expect(stored?.executionArn).toBe('arn:late');
      expect(stored?.error).toEqual({ name: 'PermanentError', message: 'x' });
    },
  );

  it('lets one final status follow another (a rollback that could not finish)', async () => {
    const store = await freshStore();
    await store.create(record());
    await store.update('req-1', { status: 'FAILED' });
    await store.update('req-1', { status: 'CLEANUP_INCOMPLETE', leftovers: ['okta app 0oa1'] });
    expect(await store.get('req-1')).toMatchObject({
      status: 'CLEANUP_INCOMPLETE',
      leftovers: ['okta app 0oa1'],
    });
  });

  it('records a start: failed only while unstarted, reopened only from a failed start, healed when it ran', async () => {
    const store = await freshStore();
    await store.create(record());
    expect(await store.recordStart('req-1', { outcome: 'reopened' })).toBe(false); // nothing failed
    expect(await store.recordStart('req-1', { outcome: 'failed' })).toBe(true);
    expect(await store.get('req-1')).toMatchObject({ status: 'FAILED', error: { name: 'StartFailed' } });
    expect(await store.recordStart('req-1', { outcome: 'failed' })).toBe(false);
    // Another caller's start went through after all: the run is RUNNING and the error is gone.
    expect(await store.recordStart('req-1', { outcome: 'started', executionArn: 'arn:x' })).toBe(true);
    const running = await store.get('req-1');
    expect(running).toMatchObject({ status: 'RUNNING', executionArn: 'arn:x' });
    expect(running?.error).toBeUndefined();
    expect(await store.recordStart('req-1', { outcome: 'failed' })).toBe(false);

    await store.create(record({ id: 'req-2' }));
    await store.recordStart('req-2', { outcome: 'failed' });
    expect(await store.recordStart('req-2', { outcome: 'reopened' })).toBe(true);
    expect(await store.recordStart('req-2', { outcome: 'reopened' })).toBe(false); // one repeat wins
    expect(await store.get('req-2')).toMatchObject({ status: 'PENDING' });

    // Any other final state stays: a start recorded late only adds its ARN.
    await store.create(record({ id: 'req-3' }));
    await store.update('req-3', { status: 'SUCCEEDED' });
    expect(await store.recordStart('req-3', { outcome: 'started', executionArn: 'arn:y' })).toBe(false);
    expect(await store.get('req-3')).toMatchObject({ status: 'SUCCEEDED', executionArn: 'arn:y' });
    expect(await store.recordStart('req-3', { outcome: 'reopened' })).toBe(false);
  });

  it('refuses to update a request that does not exist', async () => {
    const store = await freshStore();
    await expect(store.update('req-missing', { status: 'RUNNING' })).rejects.toBeInstanceOf(PermanentError);
    await expect(store.update('req-missing', { status: 'FAILED' })).rejects.toThrow(
      "Request 'req-missing' does not exist",
    );
  });

  it('reports DynamoDB failures without item contents', async () => {
    const store = await freshStore();
    // Over DynamoDB's 400 KB item limit: a ValidationException from the service.
    const oversized = record({ outputs: { blob: 'MARKER-'.repeat(70_000) } });
    const err = await store.create(oversized).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toBe("DynamoDB PutItem on 'request req-1' failed: ValidationException");
    expect(JSON.stringify(err)).not.toContain('MARKER');
  });

  it('maps an endpoint that does not answer to a TransientError', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const offline = clientFor(`http://127.0.0.1:${port}`, 1);
    const store = new RequestStore({ tableName: 'requests', client: offline });
    const err = await store.get('req-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    // Under jest the SDK wraps Node's ECONNREFUSED (an Error from another realm) as a plain
    // "AWS SDK error wrapper", so only Lambda/tsx see the code; either way there was no answer.
    expect((err as Error).message).toMatch(
      /^DynamoDB GetItem on 'request req-1' failed: (ECONNREFUSED|Error) \(no answer\)$/,
    );
    offline.destroy();
  });
});

describe('listing', () => {
  let store: RequestStore;
  const at = (minute: number) => `2025-01-01T00:0${minute}:00.000Z`;

  beforeAll(async () => {
    store = await freshStore();
    // Five in dev/team-a, interleaved with others, created out of order.
    for (const minute of [3, 1, 5, 2, 4])
      await store.create(record({ id: `a-${minute}`, createdAt: at(minute), updatedAt: at(minute) }));
    await store.create(record({ id: 'b-dev', workspace: 'team-b', createdAt: at(6), updatedAt: at(6) }));
    await store.create(record({ id: 'a-prod', environment: 'prod', createdAt: at(7), updatedAt: at(7) }));
  });

  async function all(query: Parameters<RequestStore['list']>[0]): Promise<string[][]> {
    const pages: string[][] = [];
    let next: string | undefined;
    do {
      const page = await store.list({ ...query, ...(next ? { next } : {}) });
      pages.push(page.items.map((r) => r.id));
      next = page.next;
    } while (next && pages.length < 20);
    return pages;
  }

  it('pages one workspace newest first (GSI1); the last page has no next', async () => {
    const first = await store.list({ environment: 'dev', workspace: 'team-a', limit: 2 });
    expect(first.items.map((r) => r.id)).toEqual(['a-5', 'a-4']);
    expect(first.next).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(first.items[0]).toEqual(record({ id: 'a-5', createdAt: at(5), updatedAt: at(5) }));
    expect(await all({ environment: 'dev', workspace: 'team-a', limit: 2 })).toEqual([
      ['a-5', 'a-4'],
      ['a-3', 'a-2'],
      ['a-1'],
    ]);
  });

  it('lists everything newest first (GSI2)', async () => {
    expect(await all({ limit: 3 })).toEqual([['a-prod', 'b-dev', 'a-5'], ['a-4', 'a-3', 'a-2'], ['a-1']]);
    expect((await store.list({})).items).toHaveLength(7);
  });

  it('filters by workspace alone or by environment alone', async () => {
    expect((await all({ workspace: 'team-a', limit: 2 })).flat()).toEqual([
      'a-prod',
      'a-5',
      'a-4',
      'a-3',
      'a-2',
      'a-1',
    ]);
    expect(await all({ workspace: 'team-a', limit: 2 })).toEqual([
      ['a-prod', 'a-5'],
      ['a-4', 'a-3'],
      ['a-2', 'a-1'],
    ]);
    expect((await all({ environment: 'prod' })).flat()).toEqual(['a-prod']);
    expect((await all({ workspace: 'nobody' })).flat()).toEqual([]);
  });

  it.each([0, 101, 2.5, Number.NaN])('refuses limit %p', async (limit) => {
    const err = await store.list({ limit }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.field)).toEqual(['limit']);
  });

  it('refuses a malformed next token, or one from another listing', async () => {
    const fromWorkspace = (await store.list({ environment: 'dev', workspace: 'team-a', limit: 1 }))
      .next as string;
    const fromOtherWorkspace = (await store.list({ environment: 'dev', workspace: 'team-b', limit: 1 })).next;
    expect(fromOtherWorkspace).toBeUndefined();
    for (const [query, next] of [
      [{}, 'not a token!'],
      [{}, Buffer.from('[1,2]').toString('base64url')],
      [{}, Buffer.from('{"pk":"x"').toString('base64url')],
      [{}, fromWorkspace],
      [{ environment: 'prod', workspace: 'team-a' }, fromWorkspace],
    ] as const) {
      const err = await store.list({ ...query, next }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues.map((i) => i.field)).toEqual(['next']);
    }
  });
});

describe('workspace lock', () => {
  const scope = { environment: 'dev', workspace: 'team-a' };
  let clock: Date;
  let store: RequestStore;

  beforeEach(async () => {
    clock = new Date('2025-01-01T00:00:00.000Z');
    store = await freshStore(() => clock);
  });

  it('is held by one request at a time; the holder can re-acquire it', async () => {
    expect(await store.acquireLock(scope, { requestId: 'req-1', inputHash: 'h1' }, 60)).toEqual({
      acquired: true,
    });
    expect(await store.acquireLock(scope, { requestId: 'req-2', inputHash: 'h2' }, 60)).toEqual({
      acquired: false,
      heldBy: { requestId: 'req-1', inputHash: 'h1', expiresAt: clock.getTime() / 1000 + 60 },
    });
    // Another workspace, or the same name in another environment, is a different lock.
    expect(
      await store.acquireLock({ ...scope, environment: 'prod' }, { requestId: 'req-2', inputHash: 'h2' }, 60),
    ).toEqual({ acquired: true });
    clock = new Date(clock.getTime() + 30_000);
    expect(await store.acquireLock(scope, { requestId: 'req-1', inputHash: 'h1' }, 60)).toEqual({
      acquired: true,
    });
    // Re-acquiring extended the expiry.
    expect(await store.acquireLock(scope, { requestId: 'req-2', inputHash: 'h2' }, 60)).toMatchObject({
      heldBy: { expiresAt: clock.getTime() / 1000 + 60 },
    });
  });

  it('lets another request take over an expired lock', async () => {
    await store.acquireLock(scope, { requestId: 'req-1', inputHash: 'h1' }, 60);
    clock = new Date(clock.getTime() + 59_000);
    expect(await store.acquireLock(scope, { requestId: 'req-2', inputHash: 'h2' }, 60)).toMatchObject({
      acquired: false,
    });
    clock = new Date(clock.getTime() + 1_000);
    expect(await store.acquireLock(scope, { requestId: 'req-2', inputHash: 'h2' }, 60)).toEqual({
      acquired: true,
    });
    expect(await store.acquireLock(scope, { requestId: 'req-1', inputHash: 'h1' }, 60)).toMatchObject({
      heldBy: { requestId: 'req-2' },
    });
  });

  it('is released only by its holder', async () => {
    await store.acquireLock(scope, { requestId: 'req-1', inputHash: 'h1' }, 60);
    await store.releaseLock(scope, 'req-2');
    expect(await store.acquireLock(scope, { requestId: 'req-2', inputHash: 'h2' }, 60)).toMatchObject({
      acquired: false,
      heldBy: { requestId: 'req-1' },
    });
    await store.releaseLock(scope, 'req-1');
    await store.releaseLock(scope, 'req-1'); // already gone: fine
    expect(await store.acquireLock(scope, { requestId: 'req-2', inputHash: 'h2' }, 60)).toEqual({
      acquired: true,
    });
  });

  it('goes to exactly one of ten concurrent requests', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `req-${i}`);
    const results = await Promise.all(
      ids.map((requestId) => store.acquireLock(scope, { requestId, inputHash: `h-${requestId}` }, 60)),
    );
    const winners = ids.filter((_, i) => results[i]?.acquired);
    expect(winners).toHaveLength(1);
    for (const result of results)
      if (!result.acquired)
        expect(result.heldBy).toMatchObject({ requestId: winners[0], inputHash: `h-${winners[0]}` });
  });

  it('refuses a bad ttl or a scope that could collide with another key', async () => {
    await expect(store.acquireLock(scope, { requestId: 'r', inputHash: 'h' }, 0)).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      store.acquireLock({ environment: 'dev#x', workspace: 'a' }, { requestId: 'r', inputHash: 'h' }, 60),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('local mode', () => {
  it('keeps data in a data directory across restarts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'requests-'));
    try {
      const first = await startDynamoDb({ dataDir });
      const firstClient = clientFor(first.endpoint);
      await ensureRequestsTable(firstClient, 'requests');
      const writer = new RequestStore({ tableName: 'requests', client: firstClient });
      await writer.create(record());
      await writer.acquireLock(
        { environment: 'dev', workspace: 'team-a' },
        { requestId: 'req-1', inputHash: 'h' },
        3600,
      );
      // A second server on the same directory would hang on LevelDB's lock: refused up front.
      await expect(startDynamoDb({ dataDir })).rejects.toThrow('already open');
      firstClient.destroy();
      await first.close();

      const second = await startDynamoDb({ dataDir });
      const secondClient = clientFor(second.endpoint);
      await ensureRequestsTable(secondClient, 'requests'); // already there: no-op
      const reader = new RequestStore({ tableName: 'requests', client: secondClient });
      expect(await reader.get('req-1')).toEqual(record());
      expect((await reader.list({ workspace: 'team-a', environment: 'dev' })).items).toHaveLength(1);
      expect(
        await reader.acquireLock(
          { environment: 'dev', workspace: 'team-a' },
          { requestId: 'req-2', inputHash: 'h' },
          60,
        ),
      ).toMatchObject({ acquired: false, heldBy: { requestId: 'req-1' } });
      secondClient.destroy();
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('table definition', () => {
  it('is what local mode creates', async () => {
    const tableName = `requests-${++tables}`;
    await ensureRequestsTable(client, tableName);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.KeySchema).toEqual(requestsTableDefinition.KeySchema);
    expect(Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema, i.Projection])).toEqual(
      requestsTableDefinition.GlobalSecondaryIndexes.map((i) => [i.IndexName, i.KeySchema, i.Projection]),
    );
  });
});

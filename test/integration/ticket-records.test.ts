// Intent: the records that make ticket handling exactly-once hold under concurrency, through the
// real AWS SDK against dynalite: of 20 concurrent deliveries with one id exactly one binds it and
// the rest read that binding back; a delivery id expires after its TTL attribute; an answer is
// claimed by one invocation at a time, a live claim is busy, a lapsed or failed one can be taken
// over, a posted one is done for good; an ended run's outcome is recorded only while its record
// is still active, and its end is counted once.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  AnswerClaims,
  DeliveryLog,
  RequestStore,
  RunEnds,
  deliveryKey,
  requestKey,
  type RequestRecord,
} from '../../lambdas/clients/requests';
import { ensureRequestsTable, startDynamoDb, type LocalDynamoDb } from '../../local/dynamodb';

let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let tables = 0;
const TTL = 24 * 3600;

beforeAll(async () => {
  dynamo = await startDynamoDb();
  client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: dynamo.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterAll(async () => {
  client.destroy();
  await dynamo.close();
});

async function freshTable(): Promise<string> {
  const tableName = `tickets-${++tables}`;
  await ensureRequestsTable(client, tableName);
  return tableName;
}

const record = (overrides: Partial<RequestRecord> = {}): RequestRecord => ({
  id: 'req-1',
  kind: 'provision',
  workspace: 'team-a',
  environment: 'dev',
  status: 'RUNNING',
  requestedBy: 'Mia Krystof (jira:5b10)',
  source: { channel: 'jira', principal: 'jira', ticket: 'KPP-1', ticketId: '10010' },
  inputHash: 'h',
  dryRun: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

const delivery = (requestId: string) => ({
  channel: 'jira' as const,
  deliveryId: 'b1a2c3d4-0000-4000-8000-000000000001',
  requestId,
  ticket: 'KPP-1',
  ticketId: '10010',
  outcome: 'accepted' as const,
});

describe('the delivery log', () => {
  it('binds a delivery id once, however many deliveries race for it', async () => {
    const log = new DeliveryLog({ tableName: await freshTable(), client, ttlSeconds: TTL });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => log.bind(delivery(`req-${i}`))));
    expect(results.filter((r) => r.first)).toHaveLength(1);
    const winner = results.find((r) => r.first)?.delivery.requestId;
    // Every loser is answered with the winner's request.
    expect(new Set(results.map((r) => r.delivery.requestId))).toEqual(new Set([winner]));
  });

  it('keeps a delivery id for its TTL (DynamoDB expires it by the ttl attribute)', async () => {
    const tableName = await freshTable();
    const now = new Date('2026-06-01T12:00:00Z');
    await new DeliveryLog({ tableName, client, ttlSeconds: TTL, now: () => now }).bind(delivery('req-1'));
    const item = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: marshallKey(deliveryKey('jira', delivery('x').deliveryId)),
      }),
    );
    expect(Number(item.Item?.ttl?.N)).toBe(now.getTime() / 1000 + TTL);
  });

  it('records a rejection that came after the binding', async () => {
    const log = new DeliveryLog({ tableName: await freshTable(), client, ttlSeconds: TTL });
    await log.bind(delivery('req-1'));
    await log.markRejected('jira', delivery('x').deliveryId, [{ field: 'workspace', reason: 'is busy' }]);
    expect(await log.get('jira', delivery('x').deliveryId)).toMatchObject({
      outcome: 'rejected',
      issues: [{ field: 'workspace', reason: 'is busy' }],
    });
  });
});

function marshallKey(key: Record<string, string>) {
  return Object.fromEntries(Object.entries(key).map(([k, v]) => [k, { S: v }]));
}

describe('answer claims', () => {
  let clock = Date.parse('2026-06-01T12:00:00Z');
  const now = () => new Date(clock);

  async function withRecord() {
    const tableName = await freshTable();
    await new RequestStore({ tableName, client }).create(record());
    return {
      claims: new AnswerClaims({ tableName, client, now }),
      store: new RequestStore({ tableName, client }),
      key: requestKey('req-1'),
    };
  }

  it('lets exactly one of many concurrent invocations claim an answer', async () => {
    const { claims, key } = await withRecord();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => claims.claim(key, 'request req-1', 60_000)),
    );
    expect(results.filter((r) => r.outcome === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'busy')).toHaveLength(19);
  });

  it('is done for good once posted, and visible on the request', async () => {
    const { claims, key, store } = await withRecord();
    const claim = await claims.claim(key, 'request req-1', 60_000);
    expect(claim).toEqual({ outcome: 'claimed', attempt: 1, takeover: false });
    await claims.posted(key, 'request req-1', 1, '10042');
    expect(await claims.claim(key, 'request req-1', 60_000)).toEqual({ outcome: 'done' });
    expect((await store.get('req-1'))?.ticketAnswer).toMatchObject({
      state: 'POSTED',
      attempts: 1,
      commentId: '10042',
    });
  });

  it('can be claimed again at once after a failed attempt, and after a lapsed lease as a takeover', async () => {
    const { claims, key } = await withRecord();
    await claims.claim(key, 'r', 60_000);
    await claims.failed(key, 'r', 1, 'TransientError');
    expect(await claims.claim(key, 'r', 60_000)).toEqual({ outcome: 'claimed', attempt: 2, takeover: false });
    expect((await claims.claim(key, 'r', 60_000)).outcome).toBe('busy');
    clock += 61_000;
    expect(await claims.claim(key, 'r', 60_000)).toEqual({ outcome: 'claimed', attempt: 3, takeover: true });
    // The lapsed claimer's late "posted" no longer counts: the takeover owns the answer now.
    await claims.posted(key, 'r', 2);
    expect((await claims.claim(key, 'r', 60_000)).outcome).toBe('busy');
  });

  it('says when there is nothing to answer about', async () => {
    const claims = new AnswerClaims({ tableName: await freshTable(), client, now });
    expect(await claims.claim(requestKey('req-none'), 'r', 1000)).toEqual({ outcome: 'missing' });
  });
});

describe('run ends', () => {
  it('records an outcome only while the request is still active', async () => {
    const tableName = await freshTable();
    const store = new RequestStore({ tableName, client });
    const ends = new RunEnds({ tableName, client });
    await store.create(record({ id: 'req-active' }));
    await store.create(record({ id: 'req-final', status: 'SUCCEEDED' }));
    const outcome = {
      status: 'CLEANUP_INCOMPLETE' as const,
      error: { name: 'ABORTED', message: 'stopped' },
      leftovers: ['okta-app:x'],
    };
    expect(await ends.settle('req-active', outcome)).toBe(true);
    expect(await ends.settle('req-final', outcome)).toBe(false);
    expect(await ends.settle('req-active', { status: 'FAILED' })).toBe(false);
    expect(await store.get('req-active')).toMatchObject(outcome);
    expect((await store.get('req-final'))?.status).toBe('SUCCEEDED');
  });

  it('counts the end of an execution once, however often its event comes', async () => {
    const tableName = await freshTable();
    await new RequestStore({ tableName, client }).create(record());
    const ends = new RunEnds({ tableName, client });
    const seen = await Promise.all(Array.from({ length: 5 }, () => ends.observe('req-1', 'arn:exec:req-1')));
    expect(seen.filter(Boolean)).toHaveLength(1);
  });
});

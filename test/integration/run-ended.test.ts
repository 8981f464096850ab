// Intent: the run-ended handler brings a request in line with how its execution really ended,
// whatever Finalize managed to record, on dynalite through the real AWS SDK: an outcome Finalize
// could not record is recorded (FinalizeFailed -> CLEANUP_INCOMPLETE with the reason; a success
// whose output EventBridge left out is read from the execution), the lock is released only while
// this request holds it, a recorded outcome is never overwritten, a repeated event is counted once,
// and events it does not know are ignored without an error (retrying cannot make them valid).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AnswerClaims,
  DeliveryLog,
  RequestStore,
  RunEnds,
  type RequestRecord,
} from '../../lambdas/clients/requests';
import { handleRunEvent, type RunEndedDeps } from '../../lambdas/events/run-ended';
import { powertoolsMetrics } from '../../lambdas/events/metrics';
import { ensureRequestsTable, startDynamoDb, type LocalDynamoDb } from '../../local/dynamodb';
import { RecordingExecutions, STATE_MACHINES } from '../support/recording-executions';

let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynamoDb();
  client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: dynamo.endpoint,
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
  });
});
afterAll(async () => {
  client.destroy();
  await dynamo.close();
});

async function setup() {
  const tableName = `run-ended-${++tables}`;
  await ensureRequestsTable(client, tableName);
  const store = new RequestStore({ tableName, client });
  const executions = new RecordingExecutions();
  const emf: Array<Record<string, unknown>> = [];
  const deps: RunEndedDeps = {
    store,
    runEnds: new RunEnds({ tableName, client }),
    deliveries: new DeliveryLog({ tableName, client, ttlSeconds: 86_400 }),
    executions,
    stateMachines: STATE_MACHINES,
    notifier: {
      claims: new AnswerClaims({ tableName, client }),
      leaseMs: 1000,
      attempts: 1,
      backoffMs: 0,
      sleep: async () => undefined,
    },
    metrics: () => powertoolsMetrics('Test', (doc) => emf.push(doc)),
  };
  return { deps, store, executions, emf };
}

const record = (id: string, overrides: Partial<RequestRecord> = {}): RequestRecord => ({
  id,
  kind: 'provision',
  workspace: 'team-a',
  environment: 'dev',
  status: 'RUNNING',
  requestedBy: 'alice',
  source: { channel: 'api', principal: 'arn:aws:iam::1:user/alice' },
  inputHash: 'h',
  dryRun: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

const ended = (id: string, status: string, detail: Record<string, unknown> = {}) => ({
  version: '0',
  id: `evt-${id}-${status}`,
  'detail-type': 'Step Functions Execution Status Change',
  source: 'aws.states',
  account: '000000000000',
  time: '2026-06-01T12:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    executionArn: `${STATE_MACHINES.provision.replace(':stateMachine:', ':execution:')}:${id}`,
    stateMachineArn: STATE_MACHINES.provision,
    name: id,
    status,
    startDate: 1_800_000_000_000,
    stopDate: 1_800_000_004_000,
    input: '{}',
    output: null,
    ...detail,
  },
});

const lockOf = (store: RequestStore, id: string) =>
  store.acquireLock({ environment: 'dev', workspace: 'team-a' }, { requestId: id, inputHash: 'h' }, 3600);

it('records a run whose Finalize failed as CLEANUP_INCOMPLETE with the reason, and frees its lock', async () => {
  const { deps, store, emf } = await setup();
  await store.create(record('req-1'));
  await lockOf(store, 'req-1');
  await handleRunEvent(
    deps,
    ended('req-1', 'FAILED', {
      error: 'FinalizeFailed',
      cause: 'The rollback ran but its outcome could not be recorded',
    }),
  );
  expect(await store.get('req-1')).toMatchObject({
    status: 'CLEANUP_INCOMPLETE',
    error: { name: 'FinalizeFailed', message: 'The rollback ran but its outcome could not be recorded' },
  });
  expect((await lockOf(store, 'req-other')).acquired).toBe(true);
  expect(emf).toEqual(
    expect.arrayContaining([expect.objectContaining({ RunsReconciled: 1, outcome: 'CLEANUP_INCOMPLETE' })]),
  );
  expect(emf).toEqual(
    expect.arrayContaining([expect.objectContaining({ RunDuration: 4000, kind: 'provision' })]),
  );
});

it('names, for a run whose Finalize failed after its rollback, what the undos that did not finish left', async () => {
  const { deps, store, executions } = await setup();
  await store.create(record('req-5'));
  executions.end('provision', 'req-5', 'FAILED');
  executions.ran('provision', 'req-5', [
    { name: 'ValidatePlan', ended: 'SUCCEEDED' },
    { name: 'ResolvePortal', ended: 'SUCCEEDED' },
    { name: 'ResolveOktaInputs', ended: 'SUCCEEDED' },
    { name: 'CreateOktaApp', ended: 'SUCCEEDED' },
    { name: 'AssignGroups', ended: 'FAILED' },
    { name: 'UnassignGroups', ended: 'SUCCEEDED' },
    { name: 'DeleteOktaApp', ended: 'FAILED' },
    { name: 'FinalizeFailed', ended: 'FAILED' },
  ]);
  await handleRunEvent(
    deps,
    ended('req-5', 'FAILED', { error: 'FinalizeFailed', cause: 'could not record' }),
  );
  const leftovers = (await store.get('req-5'))?.leftovers ?? [];
  expect(leftovers.some((l) => l.startsWith('okta-app:'))).toBe(true);
  expect(leftovers.some((l) => l.startsWith('secret:') && l.endsWith('client-secret'))).toBe(true);
  expect(leftovers.some((l) => l.startsWith('okta-group-assignments:'))).toBe(false); // its undo finished
  expect(leftovers.some((l) => l.startsWith('okta-authorization-server:'))).toBe(false); // never started
});

it('records a run stopped before any step that changes something as FAILED, with nothing left over', async () => {
  const { deps, store, executions } = await setup();
  await store.create(record('req-6'));
  executions.end('provision', 'req-6', 'ABORTED');
  executions.ran('provision', 'req-6', [{ name: 'ValidatePlan', ended: 'RUNNING' }]);
  await handleRunEvent(deps, ended('req-6', 'ABORTED'));
  expect(await store.get('req-6')).toMatchObject({
    status: 'FAILED',
    error: { name: 'ABORTED', message: 'The run was stopped before it had changed anything' },
    leftovers: [],
  });
});

it('frees the lock of a run whose Finalize recorded the outcome but could not release the lock', async () => {
  const { deps, store } = await setup();
  await store.create(record('req-7', { status: 'SUCCEEDED', outputs: { portalUrl: 'p' } }));
  await lockOf(store, 'req-7');
  await handleRunEvent(deps, ended('req-7', 'SUCCEEDED', { output: '{}' }));
  expect((await lockOf(store, 'req-next')).acquired).toBe(true);
});

it('reads a success whose output the event left out from the execution', async () => {
  const { deps, store, executions } = await setup();
  await store.create(record('req-2'));
  const output = {
    status: 'SUCCEEDED',
    requestId: 'req-2',
    portalUrl: 'https://portal/team-a',
    clientSecretArn: 'arn:secret',
  };
  executions.end('provision', 'req-2', 'SUCCEEDED', { output: JSON.stringify(output) });
  await handleRunEvent(
    deps,
    ended('req-2', 'SUCCEEDED', { output: null, outputDetails: { included: false } }),
  );
  expect(await store.get('req-2')).toMatchObject({
    status: 'SUCCEEDED',
    outputs: { portalUrl: 'https://portal/team-a' },
  });
});

it('never overwrites a recorded outcome, nor frees a lock a newer request holds, and counts a repeated event once', async () => {
  const { deps, store, emf } = await setup();
  await store.create(record('req-3', { status: 'SUCCEEDED', outputs: { portalUrl: 'p' } }));
  await lockOf(store, 'req-newer');
  for (let i = 0; i < 3; i++) await handleRunEvent(deps, ended('req-3', 'ABORTED'));
  expect(await store.get('req-3')).toMatchObject({ status: 'SUCCEEDED', outputs: { portalUrl: 'p' } });
  expect((await lockOf(store, 'req-someone')).acquired).toBe(false);
  expect(emf.filter((d) => d.RunsEnded !== undefined && d.outcome === undefined)).toHaveLength(1);
});

it('ignores events it does not handle, and executions of other state machines', async () => {
  const { deps, store } = await setup();
  await store.create(record('req-4'));
  await expect(handleRunEvent(deps, { source: 'aws.ec2', detail: {} })).resolves.toBeUndefined();
  await expect(handleRunEvent(deps, 'not an event')).resolves.toBeUndefined();
  await handleRunEvent(deps, ended('req-4', 'RUNNING'));
  const foreign = ended('req-4', 'ABORTED');
  (foreign.detail as Record<string, unknown>).stateMachineArn =
    'arn:aws:states:us-east-1:000000000000:stateMachine:other';
  await handleRunEvent(deps, foreign);
  expect((await store.get('req-4'))?.status).toBe('RUNNING');
});

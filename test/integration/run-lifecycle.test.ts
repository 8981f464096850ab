// Intent: the rules that make a request safe to accept, whichever front door it came in by, on the
// real request store (dynalite) with a recording stand-in for Step Functions: one execution per
// request however often it is repeated, a failed start undone, a request accepted but never
// started started on retry, a lock left by a dead or finished run taken over, and identical
// requests with and without an Idempotency-Key answered as the API promises.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RequestStore } from '../../lambdas/clients/requests';
import { ConflictError, TransientError, ValidationError } from '../../lambdas/core/errors';
import { inputHash, requestIdFromKey } from '../../lambdas/core/idempotency';
import { parseProvisioningRequest, parseTeardownRequest } from '../../lambdas/core/request';
import { acceptRun, type RunRequest } from '../../lambdas/runs/accept';
import type { RunDeps } from '../../lambdas/runs/deps';
import { provisioningRun, teardownRun } from '../../lambdas/runs/requests';
import { viewRun } from '../../lambdas/runs/view';
import { ensureRequestsTable, startDynamoDb, type LocalDynamoDb } from '../../local/dynamodb';
import { rejection } from '../support/rejection';
import { RecordingExecutions } from '../support/recording-executions';

let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let tables = 0;

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

interface World {
  deps: RunDeps;
  store: RequestStore;
  executions: RecordingExecutions;
  clock: { now: Date };
}

async function world(servedEnvironment?: string): Promise<World> {
  const tableName = `lifecycle-${++tables}`;
  await ensureRequestsTable(client, tableName);
  const clock = { now: new Date('2026-12-01T10:00:00Z') };
  const store = new RequestStore({ tableName, client, now: () => clock.now });
  const executions = new RecordingExecutions();
  const deps: RunDeps = {
    store,
    executions,
    ...(servedEnvironment ? { servedEnvironment } : {}),
    basePath: '/v1',
    lockTtlSeconds: 600,
    now: () => clock.now,
  };
  return { deps, store, executions, clock };
}

const ALICE = { channel: 'api' as const, principal: 'arn:aws:iam::123456789012:user/alice' };

function provision(fields: Record<string, unknown> = {}): RunRequest {
  const request = parseProvisioningRequest({
    workspace: 'team-a',
    environment: 'dev',
    oktaGroups: ['Developers'],
    requestedBy: 'alice',
    ...fields,
  });
  return provisioningRun(request, ALICE);
}

const lockOf = (w: World) =>
  w.store.acquireLock({ environment: 'dev', workspace: 'team-a' }, { requestId: 'probe', inputHash: 'x' }, 1);

describe('accepting a run', () => {
  it('records the request, holds the workspace and starts one execution named after it', async () => {
    const w = await world();
    const accepted = await acceptRun(w.deps, provision());
    expect(accepted).toMatchObject({ status: 'RUNNING', created: true });
    expect(w.executions.starts).toEqual([
      { kind: 'provision', id: accepted.id, input: { requestId: accepted.id, request: expect.any(Object) } },
    ]);
    expect(await w.store.get(accepted.id)).toMatchObject({
      status: 'RUNNING',
      executionArn: w.executions.arnOf('provision', accepted.id),
      source: ALICE,
    });
    expect(await lockOf(w)).toMatchObject({ acquired: false, heldBy: { requestId: accepted.id } });
  });

  it('refuses another environment than the one served, writing nothing', async () => {
    const w = await world('prod');
    const err = await rejection(acceptRun(w.deps, provision({ environment: 'dev' })));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/environment: this deployment serves environment 'prod' only/);
    expect(w.executions.starts).toEqual([]);
    expect((await w.store.list({})).items).toEqual([]);
  });

  it('refuses a Konnect portal where the deployment serves none, writing nothing', async () => {
    const w = await world();
    w.deps.servedTargets = ['kong-ee-workspace'];
    const { workspace: _ws, ...rest } = {
      workspace: 'x',
      environment: 'dev',
      oktaGroups: ['Developers'],
      requestedBy: 'alice',
    };
    const konnect = provisioningRun(parseProvisioningRequest({ ...rest, portal: 'developer-portal' }), ALICE);
    const err = await rejection(acceptRun(w.deps, konnect));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(
      /target: this deployment serves no Konnect portals \(its stack sets no konnectApiUrl and konnectTokenSecretName\)/,
    );
    expect(w.executions.starts).toEqual([]);
    expect((await w.store.list({})).items).toEqual([]);
    // A Kong workspace is still served.
    expect((await acceptRun(w.deps, provision())).created).toBe(true);
  });

  it('takes no lock for a dry run', async () => {
    const w = await world();
    await acceptRun(w.deps, provision({ dryRun: true }));
    expect(await lockOf(w)).toEqual({ acquired: true });
  });
});

describe('a failed start', () => {
  it('is undone: the request reads FAILED, the workspace is free, and nothing runs', async () => {
    const w = await world();
    w.executions.failNextStart = new TransientError(
      'Step Functions StartExecution failed: ServiceUnavailable',
    );
    const err = await rejection(acceptRun(w.deps, provision()));
    expect(err).toBeInstanceOf(TransientError);
    const [record] = (await w.store.list({})).items;
    expect(record).toMatchObject({ status: 'FAILED', error: { name: 'StartFailed' } });
    expect(w.executions.starts).toEqual([]);
    // The next request gets the workspace.
    expect(await acceptRun(w.deps, provision())).toMatchObject({ created: true, status: 'RUNNING' });
  });

  it('that did start (its answer was lost) is the run: RUNNING, holding the workspace', async () => {
    // Intent: a timeout on StartExecution can hide a start; undoing it would free a busy workspace.
    const w = await world();
    w.executions.loseNextStartAnswer = new TransientError(
      'Step Functions StartExecution failed: socket hang up',
    );
    const accepted = await acceptRun(w.deps, provision());
    expect(accepted).toMatchObject({ status: 'RUNNING', created: true });
    expect(await w.store.get(accepted.id)).toMatchObject({
      status: 'RUNNING',
      executionArn: w.executions.arnOf('provision', accepted.id),
    });
    expect((await w.store.get(accepted.id))?.error).toBeUndefined();
    expect(await lockOf(w)).toMatchObject({ acquired: false, heldBy: { requestId: accepted.id } });
  });

  it('is started by a repeat of the keyed request (a retry, a ticket redelivered), once', async () => {
    const w = await world();
    w.executions.failNextStart = new TransientError(
      'Step Functions StartExecution failed: ThrottlingException',
    );
    await rejection(acceptRun(w.deps, provision({ idempotencyKey: 'k-start' })));
    const id = requestIdFromKey(ALICE.principal, 'k-start');
    expect(await w.store.get(id)).toMatchObject({ status: 'FAILED', error: { name: 'StartFailed' } });

    expect(await acceptRun(w.deps, provision({ idempotencyKey: 'k-start' }))).toEqual({
      id,
      status: 'RUNNING',
      created: false,
    });
    expect(await acceptRun(w.deps, provision({ idempotencyKey: 'k-start' }))).toEqual({
      id,
      status: 'RUNNING',
      created: false,
    });
    expect(w.executions.starts.map((s) => s.id)).toEqual([id]);
    const record = await w.store.get(id);
    expect(record).toMatchObject({ status: 'RUNNING', executionArn: w.executions.arnOf('provision', id) });
    expect(record?.error).toBeUndefined();
    expect(await lockOf(w)).toMatchObject({ acquired: false, heldBy: { requestId: id } });
  });

  it('is not restarted by a repeat while another request holds the workspace', async () => {
    const w = await world();
    w.executions.failNextStart = new TransientError(
      'Step Functions StartExecution failed: ThrottlingException',
    );
    await rejection(acceptRun(w.deps, provision({ idempotencyKey: 'k-start' })));
    const other = await acceptRun(w.deps, provision({ autoApprove: true }));
    const err = await rejection(acceptRun(w.deps, provision({ idempotencyKey: 'k-start' })));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toContain(other.id);
    const id = requestIdFromKey(ALICE.principal, 'k-start');
    expect(await w.store.get(id)).toMatchObject({ status: 'FAILED', error: { name: 'StartFailed' } });
    expect(w.executions.starts.map((s) => s.id)).toEqual([other.id]);
  });

  it('of a repeat does not fail the request its first caller is starting, nor free the workspace', async () => {
    // Intent: the first caller recorded the request and holds the lock, and is about to start it;
    // a repeat (seeing PENDING without an execution) tries too, and its start fails.
    const w = await world();
    const run = provision({ idempotencyKey: 'k-first' });
    const id = requestIdFromKey(ALICE.principal, 'k-first');
    const record = pendingRecord(w, run, id);
    await w.store.acquireLock(run.scope, { requestId: id, inputHash: record.inputHash }, 600);
    await w.store.create(record);
    w.executions.failNextStart = new TransientError(
      'Step Functions StartExecution failed: ThrottlingException',
    );
    await rejection(acceptRun(w.deps, run));
    expect(await w.store.get(id)).toMatchObject({ status: 'PENDING' });
    expect(await lockOf(w)).toMatchObject({ acquired: false, heldBy: { requestId: id } });
  });
});

describe('a keyed request repeated', () => {
  it('maps onto the same request and execution, however often it is sent', async () => {
    const w = await world();
    const first = await acceptRun(w.deps, provision({ idempotencyKey: 'k-1' }));
    const again = await acceptRun(w.deps, provision({ idempotencyKey: 'k-1' }));
    expect(again).toEqual({ id: first.id, status: 'RUNNING', created: false });
    expect(first.id).toBe(requestIdFromKey(ALICE.principal, 'k-1'));
    expect(w.executions.starts).toHaveLength(1);
  });

  it('with a different body is a conflict naming the request the key belongs to', async () => {
    const w = await world();
    const first = await acceptRun(w.deps, provision({ idempotencyKey: 'k-1' }));
    const err = await rejection(acceptRun(w.deps, provision({ idempotencyKey: 'k-1', autoApprove: true })));
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).details).toEqual({
      existingRequest: { id: first.id, statusUrl: `/v1/provisionings/${first.id}` },
    });
  });

  it('that was accepted but never started is started on the retry', async () => {
    const w = await world();
    const run = provision({ idempotencyKey: 'k-2' });
    const id = requestIdFromKey(ALICE.principal, 'k-2');
    // The caller's first attempt died between recording the request and starting it.
    await w.store.create(pendingRecord(w, run, id));
    const retried = await acceptRun(w.deps, run);
    expect(retried).toEqual({ id, status: 'RUNNING', created: false });
    expect(w.executions.starts.map((s) => s.id)).toEqual([id]);
    expect(await w.store.get(id)).toMatchObject({
      status: 'RUNNING',
      executionArn: w.executions.arnOf('provision', id),
    });
  });

  it('whose execution an earlier attempt did start (ExecutionAlreadyExists) is recorded, not started twice', async () => {
    const w = await world();
    const run = provision({ idempotencyKey: 'k-3' });
    const id = requestIdFromKey(ALICE.principal, 'k-3');
    await w.store.create(pendingRecord(w, run, id));
    w.executions.exists('provision', id);
    await acceptRun(w.deps, run);
    expect(w.executions.starts).toEqual([]);
    expect(await w.store.get(id)).toMatchObject({
      status: 'RUNNING',
      executionArn: w.executions.arnOf('provision', id),
    });
  });
});

describe('identical requests while one runs', () => {
  it('without a key: answered with the running request, no second execution', async () => {
    const w = await world();
    const first = await acceptRun(w.deps, provision());
    const again = await acceptRun(w.deps, provision());
    expect(again).toEqual({ id: first.id, status: 'RUNNING', created: false });
    expect(w.executions.starts).toHaveLength(1);
  });

  it('with a key: a conflict naming the running request (the key keeps naming its own request)', async () => {
    const w = await world();
    const first = await acceptRun(w.deps, provision());
    const err = await rejection(acceptRun(w.deps, provision({ idempotencyKey: 'k-4' })));
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).details).toEqual({
      runningRequest: { id: first.id, statusUrl: `/v1/provisionings/${first.id}` },
    });
    expect(w.executions.starts).toHaveLength(1);
  });

  it('a different request for the busy workspace is a conflict; a teardown too', async () => {
    const w = await world();
    const first = await acceptRun(w.deps, provision());
    expect(await rejection(acceptRun(w.deps, provision({ autoApprove: true })))).toBeInstanceOf(
      ConflictError,
    );
    const teardown = teardownRun(
      parseTeardownRequest({ workspace: 'team-a', environment: 'dev', requestedBy: 'bob' }),
      ALICE,
    );
    const err = await rejection(acceptRun(w.deps, teardown));
    expect(err.message).toContain(`already being changed by request ${first.id}`);
  });
});

describe('a lock its run no longer needs', () => {
  it('expired (the run was killed): the next request takes the workspace', async () => {
    const w = await world();
    const first = await acceptRun(w.deps, provision());
    w.clock.now = new Date(w.clock.now.getTime() + 601_000);
    const next = await acceptRun(w.deps, provision({ autoApprove: true }));
    expect(next).toMatchObject({ created: true });
    expect(next.id).not.toBe(first.id);
  });

  it.each(['TIMED_OUT', 'ABORTED'] as const)(
    'held by a run that %s: taken over at once, and that run recorded as CLEANUP_INCOMPLETE',
    async (status) => {
      const w = await world();
      const first = await acceptRun(w.deps, provision());
      w.executions.end('provision', first.id, status);
      w.executions.ran('provision', first.id, [
        { name: 'ValidatePlan', ended: 'SUCCEEDED' },
        { name: 'CreateOktaApp', ended: 'RUNNING' },
      ]);
      const next = await acceptRun(w.deps, provision({ autoApprove: true }));
      expect(next).toMatchObject({ created: true });
      expect(await w.store.get(first.id)).toMatchObject({
        status: 'CLEANUP_INCOMPLETE',
        error: {
          name: status,
          message: expect.stringMatching(
            /^The run (timed out|was stopped) before it could finish or roll back$/,
          ),
        },
        leftovers: expect.arrayContaining([expect.stringMatching(/^okta-app:/)]),
      });
    },
  );

  it('held by a run already recorded as finished: taken over at once', async () => {
    const w = await world();
    const first = await acceptRun(w.deps, provision());
    await w.store.update(first.id, { status: 'SUCCEEDED' });
    expect(await acceptRun(w.deps, provision({ autoApprove: true }))).toMatchObject({ created: true });
  });

  it('held by a run still going: kept', async () => {
    const w = await world();
    await acceptRun(w.deps, provision());
    expect(await rejection(acceptRun(w.deps, provision({ autoApprove: true })))).toBeInstanceOf(
      ConflictError,
    );
  });
});

describe('viewing a run', () => {
  it('shows an accepted, not yet started request as RUNNING with no steps', async () => {
    const w = await world();
    const run = provision({ idempotencyKey: 'k-5' });
    const id = requestIdFromKey(ALICE.principal, 'k-5');
    await w.store.create(pendingRecord(w, run, id));
    expect(await viewRun(w.deps, id)).toMatchObject({
      id,
      status: 'RUNNING',
      steps: [],
      statusUrl: `/v1/provisionings/${id}`,
    });
  });

  it('reads an unfinished record through its execution (a run that timed out is CLEANUP_INCOMPLETE)', async () => {
    const w = await world();
    const { id } = await acceptRun(w.deps, provision());
    w.executions.end('provision', id, 'TIMED_OUT');
    w.executions.ran('provision', id, [{ name: 'CreateAuthServer', ended: 'RUNNING' }]);
    expect(await viewRun(w.deps, id)).toMatchObject({ status: 'CLEANUP_INCOMPLETE' });
  });
});

function pendingRecord(w: World, run: RunRequest, id: string) {
  const { idempotencyKey: _key, ...withoutKey } = run.request;
  const now = w.clock.now.toISOString();
  return {
    id,
    kind: run.kind,
    workspace: run.scope.workspace,
    environment: run.scope.environment,
    status: 'PENDING' as const,
    requestedBy: run.requestedBy,
    source: run.source,
    inputHash: inputHash({ kind: run.kind, request: withoutKey }),
    ...(run.idempotencyKey ? { idempotencyKey: run.idempotencyKey } : {}),
    dryRun: run.dryRun,
    createdAt: now,
    updatedAt: now,
  };
}

describe('racing requests (safety)', () => {
  /** A store whose reads of request records wait for `gate` after reading: a request stalled mid-accept. */
  function stalledAfterRead(w: World, gate: Promise<void>): RunDeps {
    const store = new RequestStore({ tableName: w.store.tableName, client, now: () => w.clock.now });
    const get = store.get.bind(store);
    store.get = async (id: string) => {
      const record = await get(id);
      await gate;
      return record;
    };
    return { ...w.deps, store };
  }

  it('two keyed requests with one key and different bodies: the lock never takes the body of the loser', async () => {
    const w = await world();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // B reads "no such request" before A records it, then stalls.
    const b = acceptRun(
      stalledAfterRead(w, gate),
      provision({ idempotencyKey: 'k-race', autoApprove: true }),
    );
    const a = await acceptRun(w.deps, provision({ idempotencyKey: 'k-race' }));
    release();
    expect(await rejection(b)).toBeInstanceOf(ConflictError);
    // An unkeyed request with B's body must not be answered with A's run.
    const unkeyed = await rejection(acceptRun(w.deps, provision({ autoApprove: true })));
    expect(unkeyed).toBeInstanceOf(ConflictError);
    expect((unkeyed as ConflictError).details).toEqual({
      runningRequest: { id: a.id, statusUrl: `/v1/provisionings/${a.id}` },
    });
    // While the identical request is still answered with A's run.
    expect(await acceptRun(w.deps, provision())).toEqual({ id: a.id, status: 'RUNNING', created: false });
  });

  it('a keyed request refused with 409 after the other finished leaves no lock behind', async () => {
    const w = await world();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const b = acceptRun(
      stalledAfterRead(w, gate),
      provision({ idempotencyKey: 'k-late', autoApprove: true }),
    );
    const a = await acceptRun(w.deps, provision({ idempotencyKey: 'k-late' }));
    // A's run ends: Finalize records it and frees the workspace.
    await w.store.update(a.id, { status: 'SUCCEEDED' });
    await w.store.releaseLock({ environment: 'dev', workspace: 'team-a' }, a.id);
    release();
    expect(await rejection(b)).toBeInstanceOf(ConflictError);
    expect(await lockOf(w)).toEqual({ acquired: true });
  });
});

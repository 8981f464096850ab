// Intent: the service as `npm start` runs it, driven over HTTP like a user would: provisioning
// succeeds and leaves exactly the expected resources, a dry run writes nothing, teardown leaves
// nothing of ours and Kong as it was, concurrent duplicates never start a second run, a busy
// workspace answers 409, a lock left by a killed run expires, and history survives a restart.
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { localAws } from '../support/local-aws';
import { inputHash } from '../../lambdas/core/idempotency';
import { parseProvisioningRequest } from '../../lambdas/core/request';
import { LOCAL_PRINCIPAL } from '../../local/api-server';

let stack: LocalStack;
const dataDir = mkdtempSync(path.join(tmpdir(), 'kpp-e2e-'));

beforeAll(async () => {
  stack = await startLocalStack({ dataDir, port: 0 });
}, 60_000);
afterAll(() => stack?.close());

interface Accepted {
  id: string;
  status: string;
  statusUrl: string;
}

async function post(
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${stack.apiUrl}/provisionings`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function get(url: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${stack.apiUrl}${url}`)).json()) as Record<string, unknown>;
}

async function finished(id: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await get(`/provisionings/${id}`);
    if (view.status !== 'RUNNING') return view;
    if (Date.now() > deadline) throw new Error(`request ${id} still RUNNING after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function executions(): Promise<number> {
  const listed = await localAws(stack).sfn.send(
    new ListExecutionsCommand({ stateMachineArn: stack.stateMachines.provision }),
  );
  return listed.executions?.length ?? 0;
}

const okta = () => stack.oktaSandbox!;
const kong = () => stack.kongSandbox!;
const ours = (workspace: string) => ({
  apps: okta()
    .state.apps()
    .filter((a) => a.label === `kong-portal-dev.${workspace}`).length,
  servers: okta()
    .state.authServers()
    .filter((s) => s.name === `kong-portal-dev.${workspace}`).length,
});

describe('the service over HTTP', () => {
  it('answers GET / when ready', async () => {
    expect(await get('/')).toMatchObject({ service: 'kong-portal-provisioner', status: 'ready' });
  });

  it('provisions, reports every step, and leaves exactly the expected resources', async () => {
    kong().control.addWorkspace('team-a', { portal: false });
    const accepted = await post({ workspace: 'team-a', environment: 'dev', oktaGroups: ['Everyone'] });
    expect(accepted.status).toBe(202);
    const view = await finished((accepted.body as unknown as Accepted).id);
    expect(view).toMatchObject({
      status: 'SUCCEEDED',
      requestedBy: 'arn:aws:iam::000000000000:user/local-developer',
      source: { channel: 'api', sourceIp: expect.any(String) },
      outputs: {
        portalUrl: 'http://localhost:8003/team-a',
        issuer: expect.stringContaining('/oauth2/'),
        clientSecretArn: expect.stringContaining(':secret:'),
      },
    });
    const steps = view.steps as Array<{ name: string; state: string; attempts: number }>;
    expect(steps.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'ValidatePlan',
        'CreateOktaApp',
        'CreateAuthServer',
        'ConfigurePortal',
        'VerifyPortal',
        'FinalizeSucceeded',
      ]),
    );
    expect(steps.every((s) => s.state === 'SUCCEEDED' && s.attempts >= 1)).toBe(true);
    expect(ours('team-a')).toEqual({ apps: 1, servers: 1 });
    expect(kong().state.workspace('team-a')?.config).toMatchObject({
      portal: true,
      portal_auth: 'openid-connect',
    });
  });

  it('a dry run returns the plan and writes nothing', async () => {
    kong().control.addWorkspace('team-dry', { portal: false });
    const writesBefore = [...okta().control.calls, ...kong().control.calls].filter(
      (c) => c.method !== 'GET',
    ).length;
    const accepted = await post({
      workspace: 'team-dry',
      environment: 'dev',
      oktaGroups: ['Everyone'],
      dryRun: true,
    });
    const view = await finished((accepted.body as unknown as Accepted).id);
    expect(view.status).toBe('PLANNED');
    expect(view.plan).toMatchObject({ portal: { action: 'change', portal: 'team-dry' } });
    expect([...okta().control.calls, ...kong().control.calls].filter((c) => c.method !== 'GET').length).toBe(
      writesBefore,
    );
    expect(ours('team-dry')).toEqual({ apps: 0, servers: 0 });
  });

  it('teardown leaves nothing of ours and the Kong portal settings as they were before', async () => {
    kong().control.addWorkspace('team-t', {
      portal: true,
      portal_auth: 'basic-auth',
      portal_auto_approve: true,
    });
    const before = structuredClone(kong().state.workspace('team-t')!.config);
    const provisioned = await post({ workspace: 'team-t', environment: 'dev', oktaGroups: ['Everyone'] });
    expect((await finished((provisioned.body as unknown as Accepted).id)).status).toBe('SUCCEEDED');
    expect(ours('team-t')).toEqual({ apps: 1, servers: 1 });
    const { secrets } = localAws(stack);
    const names = ['client-secret', 'kong-baseline'].map(
      (kind) => `kong-portal-provisioner/dev/team-t/${kind}`,
    );
    for (const name of names) expect(await secrets.arnOf(name)).toBeDefined();

    const res = await fetch(`${stack.apiUrl}/workspaces/team-t/portal?environment=dev`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    const teardown = await finished(((await res.json()) as Accepted).id);
    expect(teardown).toMatchObject({ kind: 'teardown', status: 'SUCCEEDED' });
    expect(ours('team-t')).toEqual({ apps: 0, servers: 0 });
    for (const name of names) expect(await secrets.arnOf(name)).toBeUndefined();
    expect(kong().state.workspace('team-t')!.config).toEqual(before);
  });
});

describe('weakening an existing portal', () => {
  it('records ssl_verify off and auto-approve on in the status of the request that did it', async () => {
    kong().control.addWorkspace('team-s', { portal: false });
    const body = { workspace: 'team-s', oktaGroups: ['Everyone'] };
    expect((await finished(String((await post(body)).body.id))).status).toBe('SUCCEEDED');
    const weaker = await finished(
      String((await post({ ...body, sslVerify: false, autoApprove: true })).body.id),
    );
    expect(weaker).toMatchObject({
      status: 'SUCCEEDED',
      warnings: [
        expect.stringMatching(/^ssl_verify turned off for the existing portal/),
        expect.stringMatching(/^auto-approve turned on/),
      ],
    });
  });
});

describe('concurrency', () => {
  it('20 identical concurrent requests start one execution and make one set of resources', async () => {
    kong().control.addWorkspace('team-c', { portal: false });
    const runsBefore = await executions();
    const body = { workspace: 'team-c', environment: 'dev', oktaGroups: ['Everyone'] };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => post(body, { 'Idempotency-Key': 'same-key-team-c' })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    expect((await finished([...ids][0] as string)).status).toBe('SUCCEEDED');
    expect((await executions()) - runsBefore).toBe(1);
    expect(ours('team-c')).toEqual({ apps: 1, servers: 1 });
  });

  it('identical concurrent requests without a key also map onto the one running request', async () => {
    kong().control.addWorkspace('team-n', { portal: false });
    const body = { workspace: 'team-n', environment: 'dev', oktaGroups: ['Everyone'] };
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(body)));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    expect((await finished([...ids][0] as string)).status).toBe('SUCCEEDED');
    expect(ours('team-n')).toEqual({ apps: 1, servers: 1 });
  });

  it('keyed and unkeyed concurrent requests with differing bodies never share a run and leave no stray lock', async () => {
    // Intent (safety): whatever the interleaving, an answer's request id is a run of the very body
    // that was sent, and every workspace is free again once its runs are over.
    const { store } = localAws(stack);
    const hashOf = (body: Record<string, unknown>) => {
      const { idempotencyKey: _k, ...request } = parseProvisioningRequest(body, {
        requestedBy: LOCAL_PRINCIPAL,
        environment: 'dev',
      });
      return inputHash({ kind: 'provision', request });
    };
    for (let round = 0; round < 6; round++) {
      const workspace = `team-race-${round}`;
      kong().control.addWorkspace(workspace, { portal: false });
      const a = { workspace, oktaGroups: ['Everyone'] };
      const b = { ...a, autoApprove: true };
      const key = { 'Idempotency-Key': `race-${round}` };
      // Two keyed requests with one key but different bodies race; then both bodies come again unkeyed.
      const racing: Array<[Record<string, unknown>, Record<string, string>]> = [
        [a, key],
        [b, key],
      ];
      const later: Array<[Record<string, unknown>, Record<string, string>]> = [
        [b, {}],
        [a, {}],
      ];
      const first = await Promise.all(racing.map(([body, headers]) => post(body, headers)));
      const second = await Promise.all(later.map(([body, headers]) => post(body, headers)));
      const sent = [...racing, ...later];
      const answers = [...first, ...second];
      const accepted = answers.flatMap((answer, i) =>
        answer.status === 202 ? [{ answer, body: sent[i]![0] }] : [],
      );
      expect(answers.every((x) => x.status === 202 || x.status === 409)).toBe(true);
      expect(accepted.length).toBeGreaterThan(0);
      for (const { answer, body } of accepted) {
        const record = await store.get(String(answer.body.id));
        expect({ round, body, hash: record?.inputHash }).toEqual({ round, body, hash: hashOf(body) });
      }
      for (const id of new Set(accepted.map((x) => String(x.answer.body.id)))) await finished(id);
      expect(
        await store.acquireLock({ environment: 'dev', workspace }, { requestId: 'probe', inputHash: 'x' }, 1),
      ).toEqual({ acquired: true });
    }
  });

  it('10 different concurrent requests for one workspace: exactly one 202, the rest 409 naming it', async () => {
    kong().control.addWorkspace('team-x', { portal: false });
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post({
          workspace: 'team-x',
          environment: 'dev',
          oktaGroups: ['Everyone'],
          tokenLifetimes: { accessTokenMinutes: 10 + i },
        }),
      ),
    );
    const accepted = answers.filter((a) => a.status === 202);
    const refused = answers.filter((a) => a.status === 409);
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(9);
    const winner = accepted[0]!.body.id as string;
    for (const r of refused)
      expect(r.body).toMatchObject({ error: 'Conflict', runningRequest: { id: winner } });
    expect((await finished(winner)).status).toBe('SUCCEEDED');
  });

  it("a keyed request never maps onto someone else's identical run: its key keeps naming its own request", async () => {
    kong().control.addWorkspace('team-i', { portal: false });
    const body = { workspace: 'team-i', environment: 'dev', oktaGroups: ['Everyone'] };
    // Keep the first (unkeyed) run busy for a moment.
    kong().control.inject({ route: '/workspaces/{workspace_id_or_name}', method: 'PATCH', latencyMs: 1_500 });
    const first = await post(body);
    const keyed = await post(body, { 'Idempotency-Key': 'team-i-key' });
    expect(keyed.status).toBe(409);
    expect(keyed.body).toMatchObject({ runningRequest: { id: first.body.id } });
    expect((await finished(first.body.id as string)).status).toBe('SUCCEEDED');
    const retried = await post(body, { 'Idempotency-Key': 'team-i-key' });
    expect(retried.status).toBe(202);
    expect(retried.body.id).not.toBe(first.body.id);
    expect((await finished(retried.body.id as string)).status).toBe('SUCCEEDED');
    expect((await post(body, { 'Idempotency-Key': 'team-i-key' })).body.id).toBe(retried.body.id);
  });

  it('a lock left by a killed run expires, and the workspace is free again', async () => {
    kong().control.addWorkspace('team-k', { portal: false });
    const { store } = localAws(stack);
    // A run that took the lock and died before releasing it.
    await store.acquireLock(
      { environment: 'dev', workspace: 'team-k' },
      { requestId: 'req-killed', inputHash: 'dead' },
      2,
    );
    const body = { workspace: 'team-k', environment: 'dev', oktaGroups: ['Everyone'] };
    const blocked = await post(body);
    expect(blocked.status).toBe(409);
    expect(blocked.body).toMatchObject({ runningRequest: { id: 'req-killed' } });
    await new Promise((r) => setTimeout(r, 2_500));
    const accepted = await post(body);
    expect(accepted.status).toBe(202);
    expect((await finished(accepted.body.id as string)).status).toBe('SUCCEEDED');
  });
});

describe('locks whose run has ended', () => {
  it('a lock still held by a finished run is taken over at once, without waiting for its expiry', async () => {
    kong().control.addWorkspace('team-e', { portal: false });
    const { store } = localAws(stack);
    const now = new Date().toISOString();
    // A run that finished (FAILED) but whose Finalize never released the lock.
    await store.create({
      id: 'req-ended',
      kind: 'provision',
      workspace: 'team-e',
      environment: 'dev',
      status: 'FAILED',
      requestedBy: 'x',
      source: { channel: 'api' },
      inputHash: 'old',
      dryRun: false,
      createdAt: now,
      updatedAt: now,
    });
    await store.acquireLock(
      { environment: 'dev', workspace: 'team-e' },
      { requestId: 'req-ended', inputHash: 'old' },
      3600,
    );
    const accepted = await post({ workspace: 'team-e', environment: 'dev', oktaGroups: ['Everyone'] });
    expect(accepted.status).toBe(202);
    expect((await finished(accepted.body.id as string)).status).toBe('SUCCEEDED');
  });
});

describe('history', () => {
  it('survives a restart of local mode', async () => {
    kong().control.addWorkspace('team-h', { portal: false });
    const accepted = await post({ workspace: 'team-h', environment: 'dev', oktaGroups: ['Everyone'] });
    const id = accepted.body.id as string;
    expect((await finished(id)).status).toBe('SUCCEEDED');
    await stack.close();
    stack = await startLocalStack({ dataDir, port: 0 });
    const view = await get(`/provisionings/${id}`);
    expect(view).toMatchObject({ id, status: 'SUCCEEDED', workspace: 'team-h' });
    expect((view.steps as unknown[]).length).toBeGreaterThan(5);
    const list = await get('/provisionings?workspace=team-h&environment=dev');
    expect((list.items as Array<{ id: string }>).map((i) => i.id)).toContain(id);
  }, 60_000);
});

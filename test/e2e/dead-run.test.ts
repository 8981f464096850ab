// Intent (safety): a run that dies half-way - stopped from outside mid-ConfigurePortal here, as a
// TIMED_OUT or ABORTED execution would on AWS - must not poison the next one. The next
// provisioning takes the workspace over, the dead run reads CLEANUP_INCOMPLETE with the steps it
// ran and what it may have left behind, and a teardown afterwards puts the workspace back exactly
// as it was before the dead run and leaves none of its secrets behind.
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { localAws } from '../support/local-aws';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ dataDir: mkdtempSync(path.join(tmpdir(), 'kpp-dead-')) });
}, 60_000);
afterAll(() => stack?.close());

type View = {
  status: string;
  steps?: Array<{ name: string; state: string }>;
  leftovers?: string[];
  error?: unknown;
};
const api = async (method: string, url: string, body?: unknown) => {
  const res = await fetch(`${stack.apiUrl}${url}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const view = async (id: string) => (await api('GET', `/provisionings/${id}`)).body as View;
async function until(id: string, done: (v: View) => boolean, timeoutMs = 20_000): Promise<View> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await view(id);
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`request ${id}: still ${v.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('a run stopped mid-ConfigurePortal, then a provisioning, then a teardown: the workspace is as before the dead run', async () => {
  const kong = stack.kongSandbox!;
  const before = { portal: true, portal_auth: 'basic-auth', portal_auto_approve: true };
  kong.control.addWorkspace('team-k', before);
  const original = structuredClone(kong.state.workspace('team-k')!.config);
  const body = { workspace: 'team-k', oktaGroups: ['Everyone'] };

  // The forward PATCH is slow; the run is stopped while it is in flight (the PATCH still lands).
  kong.control.inject({ route: '/workspaces/{workspace_id_or_name}', method: 'PATCH', latencyMs: 800 });
  const dead = String((await api('POST', '/provisionings', body)).body.id);
  await until(dead, (v) =>
    (v.steps ?? []).some((s) => s.name === 'ConfigurePortal' && s.state === 'RUNNING'),
  );
  await localAws(stack).sfn.send(
    new StopExecutionCommand({
      executionArn: `${stack.stateMachines.provision.replace(':stateMachine:', ':execution:')}:${dead}`,
    }),
  );
  await new Promise((r) => setTimeout(r, 1_000));
  expect(kong.state.workspace('team-k')!.config.portal_auth).toBe('openid-connect'); // half-applied

  const next = await api('POST', '/provisionings', body);
  expect(next.status).toBe(202);
  expect((await until(String(next.body.id), (v) => v.status !== 'RUNNING')).status).toBe('SUCCEEDED');

  const deadView = await view(dead);
  expect(deadView.status).toBe('CLEANUP_INCOMPLETE');
  expect(deadView.steps?.map((s) => s.name)).toEqual(
    expect.arrayContaining(['ResolvePortal', 'CreateOktaApp', 'ConfigurePortal']),
  );
  expect(deadView.leftovers).toEqual(
    expect.arrayContaining([expect.stringMatching(/^kong-workspace:team-k:portal-settings/)]),
  );

  const teardown = await api('DELETE', '/workspaces/team-k/portal');
  expect((await until(String(teardown.body.id), (v) => v.status !== 'RUNNING')).status).toBe('SUCCEEDED');
  expect(kong.state.workspace('team-k')!.config).toEqual(original);
  const { secrets } = localAws(stack);
  for (const kind of ['client-secret', 'kong-baseline', 'kong-rollback'])
    expect({ kind, arn: await secrets.arnOf(`kong-portal-provisioner/dev/team-k/${kind}`) }).toEqual({
      kind,
      arn: undefined,
    });
  expect(stack.oktaSandbox!.state.apps().filter((a) => a.label === 'kong-portal-dev.team-k')).toEqual([]);
});

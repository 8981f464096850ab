// Intent: configuration is passed in, never written into process.env, so two local stacks live
// side by side in one process without seeing each other: each provisions against its own
// sandboxes and emulators and knows only its own requests. (Tests and tools rely on this.)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/stack';

let stacks: LocalStack[] = [];
const envBefore = { ...process.env };

beforeAll(async () => {
  stacks = await Promise.all(
    ['a', 'b'].map((name) =>
      startLocalStack({ dataDir: mkdtempSync(path.join(tmpdir(), `kpp-two-${name}-`)) }),
    ),
  );
}, 60_000);
afterAll(() => Promise.all(stacks.map((s) => s.close())));

async function provisioned(
  stack: LocalStack,
): Promise<{ id: string; status: string; outputs?: { clientId?: string } }> {
  const res = await fetch(`${stack.apiUrl}/provisionings`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ workspace: 'default', oktaGroups: ['Everyone'] }),
  });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  for (let i = 0; i < 100; i++) {
    const view = (await (await fetch(`${stack.apiUrl}/provisionings/${id}`)).json()) as {
      id: string;
      status: string;
      environment: string;
    };
    if (view.status !== 'RUNNING') return view;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`request ${id} did not finish`);
}

it('run two stacks in one process, each on its own services, without touching process.env', async () => {
  const [a, b] = stacks as [LocalStack, LocalStack];
  expect(process.env).toEqual(envBefore);
  const [runA, runB] = await Promise.all([provisioned(a), provisioned(b)]);
  expect([runA.status, runB.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  // Each stack's run made its app in its own Okta sandbox only.
  expect(a.oktaSandbox?.state.apps().map((app) => app.credentials?.oauthClient?.client_id)).toEqual([
    runA.outputs?.clientId,
  ]);
  expect(b.oktaSandbox?.state.apps().map((app) => app.credentials?.oauthClient?.client_id)).toEqual([
    runB.outputs?.clientId,
  ]);
  // And each knows only its own requests.
  expect((await fetch(`${b.apiUrl}/provisionings/${runA.id}`)).status).toBe(404);
  expect((await fetch(`${a.apiUrl}/provisionings/${runB.id}`)).status).toBe(404);
  expect(process.env).toEqual(envBefore);
});

it('defaults a request without environment to dev', async () => {
  const view = await provisioned(stacks[0] as LocalStack);
  expect(view).toMatchObject({ environment: 'dev' });
});

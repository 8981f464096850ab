// Intent: a new user's Konnect session exactly as the README and the start-up banner give it:
// `npm start` (a separate process, the built-in sandboxes), the printed Konnect `curl` body POSTed
// as printed, followed to SUCCEEDED; the portal then signs in through the new Okta app (read from
// the Konnect sandbox over its own API, with the token the banner prints); the printed teardown
// puts the portal back as it was.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

let child: ChildProcess | undefined;
let dataDir: string;
let banner = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

async function json(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function untilFinal(api: string, id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 300; i++) {
    const { body } = await json(`${api}/provisionings/${id}`);
    if (!['PENDING', 'RUNNING'].includes(String(body.status))) return body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`request ${id} did not finish`);
}

const matchIn = (pattern: RegExp): string => {
  const found = pattern.exec(banner)?.[1];
  if (!found) throw new Error(`not in the banner (${String(pattern)}):\n${banner}`);
  return found;
};

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'kpp-konnect-quickstart-'));
  const port = await freePort();
  const { OKTA_ORG_URL: _o, KONG_ADMIN_URL: _k, KONNECT_API_URL: _c, ...env } = process.env;
  child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), LOCAL_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (chunk: Buffer) => (banner += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (banner += chunk.toString('utf8')));
  for (let i = 0; i < 600 && !banner.includes('Tear down:'); i++) await new Promise((r) => setTimeout(r, 50));
  if (!banner.includes('Tear down:')) throw new Error(`npm start did not come up:\n${banner}`);
}, 60_000);

afterAll(() => {
  // npm runs tsx which runs node: stop the whole group.
  if (child?.pid) process.kill(-child.pid, 'SIGINT');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('provisions the printed Konnect portal and tears it down as printed', async () => {
  const api = matchIn(/API\s+(http:\/\/\S+)/);
  const konnectUrl = matchIn(/Konnect\s+(http:\/\/\S+)/);
  const token = matchIn(/Konnect\s+http:\/\/\S+\s+\(built-in sandbox, Bearer (\S+),/);
  const body = matchIn(/-d '(\{"target":"konnect"[^']*\})'/);
  const konnect = (p: string) => json(`${konnectUrl}${p}`, { headers: { Authorization: `Bearer ${token}` } });

  const portals = (await konnect('/v3/portals')).body.data as Array<{ id: string; name: string }>;
  const portal = portals.find((p) => p.name === 'developer-portal');
  expect(portal).toBeDefined();
  const providersNow = async () =>
    (await fetch(`${konnectUrl}/v3/portals/${portal!.id}/identity-providers`, {
      headers: { Authorization: `Bearer ${token}` },
    }).then((r) => r.json())) as Array<{ type: string; enabled: boolean; config: Record<string, unknown> }>;
  const before = await providersNow();

  const accepted = await json(`${api}/provisionings`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
  });
  expect(accepted.status).toBe(202);
  const done = await untilFinal(api, String(accepted.body.id));
  expect({ status: done.status, error: done.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
  const outputs = done.outputs as { clientId: string; issuer: string; redirectUri: string };
  expect(outputs.redirectUri).toMatch(/^https:\/\/[0-9a-f]+\.us\.kongportals\.com\/login$/);
  expect(await providersNow()).toEqual([
    expect.objectContaining({
      type: 'oidc',
      enabled: true,
      config: expect.objectContaining({ client_id: outputs.clientId, issuer_url: outputs.issuer }),
    }),
  ]);

  const teardownPath = matchIn(/a Konnect portal: DELETE http:\/\/\S+?(\/workspaces\/\S+\/portal)/);
  const teardown = await json(`${api}${teardownPath}`, { method: 'DELETE' });
  expect(teardown.status).toBe(202);
  expect((await untilFinal(api, String(teardown.body.id))).status).toBe('SUCCEEDED');
  expect(await providersNow()).toEqual(before);
}, 60_000);

// Intent (safety): the Kong admin token and the client secret go to the Kong Admin API and
// nowhere else. A Kong (or a proxy in front of it) that answers with a redirect is refused, not
// followed - so another host never receives `Kong-Admin-Token` or, on a 307, the PATCH body with
// the client secret. The issuer's discovery document is fetched without following redirects and
// with a bounded body. Every such run fails cleanly and leaves nothing behind.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { provisioningInput, useHarness, type Harness } from './harness';

const harness = useHarness();
let h: Harness;
let elsewhere: Server;
let elsewhereUrl: string;
const received: Array<{ method?: string; url?: string; headers: Record<string, unknown>; body: string }> = [];

beforeAll(async () => {
  elsewhere = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => elsewhere.close(() => resolve())));
beforeEach(async () => {
  h = harness();
  await h.reset();
  received.length = 0;
});

const WORKSPACE = '/workspaces/{workspace_id_or_name}';
const redirect = (status: number, to: string) => ({
  status,
  body: {},
  headers: { location: `${elsewhereUrl}${to}` },
});

it.each([
  ['a 302 on reading the node configuration', '/{workspace}/kong', 'GET', 302],
  ['a 307 on the PATCH that carries the client secret', WORKSPACE, 'PATCH', 307],
  ['a 308 on reading the workspace', WORKSPACE, 'GET', 308],
])(
  'refuses %s: nothing reaches the other host, the run fails and rolls back',
  async (_what, route, method, status) => {
    h.kong.control.inject({
      route,
      method,
      ...redirect(status, '/collect'),
      times: method === 'GET' ? 3 : 1,
    });
    const execution = await h.run(provisioningInput());
    expect(execution.status).toBe('FAILED');
    expect(execution.cause).toMatch(/redirect/);
    expect(received).toEqual([]);
    expect(h.okta.state.apps()).toEqual([]);
    expect(h.secrets.state.secrets().filter((s) => !s.deletedDate)).toEqual([]);
  },
);

it('does not follow a redirect of the discovery document either', async () => {
  h.okta.control.inject({
    route: '/oauth2/{authServerId}/.well-known/openid-configuration',
    ...redirect(302, '/.well-known/openid-configuration'),
    times: 10,
  });
  const execution = await h.run(provisioningInput());
  expect(execution.status).toBe('FAILED');
  expect(execution.cause).toMatch(/discovery document.*redirect/);
  expect(received).toEqual([]);
  expect(h.okta.state.apps()).toEqual([]);
});

it('reads no more than a bounded discovery document', async () => {
  h.okta.control.inject({
    route: '/oauth2/{authServerId}/.well-known/openid-configuration',
    status: 200,
    body: { issuer: 'x', padding: 'x'.repeat(2 * 1024 * 1024) },
    times: 10,
  });
  const execution = await h.run(provisioningInput());
  expect(execution.status).toBe('FAILED');
  expect(execution.cause).toMatch(/discovery document.*too large/);
  expect(h.okta.state.apps()).toEqual([]);
});

/**
 * The Kong EE 3.4 Admin API sandbox over real HTTP: RBAC, node info, workspace portal config with
 * Kong's schema rules, the framework's contract check, and fault injection.
 */
import { startKongSandbox, type KongSandbox } from '../../local/sandboxes/kong';

let kong: KongSandbox;

beforeAll(async () => {
  kong = await startKongSandbox();
  kong.control.addWorkspace('team-a', { portal_emails_from: 'portal@example.com' });
});

afterEach(() => {
  // Any answer the vendor document forbids would show up here (and as a 500 to the client).
  expect(kong.control.contractViolations).toEqual([]);
  kong.control.reset();
  kong.control.addWorkspace('team-a', { portal_emails_from: 'portal@example.com' });
});

afterAll(() => kong.close());

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  token: string | null = kong.token,
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers['Kong-Admin-Token'] = token;
  const res = await fetch(`${kong.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const OIDC_CONF = JSON.stringify({
  issuer: 'https://example.okta.com/oauth2/aus1/.well-known/openid-configuration',
  client_id: ['0oa1'],
  client_secret: ['s3cr3t'],
  redirect_uri: ['http://localhost:8004/team-a/auth'],
  login_redirect_uri: ['http://localhost:8003/team-a'],
  consumer_by: ['username', 'custom_id', 'id'],
  leeway: 1000,
  ssl_verify: true,
});

const portalPatch = (conf = OIDC_CONF) => ({
  config: { portal: true, portal_auth: 'openid-connect', portal_auth_conf: conf, portal_auto_approve: true },
});

describe('RBAC', () => {
  it('answers 401 without a token or with an unknown one', async () => {
    for (const token of [null, 'nope']) {
      const res = await call('GET', '/workspaces/team-a', undefined, token);
      expect(res).toEqual({ status: 401, body: { message: 'Invalid RBAC credentials' } });
    }
  });

  it('lets a read-only token read but not update', async () => {
    kong.control.addRbacToken('reader', { readOnly: true, user: 'auditor' });
    expect((await call('GET', '/workspaces/team-a', undefined, 'reader')).status).toBe(200);
    const res = await call('PATCH', '/workspaces/team-a', portalPatch(), 'reader');
    expect(res).toEqual({
      status: 403,
      body: { message: 'auditor, you do not have permissions to update this resource' },
    });
    expect(kong.state.workspace('team-a')?.config.portal).toBe(false);
  });

  it('keeps a workspace-scoped token inside its workspaces', async () => {
    kong.control.addRbacToken('team-b-only', { workspaces: ['team-b'], user: 'team-b-admin' });
    const res = await call('GET', '/team-a/kong', undefined, 'team-b-only');
    expect(res.status).toBe(403);
    expect(res.body.message).toBe('team-b-admin, you do not have permissions to read this resource');
    const list = await call('GET', '/workspaces', undefined, 'team-b-only');
    expect(list.body.data).toEqual([]);
  });
});

describe('GET /{workspace}/kong', () => {
  it('reports the node-wide portal configuration', async () => {
    const res = await call('GET', '/team-a/kong');
    expect(res.status).toBe(200);
    expect(res.body.version).toMatch(/^3\.4\.3\./);
    const conf = res.body.configuration as Record<string, unknown>;
    expect(conf).toMatchObject({
      portal: true,
      portal_gui_protocol: 'http',
      portal_gui_host: 'localhost:8003',
      portal_gui_use_subdomains: false,
      portal_api_listen: ['0.0.0.0:8004', '0.0.0.0:8447 ssl'],
    });
    expect(conf).not.toHaveProperty('portal_api_url');
    expect(conf.portal_api_listeners).toEqual([
      expect.objectContaining({ ip: '0.0.0.0', port: 8004, ssl: false, listener: '0.0.0.0:8004' }),
      expect.objectContaining({
        ip: '0.0.0.0',
        port: 8447,
        ssl: true,
        http2: false,
        listener: '0.0.0.0:8447 ssl',
      }),
    ]);
  });

  it('follows setNodeConfiguration, re-deriving listeners from *_listen', async () => {
    kong.control.setNodeConfiguration({
      portal_gui_protocol: 'https',
      portal_gui_host: 'portal.example.com',
      portal_api_url: 'https://portal-api.example.com',
      portal_api_listen: ['0.0.0.0:9447 ssl http2'],
    });
    const conf = (await call('GET', '/team-a/kong')).body.configuration as Record<string, unknown>;
    expect(conf).toMatchObject({
      portal_gui_protocol: 'https',
      portal_api_url: 'https://portal-api.example.com',
    });
    expect(conf.portal_api_listeners).toEqual([
      expect.objectContaining({ port: 9447, ssl: true, http2: true }),
    ]);
  });

  it('answers 404 for an unknown workspace, on both routes', async () => {
    expect(await call('GET', '/nope/kong')).toEqual({ status: 404, body: { message: 'Not found' } });
    expect(await call('GET', '/workspaces/nope')).toEqual({ status: 404, body: { message: 'Not found' } });
  });
});

describe('workspaces', () => {
  it('has a default workspace with its portal off, found by name or id', async () => {
    const byName = await call('GET', '/workspaces/default');
    expect(byName.status).toBe(200);
    expect(byName.body).toMatchObject({ name: 'default', config: { portal: false } });
    expect(byName.body.config).toMatchObject({ portal_auth: null, portal_auth_conf: null });
    const byId = await call('GET', `/workspaces/${String(byName.body.id)}`);
    expect(byId.body.name).toBe('default');
  });

  it('creates workspaces and reports a taken name the way Kong does', async () => {
    expect((await call('POST', '/workspaces', { name: 'team-c' })).status).toBe(201);
    const dup = await call('POST', '/workspaces', { name: 'team-c' });
    expect(dup).toEqual({
      status: 409,
      body: {
        message: `UNIQUE violation detected on '{name="team-c"}'`,
        name: 'unique constraint violation',
        code: 5,
        fields: { name: 'team-c' },
      },
    });
  });

  it('PATCH merges the portal keys into config and leaves the others alone', async () => {
    const res = await call('PATCH', '/workspaces/team-a', portalPatch());
    expect(res.status).toBe(200);
    const got = await call('GET', '/workspaces/team-a');
    const config = got.body.config as Record<string, unknown>;
    expect(config).toMatchObject({
      portal: true,
      portal_auth: 'openid-connect',
      portal_auth_conf: OIDC_CONF,
      portal_auto_approve: true,
      portal_emails_from: 'portal@example.com',
      portal_developer_meta_fields: expect.any(String),
    });
    // Kong renders every unset config field as null.
    expect(config.portal_session_conf).toBeNull();
  });

  it('PATCH with null unsets a config field', async () => {
    await call('PATCH', '/workspaces/team-a', portalPatch());
    const res = await call('PATCH', '/workspaces/team-a', {
      config: { portal_auth: null, portal_auth_conf: null },
    });
    expect(res.status).toBe(200);
    expect(res.body.config).toMatchObject({ portal: true, portal_auth: null, portal_auth_conf: null });
    expect(kong.state.workspace('team-a')?.config).not.toHaveProperty('portal_auth');
  });

  it('refuses to enable a portal while kong.conf has portal = off', async () => {
    kong.control.setNodeConfiguration({ portal: false });
    const res = await call('PATCH', '/workspaces/team-a', portalPatch());
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 2, name: 'schema violation' });
    expect(res.body.message).toContain('portal = off');
    expect(res.body.fields).toEqual({ config: { portal: expect.stringContaining('kong.conf') } });
    expect(kong.state.workspace('team-a')?.config.portal).toBe(false);
  });

  it('rejects an unknown portal_auth with a schema violation', async () => {
    const res = await call('PATCH', '/workspaces/team-a', { config: { portal_auth: 'saml' } });
    expect(res).toEqual({
      status: 400,
      body: {
        code: 2,
        name: 'schema violation',
        message:
          'schema violation (config.portal_auth: expected one of: basic-auth, key-auth, openid-connect)',
        fields: { config: { portal_auth: 'expected one of: basic-auth, key-auth, openid-connect' } },
      },
    });
  });

  it('checks portal_auth_conf: JSON object in a string, with the OIDC fields the portal needs', async () => {
    const notJson = await call('PATCH', '/workspaces/team-a', portalPatch('{issuer:'));
    expect((notJson.body.fields as { config: Record<string, string> }).config.portal_auth_conf).toMatch(
      /^invalid JSON/,
    );
    const noIssuer = await call(
      'PATCH',
      '/workspaces/team-a',
      portalPatch(JSON.stringify({ client_id: ['x'], client_secret: 'y', redirect_uri: ['z'] })),
    );
    expect(noIssuer.status).toBe(400);
    expect(noIssuer.body.message).toBe(
      'schema violation (config.portal_auth_conf: issuer: required field missing)',
    );
  });

  it('answers a contract-invalid body with a schema violation naming the field', async () => {
    const res = await call('PATCH', '/workspaces/team-a', { config: { portal: 'yes' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 2,
      name: 'schema violation',
      fields: { config: { portal: 'expected a boolean' } },
    });
    expect(res.body.message).toContain('config.portal');
  });

  it('rejects fields Kong does not know', async () => {
    const res = await call('PATCH', '/workspaces/team-a', { config: { portal_colour: 'red' } });
    expect(res.body.fields).toEqual({ config: { portal_colour: 'unknown field' } });
  });

  it('protects the default workspace from deletion and deletes others', async () => {
    expect((await call('DELETE', '/workspaces/default')).status).toBe(400);
    expect((await call('DELETE', '/workspaces/team-a')).status).toBe(204);
    expect(kong.state.workspace('team-a')).toBeUndefined();
  });
});

describe('faults', () => {
  it('answers an injected 503 once, then recovers', async () => {
    kong.control.inject({ route: '/workspaces/{workspace_id_or_name}', method: 'GET', status: 503 });
    expect((await call('GET', '/workspaces/team-a')).status).toBe(503);
    expect((await call('GET', '/workspaces/team-a')).status).toBe(200);
  });

  it('commits a PATCH whose response is lost', async () => {
    kong.control.inject({ route: '/workspaces/{workspace_id_or_name}', method: 'PATCH', loseResponse: true });
    await expect(call('PATCH', '/workspaces/team-a', portalPatch())).rejects.toThrow();
    expect(kong.state.workspace('team-a')?.config).toMatchObject({
      portal: true,
      portal_auth: 'openid-connect',
    });
    expect(kong.control.callsTo('PATCH', '/workspaces/{workspace_id_or_name}')).toEqual([
      expect.objectContaining({ status: 'dropped' }),
    ]);
  });
});

// Intent: the Okta sandbox answers plain HTTP the way a fresh Okta org does for the provisioner's calls,
// checks every body against Okta's OpenAPI document, and injects the faults the workflow must survive.
import { RESERVED_ID_TOKEN_CLAIMS } from '../../lambdas/core/request';
import { startOktaSandbox, type OktaSandbox } from '../../local/sandboxes/okta';

let sandbox: OktaSandbox;

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions poke into arbitrary JSON
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  auth: string | null = `SSWS ${sandbox.token}`,
): Promise<Answer> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (auth !== null) headers.Authorization = auth;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const APPS = '/api/v1/apps';
const SERVERS = '/api/v1/authorizationServers';

function oidcApp(label: string, oauthClient: Record<string, unknown> = {}) {
  return {
    name: 'oidc_client',
    label,
    signOnMode: 'OPENID_CONNECT',
    credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
    settings: {
      oauthClient: {
        application_type: 'web',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: ['https://cp.example.com:8447/team-a/auth'],
        post_logout_redirect_uris: ['https://cp.example.com:8447/team-a/auth'],
        ...oauthClient,
      },
    },
    profile: { createdBy: 'kong-portal-provisioner', requestId: 'req-1' },
  };
}

const runbookRule = (token: Record<string, number> = {}) => ({
  type: 'RESOURCE_ACCESS',
  name: 'kong-portal-dev-team-a',
  conditions: {
    people: { groups: { include: ['EVERYONE'] } },
    grantTypes: { include: ['authorization_code'] },
    scopes: { include: ['*'] },
  },
  actions: {
    token: {
      accessTokenLifetimeMinutes: 60,
      refreshTokenLifetimeMinutes: 0,
      refreshTokenWindowMinutes: 10080,
      ...token,
    },
  },
});

beforeAll(async () => {
  sandbox = await startOktaSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.control.reset());
afterEach(() => expect(sandbox.control.contractViolations).toEqual([]));

describe('authentication and headers', () => {
  it.each([
    ['no Authorization header', null],
    ['a wrong token', 'SSWS not-the-token'],
    ['the right token with the wrong scheme', 'Bearer ' + '00okta-sandbox-api-token'],
  ])('answers 401 E0000011 to %s', async (_, auth) => {
    const res = await call('GET', APPS, undefined, auth);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({
      errorCode: 'E0000011',
      errorSummary: 'Invalid token provided',
      errorLink: 'E0000011',
      errorCauses: [],
    });
    expect(res.body.errorId).toMatch(/^oae[0-9A-Za-z]{22}$/);
  });

  it("stamps Okta's rate-limit headers on every answer", async () => {
    const res = await call('GET', '/api/v1/groups');
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('x-rate-limit-limit'))).toBeGreaterThan(0);
    expect(Number(res.headers.get('x-rate-limit-remaining'))).toBeGreaterThan(0);
    expect(Number(res.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000);
  });

  it('answers 403 E0000006 for a call the token lacks permission for', async () => {
    sandbox.control.denyPermission('POST', SERVERS);
    const res = await call('POST', SERVERS, { name: 'x', audiences: ['api://x'] });
    expect(res.status).toBe(403);
    expect(res.body.errorCode).toBe('E0000006');
    expect((await call('GET', SERVERS)).status).toBe(200);
  });
});

describe('OIDC applications', () => {
  it('returns the client secret only when creating, and lists it under credentials/secrets', async () => {
    const created = await call('POST', APPS, oidcApp('kong-portal-dev-team-a'));
    expect(created.status).toBe(200);
    const app = created.body;
    expect(app).toMatchObject({
      status: 'ACTIVE',
      signOnMode: 'OPENID_CONNECT',
      label: 'kong-portal-dev-team-a',
    });
    expect(app.id).toMatch(/^0oa[0-9A-Za-z]{17}$/);
    expect(app.credentials.oauthClient.client_id).toBe(app.id);
    const secret: string = app.credentials.oauthClient.client_secret;
    expect(secret.length).toBeGreaterThanOrEqual(40);

    const read = await call('GET', `${APPS}/${app.id}`);
    expect(read.status).toBe(200);
    expect(read.body.credentials.oauthClient).not.toHaveProperty('client_secret');
    expect(JSON.stringify(read.body)).not.toContain(secret);
    expect(JSON.stringify(sandbox.state.apps())).not.toContain(secret);

    const secrets = await call('GET', `${APPS}/${app.id}/credentials/secrets`);
    expect(secrets.status).toBe(200);
    expect(secrets.body).toEqual([
      expect.objectContaining({
        client_secret: secret,
        status: 'ACTIVE',
        id: expect.stringMatching(/^ocs/),
        secret_hash: expect.any(String),
      }),
    ]);
  });

  it('creates an app INACTIVE when told activate=false', async () => {
    const res = await call('POST', `${APPS}?activate=false`, oidcApp('quiet'));
    expect(res.body.status).toBe('INACTIVE');
  });

  it('refuses to delete an active app, deletes it once deactivated, then 404s', async () => {
    const { body: app } = await call('POST', APPS, oidcApp('doomed'));
    const refused = await call('DELETE', `${APPS}/${app.id}`);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      errorCode: 'E0000056',
      errorSummary: 'Delete application forbidden.',
    });

    expect((await call('POST', `${APPS}/${app.id}/lifecycle/deactivate`)).status).toBe(200);
    expect((await call('GET', `${APPS}/${app.id}`)).body.status).toBe('INACTIVE');
    expect((await call('DELETE', `${APPS}/${app.id}`)).status).toBe(204);

    const gone = await call('GET', `${APPS}/${app.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({
      errorCode: 'E0000007',
      errorSummary: `Not found: Resource not found: ${app.id} (AppInstance)`,
    });
  });

  it('finds apps by q (case-insensitive label prefix) and allows duplicate labels', async () => {
    await call('POST', APPS, oidcApp('kong-portal-dev-team-a'));
    await call('POST', APPS, oidcApp('kong-portal-dev-team-a'));
    await call('POST', APPS, oidcApp('other-app'));
    const found = await call('GET', `${APPS}?q=KONG-portal-dev`);
    expect(found.body.map((a: { label: string }) => a.label)).toEqual([
      'kong-portal-dev-team-a',
      'kong-portal-dev-team-a',
    ]);
    expect((await call('GET', `${APPS}?q=nothing`)).body).toEqual([]);
  });

  it('pages long lists with a Link header the SDK can follow', async () => {
    for (const label of ['a1', 'a2', 'a3']) await call('POST', APPS, oidcApp(label));
    const first = await call('GET', `${APPS}?limit=2`);
    expect(first.body).toHaveLength(2);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1];
    expect(next).toBeDefined();
    const second = await call('GET', (next ?? '').replace(sandbox.url, ''));
    expect(second.body.map((a: { label: string }) => a.label)).toEqual(['a3']);
    expect(second.headers.get('link')).not.toContain('rel="next"');
  });

  it('replaces settings with PUT but keeps id and client credentials', async () => {
    const { body: app } = await call('POST', APPS, oidcApp('before'));
    const put = await call(
      'PUT',
      `${APPS}/${app.id}`,
      oidcApp('after', { redirect_uris: ['https://new.example.com/cb'] }),
    );
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      id: app.id,
      label: 'after',
      credentials: { oauthClient: { client_id: app.id } },
    });
    expect(put.body.settings.oauthClient.redirect_uris).toEqual(['https://new.example.com/cb']);
    expect((await call('GET', `${APPS}/${app.id}/credentials/secrets`)).body).toHaveLength(1);
  });

  it.each([
    ['a relative redirect URI', { redirect_uris: ['/team-a/auth'] }, 'settings.oauthClient.redirect_uris[0]'],
    [
      'refresh_token without authorization_code',
      { grant_types: ['refresh_token', 'client_credentials'] },
      'settings.oauthClient.grant_types',
    ],
    [
      'a token response type without implicit',
      { response_types: ['code', 'token'] },
      'settings.oauthClient.response_types',
    ],
  ])('rejects %s with 400 E0000001 naming the field', async (_, oauthClient, field) => {
    const res = await call('POST', APPS, oidcApp('bad', oauthClient));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      errorCode: 'E0000001',
      errorSummary: `Api validation failed: ${field}`,
    });
    expect(res.body.errorCauses[0].errorSummary).toMatch(
      new RegExp(`^${field.replace(/[.[\]]/g, '\\$&')}: `),
    );
    expect(sandbox.state.apps()).toEqual([]);
  });
});

describe('groups, assignments and the user schema', () => {
  it('starts with only the built-in Everyone group', async () => {
    const res = await call('GET', '/api/v1/groups');
    expect(res.body).toEqual([
      expect.objectContaining({
        type: 'BUILT_IN',
        profile: { name: 'Everyone', description: 'All users in your organization' },
      }),
    ]);
  });

  it('finds groups by search expression, q prefix and id', async () => {
    const devs = sandbox.control.addGroup('Developers', 'Portal developers');
    sandbox.control.addGroup('Dev Ops');
    const byName = await call(
      'GET',
      `/api/v1/groups?search=${encodeURIComponent('profile.name eq "Developers"')}`,
    );
    expect(byName.body.map((g: { id: string }) => g.id)).toEqual([devs.id]);
    const byId = await call(
      'GET',
      `/api/v1/groups?search=${encodeURIComponent(`id eq "${devs.id}" and type eq "OKTA_GROUP"`)}`,
    );
    expect(byId.body).toHaveLength(1);
    expect((await call('GET', '/api/v1/groups?q=dev')).body).toHaveLength(2);
    expect((await call('GET', `/api/v1/groups/${devs.id}`)).body.profile.name).toBe('Developers');
    expect((await call('GET', '/api/v1/groups/00gAAAAAAAAAAAAAAAAA')).body.errorSummary).toContain(
      '(UserGroup)',
    );
  });

  it('assigns groups idempotently and removes them again', async () => {
    const { body: app } = await call('POST', APPS, oidcApp('assigned'));
    const devs = sandbox.control.addGroup('Developers');
    const path = `${APPS}/${app.id}/groups/${devs.id}`;
    expect((await call('PUT', path, {})).status).toBe(200);
    const again = await call('PUT', path, {});
    expect(again.body).toMatchObject({ id: devs.id, priority: 0 });
    expect((await call('GET', `${APPS}/${app.id}/groups`)).body).toHaveLength(1);
    expect((await call('GET', path)).status).toBe(200);
    expect((await call('DELETE', path)).status).toBe(204);
    expect((await call('GET', path)).status).toBe(404);
    expect((await call('PUT', `${APPS}/${app.id}/groups/00gAAAAAAAAAAAAAAAAA`, {})).status).toBe(404);
    expect((await call('PUT', `${APPS}/0oaAAAAAAAAAAAAAAAAA/groups/${devs.id}`, {})).status).toBe(404);
  });

  it('serves the default user schema with base and custom attributes', async () => {
    sandbox.control.addUserAttribute('workEmail');
    const res = await call('GET', '/api/v1/meta/schemas/user/default');
    expect(res.status).toBe(200);
    const { base, custom } = res.body.definitions;
    expect(Object.keys(base.properties)).toEqual(
      expect.arrayContaining(['login', 'email', 'firstName', 'lastName', 'mobilePhone', 'secondEmail']),
    );
    expect(Object.keys(custom.properties)).toEqual(['workEmail']);
  });
});

describe('authorization servers, claims, policies and rules', () => {
  async function provision() {
    const { body: app } = await call('POST', APPS, oidcApp('kong-portal-dev-team-a'));
    const server = await call('POST', SERVERS, {
      name: 'kong-portal-dev-team-a',
      audiences: ['api://kong-portal-dev-team-a'],
      description: 'owned by req-1',
    });
    const id: string = server.body.id;
    const claim = await call('POST', `${SERVERS}/${id}/claims`, {
      name: 'user.login',
      claimType: 'IDENTITY',
      valueType: 'EXPRESSION',
      value: 'user.login',
      alwaysIncludeInToken: true,
      conditions: { scopes: [] },
    });
    const policy = await call('POST', `${SERVERS}/${id}/policies`, {
      type: 'OAUTH_AUTHORIZATION_POLICY',
      name: 'kong-portal-dev-team-a',
      description: 'Kong Dev Portal team-a',
      conditions: { clients: { include: [app.credentials.oauthClient.client_id] } },
    });
    return { app, server, claim, policy, id };
  }

  it('creates the runbook resources and publishes the discovery document at the issuer', async () => {
    const { server, claim, policy, id } = await provision();
    expect(server.status).toBe(201);
    expect(server.body).toMatchObject({
      status: 'ACTIVE',
      issuerMode: 'ORG_URL',
      issuer: `${sandbox.url}/oauth2/${id}`,
    });
    expect(id).toMatch(/^aus[0-9A-Za-z]{17}$/);
    expect(claim.status).toBe(201);
    expect(claim.body).toMatchObject({
      id: expect.stringMatching(/^ocl/),
      status: 'ACTIVE',
      value: 'user.login',
    });
    expect(policy.status).toBe(201);
    expect(policy.body).toMatchObject({ id: expect.stringMatching(/^00p/), priority: 1, status: 'ACTIVE' });

    const rule = await call('POST', `${SERVERS}/${id}/policies/${policy.body.id}/rules`, runbookRule());
    expect(rule.status).toBe(201);
    expect(rule.body).toMatchObject({
      id: expect.stringMatching(/^0pr/),
      type: 'RESOURCE_ACCESS',
      priority: 1,
    });
    expect(sandbox.state.rules(id, policy.body.id)).toHaveLength(1);

    const discovery = await call('GET', `/oauth2/${id}/.well-known/openid-configuration`, undefined, null);
    expect(discovery.status).toBe(200);
    expect(discovery.body).toMatchObject({
      issuer: server.body.issuer,
      authorization_endpoint: `${server.body.issuer}/v1/authorize`,
      token_endpoint: `${server.body.issuer}/v1/token`,
      jwks_uri: `${server.body.issuer}/v1/keys`,
    });

    expect((await call('POST', `${SERVERS}/${id}/lifecycle/deactivate`)).status).toBe(204);
    expect(
      (await call('GET', `/oauth2/${id}/.well-known/openid-configuration`, undefined, null)).status,
    ).toBe(404);
  });

  it('deletes a server together with its claims, policies and rules', async () => {
    const { policy, id } = await provision();
    await call('POST', `${SERVERS}/${id}/policies/${policy.body.id}/rules`, runbookRule());
    expect((await call('DELETE', `${SERVERS}/${id}`)).status).toBe(204);
    expect(sandbox.state.authServers()).toEqual([]);
    expect(sandbox.state.claims(id)).toEqual([]);
    expect(sandbox.state.policies(id)).toEqual([]);
    expect((await call('GET', `${SERVERS}/${id}/claims`)).status).toBe(404);
  });

  it('keeps server names unique in the org', async () => {
    await provision();
    const dup = await call('POST', SERVERS, { name: 'kong-portal-dev-team-a', audiences: ['api://other'] });
    expect(dup.status).toBe(400);
    expect(dup.body).toMatchObject({
      errorCode: 'E0000001',
      errorSummary: 'Api validation failed: name',
      errorCauses: [
        { errorSummary: 'name: An object with this field already exists in the current organization' },
      ],
    });
  });

  it.each([
    [{ accessTokenLifetimeMinutes: 1 }, 'actions.token.accessTokenLifetimeMinutes'],
    [
      { accessTokenLifetimeMinutes: 60, refreshTokenWindowMinutes: 5 },
      'actions.token.refreshTokenWindowMinutes',
    ],
    [{ refreshTokenLifetimeMinutes: 30 }, 'actions.token.refreshTokenLifetimeMinutes'],
  ])('enforces token lifetime limits on rules (%j)', async (token, field) => {
    const { policy, id } = await provision();
    const res = await call('POST', `${SERVERS}/${id}/policies/${policy.body.id}/rules`, runbookRule(token));
    expect(res.status).toBe(400);
    expect(res.body.errorSummary).toBe(`Api validation failed: ${field}`);
    expect(res.body.errorCauses[0].errorSummary).toMatch(new RegExp(`^${field}: `));
  });

  it('rejects a policy for an unknown client and a claim on an unknown profile attribute', async () => {
    const { id } = await provision();
    const policy = await call('POST', `${SERVERS}/${id}/policies`, {
      type: 'OAUTH_AUTHORIZATION_POLICY',
      name: 'p',
      description: 'd',
      conditions: { clients: { include: ['0oaNOSUCHCLIENT00000'] } },
    });
    expect(policy.body.errorSummary).toBe('Api validation failed: conditions.clients.include');
    const claim = await call('POST', `${SERVERS}/${id}/claims`, {
      name: 'mail',
      claimType: 'IDENTITY',
      valueType: 'EXPRESSION',
      value: 'user.workEmail',
    });
    expect(claim.body.errorSummary).toBe('Api validation failed: value');
  });
});

describe('reserved claim names (Okta support: OIDC Bearer Tokens: List of Reserved Claims)', () => {
  const claim = (id: string, name: string, claimType: 'IDENTITY' | 'RESOURCE') =>
    call('POST', `${SERVERS}/${id}/claims`, {
      name,
      claimType,
      valueType: 'EXPRESSION',
      value: 'user.login',
    });

  it('refuses, for an ID-token claim, exactly the names the request check refuses', async () => {
    // The request check (core) and the Okta model (sandbox) keep their own copy of Okta's list: they must agree.
    const { body: server } = await call('POST', SERVERS, { name: 'claims', audiences: ['api://claims'] });
    const id = String(server.id);
    for (const name of RESERVED_ID_TOKEN_CLAIMS) {
      const res = await claim(id, name, 'IDENTITY');
      expect({ name, status: res.status, summary: res.body.errorSummary }).toEqual({
        name,
        status: 400,
        summary: 'Api validation failed: name',
      });
    }
  });

  it('reserves groups, acr and username in access tokens only', async () => {
    const { body: server } = await call('POST', SERVERS, { name: 'claims', audiences: ['api://claims'] });
    const id = String(server.id);
    for (const name of ['groups', 'acr', 'username']) {
      expect((await claim(id, name, 'RESOURCE')).status).toBe(400);
      expect((await claim(id, name, 'IDENTITY')).status).toBe(201);
    }
  });
});

describe('contract validation is live', () => {
  it('rejects a claim whose claimType the schema does not allow, citing the schema', async () => {
    const { body: server } = await call('POST', SERVERS, { name: 's', audiences: ['api://s'] });
    const res = await call('POST', `${SERVERS}/${server.id}/claims`, {
      name: 'c',
      claimType: 'BOGUS',
      valueType: 'EXPRESSION',
      value: 'user.login',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      errorCode: 'E0000001',
      errorSummary: 'Api validation failed: claimType',
    });
    expect(res.body.errorCauses).toEqual([
      {
        errorSummary: expect.stringMatching(
          /^claimType: must be equal to one of the allowed values: IDENTITY, RESOURCE/,
        ),
      },
    ]);
    expect(sandbox.state.claims(server.id)).toEqual([]);
  });

  it('rejects an app with an unknown signOnMode', async () => {
    const res = await call('POST', APPS, { ...oidcApp('x'), signOnMode: 'NOPE' });
    expect(res.status).toBe(400);
    expect(res.body.errorSummary).toBe('Api validation failed: signOnMode');
  });

  it('answers E0000003 to a body that is not JSON', async () => {
    const res = await call('POST', APPS, '{not json');
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('E0000003');
  });
});

describe('injected faults', () => {
  it('fails once with 503, then succeeds', async () => {
    sandbox.control.inject({ route: APPS, method: 'POST', status: 503 });
    const failed = await call('POST', APPS, oidcApp('retry-me'));
    expect(failed.status).toBe(503);
    expect(failed.body.errorCode).toMatch(/^E00000/);
    expect(sandbox.state.apps()).toEqual([]);
    expect((await call('POST', APPS, oidcApp('retry-me'))).status).toBe(200);
    expect(sandbox.control.callsTo('POST', APPS).map((c) => c.status)).toEqual([503, 200]);
  });

  it('answers 429 E0000047 with the reset announced in the headers', async () => {
    sandbox.control.inject({ route: '/api/v1/groups', rateLimitResetInSeconds: 30 });
    const before = Math.ceil(Date.now() / 1000);
    const res = await call('GET', '/api/v1/groups');
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({
      errorCode: 'E0000047',
      errorSummary: 'API call exceeded rate limit due to too many requests.',
    });
    expect(res.headers.get('x-rate-limit-remaining')).toBe('0');
    const reset = Number(res.headers.get('x-rate-limit-reset'));
    expect(reset).toBeGreaterThanOrEqual(before + 30);
    expect(reset).toBeLessThanOrEqual(before + 31);
    expect((await call('GET', '/api/v1/groups')).status).toBe(200);
  });

  it('commits a create whose response is lost', async () => {
    sandbox.control.inject({ route: APPS, method: 'POST', loseResponse: true });
    await expect(call('POST', APPS, oidcApp('lost-but-made'))).rejects.toThrow();
    expect(sandbox.state.apps()).toEqual([expect.objectContaining({ label: 'lost-but-made' })]);
    const found = await call('GET', `${APPS}?q=lost-but-made`);
    expect(found.body).toHaveLength(1);
  });
});

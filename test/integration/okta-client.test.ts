// Intent: the Okta client makes calls the real Okta would accept (the sandbox checks every body
// and answer against Okta's OpenAPI document), is find-or-create everywhere, undoes only what its
// request owns, and maps every failure onto the error taxonomy without leaking the client secret.
import { OktaClient, type AppSpec } from '../../lambdas/clients/okta';
import {
  ConflictError,
  PermanentError,
  RateLimitedError,
  TransientError,
  ValidationError,
} from '../../lambdas/core/errors';
import { startOktaSandbox, type OktaSandbox } from '../../local/sandboxes/okta';
import { captureOutput, everythingIn } from '../support/capture-output';
import { createHandMadeApp, createHandMadeServer } from '../support/okta-seed';
import { rejection } from '../support/rejection';

/** An owner in the (dev, team-a) workspace. */
const owner = (requestId: string) => ({ scope: { environment: 'dev', workspace: 'team-a' }, requestId });

let sandbox: OktaSandbox;
let client: OktaClient;

const APPS = '/api/v1/apps';
const SERVERS = '/api/v1/authorizationServers';

const appSpec = (overrides: Partial<AppSpec> = {}): AppSpec => ({
  label: 'kong-portal-dev.team-a',
  owner: owner('req-1'),
  redirectUri: 'https://cp.example.com:8447/team-a/auth',
  postLogoutRedirectUris: ['https://cp.example.com:8447/team-a/auth', 'https://cp.example.com:8446/team-a'],
  scopes: ['openid', 'profile', 'email', 'offline_access'],
  ...overrides,
});

const serverSpec = {
  name: 'kong-portal-dev.team-a',
  audience: 'api://kong-portal-dev.team-a',
  description: 'Kong Dev Portal team-a',
  owner: owner('req-1'),
};

beforeAll(async () => {
  sandbox = await startOktaSandbox();
  client = new OktaClient({ orgUrl: `${sandbox.url}/`, token: sandbox.token, timeoutMs: 2_000 });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.control.reset();
  sandbox.control.clearFaults();
});
afterEach(() => expect(sandbox.control.contractViolations).toEqual([]));

describe('groups and user schema', () => {
  it('resolves groups by name and by id', async () => {
    const devs = sandbox.control.addGroup('Developers');
    const resolved = await client.directory.resolveGroups(['Everyone', devs.id]);
    expect(resolved.map((g) => g.name)).toEqual(['Everyone', 'Developers']);
    expect(resolved[1]?.id).toBe(devs.id);
  });

  it('names every unknown or ambiguous group', async () => {
    sandbox.control.addGroup('Twins');
    sandbox.control.addGroup('Twins');
    const err = (await rejection(
      client.directory.resolveGroups(['Everyone', 'Nobody', 'Twins', '00gAAAAAAAAAAAAAAAAA']),
    )) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues).toEqual([
      { field: 'oktaGroups.1', reason: "no Okta group is named 'Nobody'" },
      {
        field: 'oktaGroups.2',
        reason: "2 Okta groups match 'Twins' (Twins, Twins); give the group id instead",
      },
      { field: 'oktaGroups.3', reason: "no Okta group has the id '00gAAAAAAAAAAAAAAAAA'" },
    ]);
  });

  it('checks the e-mail attribute exists in the default user profile', async () => {
    await expect(client.directory.assertUserAttribute('login')).resolves.toBeUndefined();
    const err = (await rejection(client.directory.assertUserAttribute('workEmail'))) as ValidationError;
    expect(err.issues[0]?.field).toBe('emailAttribute');
    sandbox.control.addUserAttribute('workEmail');
    await expect(client.directory.assertUserAttribute('workEmail')).resolves.toBeUndefined();
  });
});

describe('OIDC app', () => {
  it('creates a Web app with the redirect URIs and returns the secret only on create', async () => {
    const first = await client.apps.ensure(appSpec());
    expect(first.created).toBe(true);
    expect(first.clientSecret).toEqual(expect.any(String));
    const [app] = sandbox.state.apps();
    expect(app).toMatchObject({
      label: 'kong-portal-dev.team-a',
      signOnMode: 'OPENID_CONNECT',
      status: 'ACTIVE',
      settings: {
        oauthClient: {
          application_type: 'web',
          redirect_uris: ['https://cp.example.com:8447/team-a/auth'],
          post_logout_redirect_uris: [
            'https://cp.example.com:8447/team-a/auth',
            'https://cp.example.com:8446/team-a',
          ],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
        },
      },
    });
    expect(await client.apps.readClientSecret(first.id)).toBe(first.clientSecret);
  });

  it('grants refresh tokens only when offline_access is requested', async () => {
    await client.apps.ensure(appSpec({ scopes: ['openid', 'email'] }));
    expect(sandbox.state.apps()[0]).toMatchObject({
      settings: { oauthClient: { grant_types: ['authorization_code'] } },
    });
  });

  it('creates exactly one app when called twice, and reports who created it', async () => {
    const first = await client.apps.ensure(appSpec());
    const again = await client.apps.ensure(appSpec());
    const otherRequest = await client.apps.ensure(appSpec({ owner: owner('req-2') }));
    expect(sandbox.state.apps()).toHaveLength(1);
    expect(again).toEqual({ id: first.id, clientId: first.clientId, created: true });
    expect(otherRequest).toEqual({ id: first.id, clientId: first.clientId, created: false });
    expect(sandbox.control.callsTo('POST', APPS)).toHaveLength(1);
  });

  it('adopts the app whose create response was lost instead of creating a second one', async () => {
    sandbox.control.inject({ route: APPS, method: 'POST', loseResponse: true });
    expect(await rejection(client.apps.ensure(appSpec()))).toBeInstanceOf(TransientError);
    expect(sandbox.state.apps()).toHaveLength(1);
    const adopted = await client.apps.ensure(appSpec());
    expect(sandbox.state.apps()).toHaveLength(1);
    expect(adopted).toMatchObject({ id: sandbox.state.apps()[0]?.id, created: true });
    expect(await client.apps.readClientSecret(adopted.id)).toEqual(expect.any(String));
  });

  it('refuses to take over an app with our label that the provisioner did not create', async () => {
    const handMade = await createHandMadeApp(sandbox, 'kong-portal-dev.team-a');
    const err = await rejection(client.apps.ensure(appSpec()));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toMatch(new RegExp(`${handMade}.*not created by kong-portal-provisioner`));
    expect(sandbox.state.apps()).toHaveLength(1);
  });

  it('undo deactivates then deletes its own app, and is done when already gone', async () => {
    const app = await client.apps.ensure(appSpec());
    expect(await client.apps.remove({ id: app.id, name: appSpec().label }, owner('req-1'))).toEqual({
      removed: [app.id],
      leftAlone: [],
    });
    expect(sandbox.state.apps()).toEqual([]);
    expect(await client.apps.remove({ id: app.id, name: appSpec().label }, owner('req-1'))).toEqual({
      removed: [],
      leftAlone: [],
    });
  });

  it('undo by name removes only what this request owns and reports the rest', async () => {
    const earlier = await client.apps.ensure(appSpec({ owner: owner('req-0') }));
    const foreignId = await createHandMadeApp(sandbox, 'kong-portal-dev.team-a');
    const report = await client.apps.remove({ name: 'kong-portal-dev.team-a' }, owner('req-1'));
    expect(report.removed).toEqual([]);
    expect(report.leftAlone).toEqual(
      expect.arrayContaining([
        { id: foreignId, reason: 'not created by kong-portal-provisioner: never removed automatically' },
        { id: earlier.id, reason: 'created by another provisioner request: not this request to remove' },
      ]),
    );
    expect(sandbox.state.apps()).toHaveLength(2);
  });
});

describe('drift from an earlier provisioning', () => {
  it('refuses to adopt an app whose redirect URI no longer matches Kong, instead of rewriting it', async () => {
    await client.apps.ensure(appSpec({ owner: owner('req-0') }));
    const err = await rejection(
      client.apps.ensure(appSpec({ redirectUri: 'https://cp.example.com:9447/team-a/auth' })),
    );
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toMatch(
      /redirect URIs are .*8447.*not 'https:\/\/cp.example.com:9447\/team-a\/auth'.*Tear down/,
    );
  });

  it('refuses an authorization server from an earlier provisioning with another audience', async () => {
    await client.authServers.ensure({ ...serverSpec, owner: owner('req-0') });
    const err = await rejection(client.authServers.ensure({ ...serverSpec, audience: 'api://other' }));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toMatch(/audiences are .*not 'api:\/\/other'/);
  });

  it('refuses a claim or rule from an earlier provisioning with other settings', async () => {
    const { id } = await client.authServers.ensure(serverSpec);
    await client.authorization.ensureClaim(id, { name: 'user.login', value: 'user.login' });
    expect(
      await rejection(client.authorization.ensureClaim(id, { name: 'user.login', value: 'user.email' })),
    ).toBeInstanceOf(ConflictError);
    const policy = await client.authorization.ensureAccessPolicy(id, {
      name: 'p',
      description: 'd',
      clientId: 'ALL_CLIENTS',
      owner: owner('req-1'),
    });
    await client.authorization.ensurePolicyRule(id, policy.id, {
      name: 'r',
      accessTokenMinutes: 60,
      refreshTokenWindowMinutes: 10080,
    });
    expect(
      await rejection(
        client.authorization.ensurePolicyRule(id, policy.id, {
          name: 'r',
          accessTokenMinutes: 30,
          refreshTokenWindowMinutes: 10080,
        }),
      ),
    ).toBeInstanceOf(ConflictError);
  });
});

describe('group assignments', () => {
  it('assigns each group once and undoes only what it is told', async () => {
    const app = await client.apps.ensure(appSpec());
    const devs = sandbox.control.addGroup('Developers');
    const everyone = sandbox.state.groups().find((g) => g.profile.name === 'Everyone');
    const first = await client.apps.ensureGroupAssignments(app.id, [devs.id, everyone!.id]);
    expect(first.every((a) => a.created)).toBe(true);
    const second = await client.apps.ensureGroupAssignments(app.id, [devs.id, everyone!.id]);
    expect(second.every((a) => !a.created)).toBe(true);
    expect(sandbox.state.appGroupAssignments(app.id)).toHaveLength(2);
    await client.apps.removeGroupAssignments(app.id, [devs.id]);
    await client.apps.removeGroupAssignments(app.id, [devs.id]);
    expect(sandbox.state.appGroupAssignments(app.id).map((a) => a.id)).toEqual([everyone!.id]);
  });
});

describe('authorization server, claim, policy and rule', () => {
  async function provisionServer() {
    const app = await client.apps.ensure(appSpec());
    const server = await client.authServers.ensure(serverSpec);
    const claim = await client.authorization.ensureClaim(server.id, {
      name: 'user.login',
      value: 'user.login',
    });
    const policy = await client.authorization.ensureAccessPolicy(server.id, {
      name: 'kong-portal-dev.team-a',
      description: 'Kong Dev Portal team-a',
      clientId: app.clientId,
      owner: owner('req-1'),
    });
    const rule = await client.authorization.ensurePolicyRule(server.id, policy.id, {
      name: 'kong-portal-dev.team-a',
      accessTokenMinutes: 60,
      refreshTokenWindowMinutes: 10080,
    });
    return { app, server, claim, policy, rule };
  }

  it('creates the runbook resources once, however often it is called', async () => {
    const first = await provisionServer();
    const second = await provisionServer();
    expect([first.server, first.claim, first.policy, first.rule].every((r) => r.created)).toBe(true);
    expect(second.claim.created).toBe(false);
    expect(second.rule.created).toBe(false);
    expect(second.server).toEqual(first.server);
    const [server] = sandbox.state.authServers();
    expect(sandbox.state.authServers()).toHaveLength(1);
    expect(server).toMatchObject({
      audiences: ['api://kong-portal-dev.team-a'],
      issuer: `${sandbox.url}/oauth2/${first.server.id}`,
    });
    expect(sandbox.state.claims(first.server.id)).toEqual([
      expect.objectContaining({
        name: 'user.login',
        claimType: 'IDENTITY',
        valueType: 'EXPRESSION',
        value: 'user.login',
        alwaysIncludeInToken: true,
      }),
    ]);
    expect(sandbox.state.policies(first.server.id)).toEqual([
      expect.objectContaining({
        type: 'OAUTH_AUTHORIZATION_POLICY',
        conditions: { clients: { include: [first.app.clientId] } },
      }),
    ]);
    expect(sandbox.state.rules(first.server.id, first.policy.id)).toEqual([
      expect.objectContaining({
        conditions: expect.objectContaining({
          grantTypes: { include: ['authorization_code'] },
          people: expect.objectContaining({ groups: expect.objectContaining({ include: ['EVERYONE'] }) }),
          scopes: { include: ['*'] },
        }),
        actions: {
          token: expect.objectContaining({
            accessTokenLifetimeMinutes: 60,
            refreshTokenWindowMinutes: 10080,
          }),
        },
      }),
    ]);
  });

  it('adopts an authorization server whose create response was lost', async () => {
    sandbox.control.inject({ route: SERVERS, method: 'POST', loseResponse: true });
    expect(await rejection(client.authServers.ensure(serverSpec))).toBeInstanceOf(TransientError);
    const adopted = await client.authServers.ensure(serverSpec);
    expect(adopted.created).toBe(true);
    expect(sandbox.state.authServers()).toHaveLength(1);
  });

  it('removes its own server with everything in it, and leaves a hand-made one alone', async () => {
    const { server } = await provisionServer();
    const report = await client.authServers.remove({ id: server.id, name: serverSpec.name }, owner('req-1'));
    expect(report).toEqual({ removed: [server.id], leftAlone: [] });
    expect(sandbox.state.authServers()).toEqual([]);

    const foreign = await createHandMadeServer(sandbox, serverSpec.name);
    expect(await rejection(client.authServers.ensure(serverSpec))).toBeInstanceOf(ConflictError);
    const foreignReport = await client.authServers.remove({ name: serverSpec.name }, owner('req-1'));
    expect(foreignReport.leftAlone).toEqual([
      { id: foreign, reason: 'not created by kong-portal-provisioner: never removed automatically' },
    ]);
    expect(sandbox.state.authServers()).toHaveLength(1);
  });

  it('undoes a claim, rule and policy individually (404 counts as done)', async () => {
    const { server, claim, policy, rule } = await provisionServer();
    await client.authorization.removePolicyRule(server.id, policy.id, rule.id);
    await client.authorization.removeAccessPolicy(server.id, policy.id);
    await client.authorization.removeClaim(server.id, claim.id);
    // Each undo again: already gone counts as done.
    await client.authorization.removePolicyRule(server.id, policy.id, rule.id);
    await client.authorization.removeAccessPolicy(server.id, policy.id);
    await client.authorization.removeClaim(server.id, claim.id);
    expect(sandbox.state.claims(server.id)).toEqual([]);
    expect(sandbox.state.policies(server.id)).toEqual([]);
  });
});

describe('error mapping', () => {
  it('400: a ValidationError carrying Okta errorCauses', async () => {
    const { id } = await client.authServers.ensure(serverSpec);
    const policy = await client.authorization.ensureAccessPolicy(id, {
      name: 'p',
      description: 'd',
      clientId: 'ALL_CLIENTS',
      owner: owner('req-1'),
    });
    const err = (await rejection(
      client.authorization.ensurePolicyRule(id, policy.id, {
        name: 'r',
        accessTokenMinutes: 1,
        refreshTokenWindowMinutes: 10080,
      }),
    )) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toMatch(/E0000001/);
    expect(err.issues.map((i) => i.field)).toContain('actions.token.accessTokenLifetimeMinutes');
  });

  it('401: a PermanentError that says the token is wrong', async () => {
    const badClient = new OktaClient({ orgUrl: sandbox.url, token: 'not-the-token' });
    const err = await rejection(badClient.directory.resolveGroups(['Everyone']));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/HTTP 401 E0000011.*API token is invalid/);
  });

  it('403: a PermanentError that names the missing permission', async () => {
    sandbox.control.denyPermission('POST', SERVERS);
    const err = await rejection(client.authServers.ensure(serverSpec));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(
      /createAuthorizationServer was forbidden \(HTTP 403 E0000006\).*Super Administrator/,
    );
  });

  it('404 on a lookup by id is "not there", not a failure', async () => {
    expect(
      await client.authServers.remove({ id: 'ausDOESNOTEXIST00000', name: 'x' }, owner('req-1')),
    ).toEqual({
      removed: [],
      leftAlone: [],
    });
  });

  it('429: a RateLimitedError carrying the reset time', async () => {
    sandbox.control.inject({ route: '/api/v1/groups', rateLimitResetInSeconds: 30 });
    const err = (await rejection(client.directory.resolveGroups(['Everyone']))) as RateLimitedError;
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.retryAfterSeconds()).toBeGreaterThanOrEqual(29);
    expect(err.retryAfterSeconds()).toBeLessThanOrEqual(31);
    expect(sandbox.control.callsTo('GET', '/api/v1/groups')).toHaveLength(1); // the SDK did not retry by itself
  });

  it('5xx: a TransientError, and the next call succeeds', async () => {
    sandbox.control.inject({ route: APPS, method: 'GET', status: 503 });
    expect(await rejection(client.apps.ensure(appSpec()))).toBeInstanceOf(TransientError);
    expect((await client.apps.ensure(appSpec())).created).toBe(true);
  });

  it('timeout: a TransientError', async () => {
    const impatient = new OktaClient({ orgUrl: sandbox.url, token: sandbox.token, timeoutMs: 200 });
    sandbox.control.inject({ route: '/api/v1/groups', latencyMs: 1_000 });
    const err = await rejection(impatient.directory.resolveGroups(['Everyone']));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/timed out/);
  });
});

describe('secret hygiene', () => {
  it('the client secret appears only in the create result and readClientSecret', async () => {
    const output = captureOutput();
    const seen: string[] = [];
    let secret: string;
    try {
      const app = await client.apps.ensure(appSpec());
      secret = app.clientSecret as string;
      seen.push(JSON.stringify(await client.apps.ensure(appSpec())));
      sandbox.control.inject({ route: '/api/v1/apps/{appId}/credentials/secrets', status: 500 });
      seen.push(everythingIn(await rejection(client.apps.readClientSecret(app.id))));
      sandbox.control.inject({ route: '/api/v1/apps/{appId}/lifecycle/deactivate', status: 400 });
      seen.push(everythingIn(await rejection(client.apps.remove({ id: app.id, name: 'x' }, owner('req-1')))));
      seen.push(JSON.stringify(await client.apps.remove({ id: app.id, name: 'x' }, owner('req-1'))));
    } finally {
      output.restore();
    }
    expect(secret.length).toBeGreaterThan(20);
    expect(output.text()).toContain('okta app created');
    for (const text of [...seen, output.text()]) expect(text).not.toContain(secret);
  });
});

describe('redirects and oversized answers', () => {
  // Intent (safety): the SSWS token goes to the configured org only; a redirect is an error.
  it('refuses a redirect instead of following it with the API token', async () => {
    const { createServer } = await import('node:http');
    const seen: unknown[] = [];
    const elsewhere = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    const { port } = elsewhere.address() as { port: number };
    try {
      sandbox.control.inject({
        route: '/api/v1/groups',
        status: 302,
        body: {},
        headers: { location: `http://127.0.0.1:${port}/api/v1/groups` },
      });
      const err = await rejection(client.directory.resolveGroups(['Everyone']));
      expect(err).toBeInstanceOf(PermanentError);
      expect(err.message).toMatch(/redirect \(HTTP 302\), which is not followed/);
      expect(seen).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
    }
  });

  it('refuses an answer too large to read', async () => {
    sandbox.control.inject({
      route: '/api/v1/groups',
      status: 200,
      body: [{ pad: 'x'.repeat(5 * 1024 * 1024) }],
    });
    const err = await rejection(client.directory.resolveGroups(['Everyone']));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/too large/);
  });
});

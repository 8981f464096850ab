// Intent: the Kong client reads where a workspace's portal lives, writes the OpenID Connect
// settings Kong's own schema accepts (the sandbox checks them against Kong's OpenAPI document),
// restores a snapshot exactly, verifies against a live issuer, and maps failures without leaking.
import { KongClient, PORTAL_KEYS } from '../../lambdas/clients/kong';
import { PermanentError, RateLimitedError, TransientError, ValidationError } from '../../lambdas/core/errors';
import { buildPortalAuthConf } from '../../lambdas/core/portal-auth-conf';
import { derivePortalUrls } from '../../lambdas/core/portal-urls';
import { startKongSandbox, type KongSandbox } from '../../local/sandboxes/kong';
import { startOktaSandbox, type OktaSandbox } from '../../local/sandboxes/okta';
import { captureOutput, everythingIn } from '../support/capture-output';
import { rejection } from '../support/rejection';

let kong: KongSandbox;
let okta: OktaSandbox;
let client: KongClient;

const WORKSPACE = '/workspaces/{workspace_id_or_name}';
const SECRET = 'kong-test-client-secret-0123456789abcdef';

/** What a check of Kong's answer expects for confFor(issuer). */
function expectFor(issuer: string, clientId = '0oaclient1234567890') {
  return {
    issuer,
    clientId,
    redirectUri: derivePortalUrls('team-a', kong.state.nodeConfiguration()).redirectUri,
  };
}

function confFor(issuer: string, clientId = '0oaclient1234567890') {
  const urls = derivePortalUrls('team-a', kong.state.nodeConfiguration());
  return buildPortalAuthConf({
    issuer,
    clientId,
    clientSecret: SECRET,
    urls,
    claimName: 'user.login',
    scopes: ['openid', 'email'],
    sslVerify: true,
  });
}

beforeAll(async () => {
  [kong, okta] = await Promise.all([startKongSandbox(), startOktaSandbox()]);
  client = new KongClient({ adminUrl: `${kong.url}/`, token: kong.token, timeoutMs: 2_000 });
});
afterAll(() => Promise.all([kong.close(), okta.close()]));
beforeEach(() => {
  kong.control.reset();
  kong.control.clearFaults();
  kong.control.addWorkspace('team-a');
});
afterEach(() => expect(kong.control.contractViolations).toEqual([]));

describe('reading the portal environment', () => {
  it('returns the node configuration and the workspace settings undo will restore', async () => {
    const env = await client.readPortalEnvironment('team-a');
    expect(env.configuration.portal).toBe(true);
    expect(Object.keys(env.settings).sort()).toEqual([...PORTAL_KEYS].sort());
    expect(env.settings.portal).toBe(false);
    expect(derivePortalUrls('team-a', env.configuration).redirectUri).toMatch(
      /^http:\/\/localhost:8004\/team-a\/auth$/,
    );
  });

  it('derives https URLs from an ssl-only node', async () => {
    kong.control.setNodeConfiguration({
      portal_gui_protocol: 'https',
      portal_gui_host: 'portal.example.com:8446',
    });
    const env = await client.readPortalEnvironment('team-a');
    expect(derivePortalUrls('team-a', env.configuration)).toEqual({
      portalGuiUrl: 'https://portal.example.com:8446/team-a',
      portalApiBase: 'https://portal.example.com:8447',
      redirectUri: 'https://portal.example.com:8447/team-a/auth',
    });
  });

  it('an unknown workspace is a ValidationError on the workspace field', async () => {
    const err = (await rejection(client.readPortalEnvironment('nope'))) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues).toEqual([{ field: 'workspace', reason: "Kong has no workspace named 'nope'" }]);
  });

  it('a node with the portal off is a PermanentError that says how to fix it', async () => {
    kong.control.setNodeConfiguration({ portal: false });
    const err = await rejection(client.readPortalEnvironment('team-a'));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/portal = off in kong.conf/);
  });
});

describe('applying and restoring portal settings', () => {
  it('turns the portal on with OpenID Connect and leaves other settings alone', async () => {
    kong.control.addWorkspace('team-b', { portal_emails_from: 'dev@example.com' });
    await client.applyPortalAuth(
      'team-b',
      { authConf: confFor('https://okta.example.com/oauth2/aus1'), autoApprove: true },
      expectFor('https://okta.example.com/oauth2/aus1'),
    );
    await client.applyPortalAuth(
      'team-b',
      { authConf: confFor('https://okta.example.com/oauth2/aus1'), autoApprove: true },
      expectFor('https://okta.example.com/oauth2/aus1'),
    );
    const config: Record<string, unknown> = { ...kong.state.workspace('team-b')?.config };
    expect(config).toMatchObject({
      portal: true,
      portal_auth: 'openid-connect',
      portal_auto_approve: true,
      portal_emails_from: 'dev@example.com',
    });
    expect(JSON.parse(String(config.portal_auth_conf))).toEqual(
      confFor('https://okta.example.com/oauth2/aus1'),
    );
  });

  it('restores a snapshot exactly, including values that were unset', async () => {
    kong.control.addWorkspace('legacy', {
      portal: true,
      portal_auth: 'basic-auth',
      portal_auto_approve: false,
    });
    for (const workspace of ['team-a', 'legacy']) {
      const before = await client.readPortalSettings(workspace);
      await client.applyPortalAuth(
        workspace,
        { authConf: confFor('https://okta.example.com/oauth2/aus1'), autoApprove: true },
        expectFor('https://okta.example.com/oauth2/aus1'),
      );
      await client.restorePortalSettings(workspace, before);
      expect(await client.readPortalSettings(workspace)).toEqual(before);
    }
  });

  it('a snapshot Kong refuses is a ValidationError naming the field', async () => {
    const err = (await rejection(
      client.restorePortalSettings('team-a', { portal: false, portal_auth: 'bogus' }),
    )) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues.map((i) => i.field)).toContain('config.portal_auth');
  });
});

describe('checking what Kong stored, from its answer to the write', () => {
  it('passes when Kong holds our conf, and says what Kong will send to Okta', async () => {
    const issuer = `${okta.url}/oauth2/aus1`;
    expect(
      await client.applyPortalAuth(
        'team-a',
        { authConf: confFor(issuer), autoApprove: false },
        expectFor(issuer),
      ),
    ).toEqual({
      discoveryUrl: `${issuer}/.well-known/openid-configuration`,
      redirectUri: expectFor(issuer).redirectUri,
      scopes: ['openid', 'email'],
    });
    // One write, nothing read back.
    expect(kong.control.callsTo('GET', '/workspaces/{workspace_id_or_name}')).toHaveLength(0);
  });

  it('fails with every mismatch named', async () => {
    const issuer = `${okta.url}/oauth2/aus1`;
    const err = await rejection(
      client.applyPortalAuth(
        'team-a',
        { authConf: confFor(issuer, '0oaSOMEONEELSE123456'), autoApprove: false },
        { ...expectFor(issuer), redirectUri: 'https://elsewhere/team-a/auth' },
      ),
    );
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(
      /client_id is not '0oaclient1234567890'.*redirect_uri is '.*', expected 'https:\/\/elsewhere\/team-a\/auth'/,
    );
  });
});

describe('error mapping', () => {
  it('401: a PermanentError about the RBAC token', async () => {
    const err = await rejection(
      new KongClient({ adminUrl: kong.url, token: 'wrong' }).readPortalEnvironment('team-a'),
    );
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/HTTP 401.*RBAC token/);
  });

  it('403: a PermanentError about the RBAC permission', async () => {
    kong.control.addRbacToken('read-only-token', { readOnly: true });
    const readOnly = new KongClient({ adminUrl: kong.url, token: 'read-only-token' });
    await expect(readOnly.readPortalEnvironment('team-a')).resolves.toBeDefined();
    const err = await rejection(
      readOnly.applyPortalAuth(
        'team-a',
        { authConf: confFor('https://i.example.com'), autoApprove: false },
        expectFor('https://i.example.com'),
      ),
    );
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/HTTP 403.*needs read and update on '\/workspaces\/\*'/);
  });

  it('5xx is transient and the retry succeeds', async () => {
    kong.control.inject({ route: WORKSPACE, method: 'PATCH', status: 503 });
    const apply = () =>
      client.applyPortalAuth(
        'team-a',
        { authConf: confFor('https://i.example.com'), autoApprove: false },
        expectFor('https://i.example.com'),
      );
    expect(await rejection(apply())).toBeInstanceOf(TransientError);
    await expect(apply()).resolves.toMatchObject({
      redirectUri: expectFor('https://i.example.com').redirectUri,
    });
  });

  it('429 is rate-limited with the reset time from Retry-After', async () => {
    kong.control.inject({
      route: WORKSPACE,
      method: 'GET',
      status: 429,
      body: { message: 'API rate limit exceeded' },
      headers: { 'Retry-After': '7' },
    });
    const err = (await rejection(client.readPortalSettings('team-a'))) as RateLimitedError;
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.retryAfterSeconds()).toBeGreaterThanOrEqual(6);
  });

  it('a lost response is transient, and the write it lost is already in place', async () => {
    kong.control.inject({ route: WORKSPACE, method: 'PATCH', loseResponse: true });
    const err = await rejection(
      client.applyPortalAuth(
        'team-a',
        { authConf: confFor('https://i.example.com'), autoApprove: false },
        expectFor('https://i.example.com'),
      ),
    );
    expect(err).toBeInstanceOf(TransientError);
    expect(kong.state.workspace('team-a')?.config.portal_auth).toBe('openid-connect');
  });

  it('a timeout is transient', async () => {
    const impatient = new KongClient({ adminUrl: kong.url, token: kong.token, timeoutMs: 200 });
    kong.control.inject({ route: WORKSPACE, method: 'GET', latencyMs: 1_000 });
    const err = await rejection(impatient.readPortalSettings('team-a'));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/timed out/);
  });

  it('never lets the client secret out, even when Kong echoes it back', async () => {
    const output = captureOutput();
    let err: Error;
    try {
      kong.control.inject({
        route: WORKSPACE,
        method: 'PATCH',
        status: 400,
        body: {
          code: 2,
          name: 'schema violation',
          message: `schema violation (config.portal_auth_conf: bad value '${SECRET}')`,
          fields: { config: { portal_auth_conf: `bad value '${SECRET}'` } },
        },
      });
      err = await rejection(
        client.applyPortalAuth(
          'team-a',
          { authConf: confFor('https://i.example.com'), autoApprove: false },
          expectFor('https://i.example.com'),
        ),
      );
    } finally {
      output.restore();
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain("bad value '***'");
    expect(everythingIn(err)).not.toContain(SECRET);
    expect(output.text()).toContain('kong call failed'); // the failure was logged...
    expect(output.text()).not.toContain(SECRET); // ...without the secret
  });
});

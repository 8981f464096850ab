// Intent: one execution of the real state machine definition does the whole runbook - Okta app,
// group assignment, authorization server, claim, policy, rule, secret, Kong portal config - a
// second run of the same request creates and changes nothing, and a dry run writes nothing.
import { buildPortalAuthConf } from '../../lambdas/core/portal-auth-conf';
import { runLocally, type JsonValue } from '../../local/workflow/runner';
import { provisioningInput, useHarness, type Harness } from './harness';

const harness = useHarness();
let h: Harness;
beforeEach(() => {
  h = harness();
});
beforeEach(() => h.reset());

interface Output {
  status: string;
  issuer: string;
  clientId: string;
  portalUrl: string;
  redirectUri: string;
  clientSecretArn: string;
  created: Record<string, boolean>;
}

const secretNames = () =>
  h.secrets.state
    .secrets()
    .filter((s) => !s.deletedDate)
    .map((s) => s.name)
    .sort();

it('provisions everything and reports issuer, client id, portal URL and secret ARN', async () => {
  const execution = await h.run(provisioningInput({ autoApprove: true }));
  expect(execution.status).toBe('SUCCEEDED');
  const output = execution.output as unknown as Output;

  const [app] = h.okta.state.apps();
  expect(h.okta.state.apps()).toHaveLength(1);
  expect(app).toMatchObject({
    label: 'kong-portal-dev.team-a',
    status: 'ACTIVE',
    settings: {
      oauthClient: {
        redirect_uris: ['http://localhost:8004/team-a/auth'],
        post_logout_redirect_uris: ['http://localhost:8004/team-a/auth', 'http://localhost:8003/team-a'],
        grant_types: ['authorization_code', 'refresh_token'],
      },
    },
  });
  const developers = h.okta.state.groups().find((g) => g.profile.name === 'Developers');
  expect(h.okta.state.appGroupAssignments(app!.id).map((a) => a.id)).toEqual([developers!.id]);

  const [server] = h.okta.state.authServers();
  expect(h.okta.state.authServers()).toHaveLength(1);
  expect(server).toMatchObject({
    name: 'kong-portal-dev.team-a',
    audiences: ['api://kong-portal-dev.team-a'],
  });
  expect(h.okta.state.claims(server!.id)).toEqual([
    expect.objectContaining({ name: 'user.login', value: 'user.login' }),
  ]);
  const [policy] = h.okta.state.policies(server!.id);
  expect(policy).toMatchObject({
    conditions: { clients: { include: [app!.credentials.oauthClient.client_id] } },
  });
  expect(h.okta.state.rules(server!.id, policy!.id)).toHaveLength(1);

  const secret = await h.ctx.okta.apps.readClientSecret(app!.id);
  expect(await h.ctx.secrets.get(output.clientSecretArn)).toBe(secret);
  expect(secretNames()).toEqual([
    'kong-portal-provisioner/dev/team-a/client-secret',
    'kong-portal-provisioner/dev/team-a/kong-baseline',
  ]);

  const config = h.kong.state.workspace('team-a')!.config;
  expect(config).toMatchObject({ portal: true, portal_auth: 'openid-connect', portal_auto_approve: true });
  expect(JSON.parse(String(config.portal_auth_conf))).toEqual(
    buildPortalAuthConf({
      issuer: server!.issuer,
      clientId: app!.credentials.oauthClient.client_id,
      clientSecret: secret,
      urls: {
        portalGuiUrl: 'http://localhost:8003/team-a',
        redirectUri: 'http://localhost:8004/team-a/auth',
      },
      claimName: 'user.login',
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      sslVerify: true,
    }),
  );

  expect(output).toMatchObject({
    status: 'SUCCEEDED',
    issuer: server!.issuer,
    clientId: app!.credentials.oauthClient.client_id,
    portalUrl: 'http://localhost:8003/team-a',
    redirectUri: 'http://localhost:8004/team-a/auth',
  });
  expect(Object.values(output.created).every(Boolean)).toBe(true);
});

it('derives the redirect URI from the ssl listener when the portal GUI is https', async () => {
  h.kong.control.setNodeConfiguration({
    portal_gui_protocol: 'https',
    portal_gui_host: 'portal.example.com:8446',
  });
  const execution = await h.run(provisioningInput());
  expect(execution.status).toBe('SUCCEEDED');
  expect(h.okta.state.apps()[0]?.settings.oauthClient.redirect_uris).toEqual([
    'https://portal.example.com:8447/team-a/auth',
  ]);
});

it('running the same request again creates nothing and changes nothing', async () => {
  expect((await h.run(provisioningInput())).status).toBe('SUCCEEDED');
  const kongBefore = structuredClone(h.kong.state.workspace('team-a')!.config);
  const posts = h.okta.control.calls.filter(
    (c) => c.method === 'POST' && !c.path.includes('lifecycle'),
  ).length;

  const again = await h.run(provisioningInput());
  expect(again.status).toBe('SUCCEEDED');
  expect(Object.values((again.output as unknown as Output).created).some(Boolean)).toBe(false);
  expect(
    h.okta.control.calls.filter((c) => c.method === 'POST' && !c.path.includes('lifecycle')).length,
  ).toBe(posts);
  expect(h.okta.state.apps()).toHaveLength(1);
  expect(h.okta.state.authServers()).toHaveLength(1);
  expect(h.kong.state.workspace('team-a')!.config).toEqual(kongBefore);
  expect(secretNames()).toEqual([
    'kong-portal-provisioner/dev/team-a/client-secret',
    'kong-portal-provisioner/dev/team-a/kong-baseline',
  ]);
});

it('a dry run returns the plan and writes nothing, with any existing secret masked', async () => {
  const oldSecret = 'previous-client-secret-do-not-show-0123';
  h.kong.control.addWorkspace('legacy', {
    portal: true,
    portal_auth: 'openid-connect',
    portal_auth_conf: JSON.stringify({
      issuer: 'https://old.example.com/.well-known/openid-configuration',
      client_id: ['old'],
      client_secret: [oldSecret],
    }),
  });
  const kongBefore = structuredClone(h.kong.state.workspace('legacy')!.config);
  const execution = await h.run(provisioningInput({ workspace: 'legacy', dryRun: true }));
  expect(execution.status).toBe('SUCCEEDED');
  const output = execution.output as {
    status: string;
    plan: {
      okta: Array<{ action: string; what: string }>;
      portal: { action: string; before: Record<string, unknown> };
    };
  };
  expect(output.status).toBe('PLANNED');
  expect(output.plan.okta.map((i) => i.action)).toEqual([
    'create',
    'create',
    'create',
    'create',
    'create',
    'create',
  ]);
  expect(output.plan.portal.action).toBe('change');
  expect(JSON.stringify(output.plan.portal.before)).toContain('***');
  expect(JSON.stringify(execution.events)).not.toContain(oldSecret);

  expect(h.okta.state.apps()).toEqual([]);
  expect(h.okta.state.authServers()).toEqual([]);
  expect(secretNames()).toEqual([]);
  expect(h.kong.state.workspace('legacy')!.config).toEqual(kongBefore);
  expect(h.okta.control.calls.filter((c) => c.method !== 'GET')).toEqual([]);
  expect(h.kong.control.calls.filter((c) => c.method !== 'GET')).toEqual([]);
});

it('an invalid request fails at once, naming the field, and touches nothing', async () => {
  const execution = await h.run(provisioningInput({ tokenLifetimes: { accessTokenMinutes: 2 } }));
  expect(execution.status).toBe('FAILED');
  expect(execution.error).toBe('ProvisioningFailed');
  expect(JSON.parse(execution.cause!)).toMatchObject({
    status: 'FAILED',
    error: { name: 'ValidationError', message: expect.stringContaining('tokenLifetimes.accessTokenMinutes') },
    leftovers: [],
  });
  expect(h.okta.control.calls).toEqual([]);
  expect(h.kong.control.calls).toEqual([]);
});

it('an unknown Okta group fails before anything is created', async () => {
  const execution = await h.run(provisioningInput({ oktaGroups: ['Developers', 'Ghosts'] }));
  expect(execution.status).toBe('FAILED');
  expect(execution.cause).toContain("oktaGroups.1: no Okta group is named 'Ghosts'");
  expect(h.okta.state.apps()).toEqual([]);
  expect(secretNames()).toEqual([]);
});

it('a re-provisioning that weakens an existing portal says so in the plan and in its outcome', async () => {
  // Intent (safety): turning ssl_verify off or auto-approve on for a live portal is recorded, not
  // only logged: the plan shows it before, the outcome (and so the request record) after.
  expect((await h.run(provisioningInput())).status).toBe('SUCCEEDED');
  const weaker = { sslVerify: false, autoApprove: true };
  const plan = await h.run(provisioningInput({ ...weaker, dryRun: true }));
  const expected = [
    expect.stringMatching(/^ssl_verify turned off/),
    expect.stringMatching(/^auto-approve turned on/),
  ];
  expect((plan.output as { plan: { warnings?: string[] } }).plan.warnings).toEqual(expected);
  const run = await h.run(provisioningInput(weaker));
  expect(run.status).toBe('SUCCEEDED');
  expect((run.output as { warnings?: string[] }).warnings).toEqual(expected);
  // Running it again changes nothing more, so it warns of nothing.
  const again = await h.run(provisioningInput(weaker));
  expect((again.output as { warnings?: string[] }).warnings).toBeUndefined();
});

it('talks to a Kong whose RBAC header is not the default (rbac_auth_header)', async () => {
  // Intent (fidelity): kong.conf may rename Kong-Admin-Token; the provisioner sends whatever the deployment says.
  h.kong.control.setNodeConfiguration({ rbac_auth_header: 'X-Kong-Rbac-Token' });
  const execution = await runLocally(
    provisioningInput() as JsonValue,
    h.ctxWith({ kongRbacHeader: 'X-Kong-Rbac-Token' }),
    {
      retryDelayMs: 0,
    },
  );
  expect(execution.status).toBe('SUCCEEDED');
  // The default header is refused by such a node, with a hint that names the setting.
  const refused = await h.run(provisioningInput());
  expect(refused.status).toBe('FAILED');
  expect(refused.cause).toMatch(/HTTP 401.*KONG_RBAC_HEADER/);
});

describe('claim names Okta reserves for ID tokens', () => {
  // Intent (fidelity): a reserved name is refused before anything is made, against Okta's own
  // list for custom authorization servers - and a name that is only reserved in access tokens
  // (a custom `groups` claim is common) is not.
  it.each(['sid', 'client_id', 'scope', 'email_verified', 'cnf'])(
    'refuses %s up front, calling Okta for nothing',
    async (claimName) => {
      const execution = await h.run(provisioningInput({ claimName }));
      expect(execution.status).toBe('FAILED');
      expect(execution.cause).toMatch(/claimName: is a claim name Okta reserves for ID tokens/);
      expect(h.okta.control.calls).toEqual([]);
    },
  );

  it.each(['groups', 'acr'])(
    'accepts %s, reserved only in access tokens, for the ID-token claim',
    async (claimName) => {
      const execution = await h.run(provisioningInput({ claimName }));
      expect(execution.status).toBe('SUCCEEDED');
      const server = h.okta.state.authServers()[0];
      expect(h.okta.state.claims(server!.id).map((c) => c.name)).toEqual([claimName]);
    },
  );
});

// Intent: one definition of what a user relies on, run for each portal target (a Kong EE workspace
// and a Konnect Dev Portal): a provisioning leaves a portal a developer can sign in to through Okta;
// running it again changes nothing; a dry run shows the portal's settings before and after and
// creates nothing; a teardown puts the portal back exactly as it was; every write to the portal,
// faulted (503, 429, lost response, 400), still ends with exactly one of everything or with
// everything as it was; and the client secret is in no state, output, error or log.
import { KonnectClient } from '../../lambdas/clients/konnect';
import { SecretStore } from '../../lambdas/clients/secrets';
import type { PortalTargetKind } from '../../lambdas/core/portal-target';
import type { Fault } from '../../local/sandboxes/http-sandbox';
import { IDP, IDPS, PORTAL } from '../../local/sandboxes/konnect';
import { teardownAsl } from '../../local/workflow/asl';
import { runLocally, type JsonValue } from '../../local/workflow/runner';
import { capturing } from '../support/capture-output';
import { provisioningInput, useHarness, type Harness } from './harness';

const harness = useHarness();
let h: Harness;
beforeEach(() => {
  h = harness();
});

interface TargetCase {
  target: PortalTargetKind;
  /** The request fields that name the portal. */
  fields: Record<string, JsonValue>;
  /** The request's key: the Okta names' scope and the teardown path. */
  key: string;
  /** The portal as a test set it up before the run. */
  prepare(): Promise<void>;
  /** What the portal holds that a provisioning changes: compared whole before and after. */
  settings(): unknown;
  /** Why a developer could not sign in now (none: it works through this issuer and client). */
  signInProblems(issuer: string, clientId: string): string[];
  /** Every write a provisioning makes to the portal. */
  writes: ReadonlyArray<{ method: string; route: string }>;
  /** Every write a teardown makes to it (after a provisioning with autoApprove on). */
  teardownWrites: ReadonlyArray<{ method: string; route: string }>;
  sandbox(): Pick<Harness['kong']['control'], 'inject' | 'callsTo'>;
}

const KONG_PRIOR = { portal: false, portal_auth: 'basic-auth', portal_auto_approve: false };

const konnectPortalId = () => h.konnect.state.portals()[0]!.id;

const CASES: TargetCase[] = [
  {
    target: 'kong-ee-workspace',
    fields: { workspace: 'team-a' },
    key: 'team-a',
    prepare: () => h.reset(KONG_PRIOR),
    settings: () => {
      const c = h.kong.state.workspace('team-a')!.config;
      return {
        portal: c.portal,
        portal_auth: c.portal_auth,
        portal_auth_conf: c.portal_auth_conf,
        portal_auto_approve: c.portal_auto_approve,
      };
    },
    signInProblems: () => h.kong.state.signInProblems('team-a'),
    writes: [{ method: 'PATCH', route: '/workspaces/{workspace_id_or_name}' }],
    teardownWrites: [{ method: 'PATCH', route: '/workspaces/{workspace_id_or_name}' }],
    sandbox: () => h.kong.control,
  },
  {
    target: 'konnect',
    fields: { target: 'konnect', portal: 'developer-portal' },
    key: 'konnect.developer-portal',
    async prepare() {
      await h.reset();
      // A SAML provider someone set up and left disabled: it must survive everything untouched.
      h.konnect.control.addIdentityProvider(konnectPortalId(), {
        type: 'saml',
        enabled: false,
        config: { idp_metadata_url: 'https://idp.example.com/metadata' },
      });
    },
    settings: () => {
      const portal = h.konnect.state.portal(konnectPortalId())!;
      return {
        authentication_enabled: portal.authentication_enabled,
        auto_approve_developers: portal.auto_approve_developers,
        providers: h.konnect.state
          .identityProviders(konnectPortalId())
          .map(({ id, type, enabled, config }) => ({ id, type, enabled, config })),
      };
    },
    signInProblems: (issuer, clientId) =>
      h.konnect.state.signInProblems(konnectPortalId(), { issuerUrl: issuer, clientId }),
    writes: [
      { method: 'PATCH', route: PORTAL },
      { method: 'POST', route: IDPS },
      { method: 'PATCH', route: IDP },
    ],
    teardownWrites: [
      { method: 'DELETE', route: IDP },
      { method: 'PATCH', route: PORTAL },
    ],
    sandbox: () => h.konnect.control,
  },
];

const FAULTS: Record<string, Omit<Fault, 'route' | 'method'>> = {
  '503 once': { status: 503 },
  '429 with reset': { rateLimitResetInSeconds: 2 },
  'write committed, response lost': { loseResponse: true },
  'permanent 400': { status: 400 },
};

function oktaOf(key: string) {
  const name = `kong-portal-dev.${key}`;
  const apps = h.okta.state.apps().filter((a) => a.label === name);
  const servers = h.okta.state.authServers().filter((s) => s.name === name);
  return { apps, servers };
}

const liveSecrets = () =>
  h.secrets.state
    .secrets()
    .filter((s) => !s.deletedDate)
    .map((s) => s.name)
    .sort();

let n = 0;
const teardown = (key: string) =>
  runLocally(
    {
      requestId: `td-targets-${++n}`,
      request: { workspace: key, environment: 'dev', requestedBy: 'ops@example.com' },
    },
    h.ctx,
    { definition: teardownAsl(), retryDelayMs: 0 },
  );

describe.each(CASES)('$target', (c) => {
  const input = (extra: Record<string, JsonValue> = {}) => {
    const base = provisioningInput({ ...c.fields, ...extra }) as { request: Record<string, JsonValue> };
    if (c.target === 'konnect') delete base.request.workspace;
    return base as unknown as JsonValue;
  };

  beforeEach(() => c.prepare());

  it('provisions a portal a developer can sign in to through Okta, with the redirect URI Okta allows', async () => {
    const execution = await h.run(input());
    expect(execution.status).toBe('SUCCEEDED');
    const { apps, servers } = oktaOf(c.key);
    expect(apps).toHaveLength(1);
    expect(servers).toHaveLength(1);
    const output = execution.output as { issuer: string; clientId: string; redirectUri: string };
    expect(c.signInProblems(output.issuer, output.clientId)).toEqual([]);
    expect(apps[0]!.settings.oauthClient.redirect_uris).toEqual([output.redirectUri]);
  });

  it('run again: the same app, server and portal settings, nothing duplicated', async () => {
    expect((await h.run(input())).status).toBe('SUCCEEDED');
    const first = { okta: oktaOf(c.key), settings: c.settings() };
    expect((await h.run(input())).status).toBe('SUCCEEDED');
    const again = oktaOf(c.key);
    expect(again.apps.map((a) => a.id)).toEqual(first.okta.apps.map((a) => a.id));
    expect(again.servers.map((s) => s.id)).toEqual(first.okta.servers.map((s) => s.id));
    expect(c.settings()).toEqual(first.settings);
  });

  it('a dry run shows the portal settings before and after, masked, and changes nothing', async () => {
    const before = c.settings();
    const execution = await h.run(input({ dryRun: true }));
    expect(execution.status).toBe('SUCCEEDED');
    const { plan } = execution.output as {
      plan: { portal: { target: string; action: string; before: unknown; after: unknown } };
    };
    expect(plan.portal).toMatchObject({ target: c.target, action: 'change' });
    expect(plan.portal.after).not.toEqual(plan.portal.before);
    expect(JSON.stringify(plan.portal.after)).toContain('***');
    expect(c.settings()).toEqual(before);
    expect(oktaOf(c.key).apps).toHaveLength(0);
    expect(liveSecrets()).toEqual([]);
  });

  it('a teardown puts the portal back exactly as it was and removes what the provisioning made', async () => {
    const before = c.settings();
    expect((await h.run(input())).status).toBe('SUCCEEDED');
    expect(c.settings()).not.toEqual(before);
    const execution = await teardown(c.key);
    expect(execution.status).toBe('SUCCEEDED');
    expect(c.settings()).toEqual(before);
    expect(oktaOf(c.key).apps).toHaveLength(0);
    expect(oktaOf(c.key).servers).toHaveLength(0);
    expect(liveSecrets()).toEqual([]);
  });

  describe.each(c.writes)('$method $route', (write) => {
    it.each(Object.keys(FAULTS))('%s', async (faultName) => {
      const before = { settings: c.settings(), apps: h.okta.state.apps().length };
      c.sandbox().inject({ ...write, ...FAULTS[faultName] });
      const execution = await h.run(input());
      if (faultName === 'permanent 400') {
        expect(execution.status).toBe('FAILED');
        expect(JSON.parse(execution.cause!)).toMatchObject({ leftovers: [] });
        expect(
          c
            .sandbox()
            .callsTo(write.method, write.route)
            .filter((x) => x.status === 400),
        ).toHaveLength(1);
        expect(c.settings()).toEqual(before.settings);
        expect(h.okta.state.apps()).toHaveLength(before.apps);
        expect(liveSecrets()).toEqual([]);
      } else {
        expect(execution.status).toBe('SUCCEEDED');
        const { apps, servers } = oktaOf(c.key);
        expect([apps.length, servers.length]).toEqual([1, 1]);
        const output = execution.output as { issuer: string; clientId: string };
        expect(c.signInProblems(output.issuer, output.clientId)).toEqual([]);
      }
    });
  });

  describe.each(c.teardownWrites)('teardown: $method $route', (write) => {
    it.each(['503 once', '429 with reset', 'write committed, response lost'])(
      '%s: the portal still ends exactly as it was',
      async (faultName) => {
        const before = c.settings();
        expect((await h.run(input({ autoApprove: true }))).status).toBe('SUCCEEDED');
        c.sandbox().inject({ ...write, ...FAULTS[faultName] });
        const execution = await teardown(c.key);
        expect(execution.status).toBe('SUCCEEDED');
        // The fault was met (a delete whose answer was lost is found done on the retry: no second call).
        expect(c.sandbox().callsTo(write.method, write.route).length).toBeGreaterThanOrEqual(1);
        expect(c.settings()).toEqual(before);
        expect(oktaOf(c.key).apps).toHaveLength(0);
      },
    );

    it('permanent 400: the teardown does not claim success and names what it left', async () => {
      expect((await h.run(input({ autoApprove: true }))).status).toBe('SUCCEEDED');
      c.sandbox().inject({ ...write, status: 400, times: 100 });
      const execution = await teardown(c.key);
      expect(execution.status).toBe('FAILED');
      // What may remain is named, the portal's settings first: a re-run finishes the job.
      const { leftovers } = JSON.parse(execution.cause!) as { leftovers: string[] };
      expect(leftovers[0]).toMatch(/-(workspace|portal):.*:(portal|sign-in)-settings/);
      expect(leftovers.join(' ')).toContain(`kong-portal-dev.${c.key}`);
    });
  });

  it('never exposes the client secret: not in the events, the output, an error or a log', async () => {
    const stored: string[] = [];
    const put = SecretStore.prototype.put;
    jest.spyOn(h.ctx.secrets, 'put').mockImplementation(async function (
      this: SecretStore,
      name,
      value,
      meta,
    ) {
      if (name.endsWith('/client-secret')) stored.push(value);
      return put.call(h.ctx.secrets, name, value, meta);
    });
    try {
      const { result: execution, text: logs } = await capturing(() => h.run(input()));
      expect(execution.status).toBe('SUCCEEDED');
      expect(stored).toHaveLength(1);
      for (const text of [JSON.stringify(execution.events), JSON.stringify(execution.output), logs])
        expect(text).not.toContain(stored[0]);
    } finally {
      jest.restoreAllMocks();
    }
  });
});

describe('konnect: refused before anything is created in Okta', () => {
  const konnectInput = (portal: string) => {
    const base = provisioningInput({ target: 'konnect', portal }) as { request: Record<string, JsonValue> };
    delete base.request.workspace;
    return base as unknown as JsonValue;
  };
  beforeEach(() => h.reset());

  it('a portal that does not exist: the error names it', async () => {
    const execution = await h.run(konnectInput('no-such-portal'));
    expect(execution.status).toBe('FAILED');
    expect(execution.cause).toContain("Konnect has no portal named 'no-such-portal'");
    expect(h.okta.state.apps()).toHaveLength(0);
    expect(h.okta.state.authServers()).toHaveLength(0);
    expect(liveSecrets()).toEqual([]);
  });

  it('a token that may only read: the error names the permission it lacks', async () => {
    h.konnect.control.addToken('kpat_viewer-only-token', { readOnly: true });
    const execution = await runLocally(
      konnectInput('developer-portal'),
      {
        ...h.ctx,
        konnect: new KonnectClient({
          baseUrl: h.konnect.url,
          token: 'kpat_viewer-only-token',
          timeoutMs: 2_000,
        }),
      },
      { retryDelayMs: 0 },
    );
    expect(execution.status).toBe('FAILED');
    expect(execution.cause).toMatch(/lacks permission/);
    expect(execution.cause).not.toContain('kpat_viewer-only-token');
    expect(h.okta.state.apps()).toHaveLength(0);
    expect(liveSecrets()).toEqual([]);
  });

  it('an OIDC identity provider someone else made is refused by name before Okta is touched, and left as it was', async () => {
    const portalId = konnectPortalId();
    const theirs = h.konnect.control.addIdentityProvider(portalId, {
      type: 'oidc',
      enabled: true,
      config: { issuer_url: 'https://other.example.com', client_id: 'their-client', client_secret: 's3cr3t' },
    });
    const before = h.konnect.state.identityProviders(portalId);
    const execution = await h.run(konnectInput('developer-portal'));
    expect(execution.status).toBe('FAILED');
    expect(execution.cause).toContain(
      `OIDC identity provider (${theirs.id}) that kong-portal-provisioner did not create`,
    );
    expect(h.konnect.state.identityProviders(portalId)).toEqual(before);
    expect(h.okta.control.callsTo('POST', '/api/v1/apps')).toHaveLength(0);
    expect(liveSecrets()).toEqual([]);
    expect(JSON.parse(execution.cause!)).toMatchObject({ leftovers: [] });
  });
});

describe('konnect: one portal, one owner, put back exactly', () => {
  const konnectInput = (portal: string, extra: Record<string, JsonValue> = {}) => {
    const base = provisioningInput({ target: 'konnect', portal, ...extra }) as {
      request: Record<string, JsonValue>;
    };
    delete base.request.workspace;
    return base as unknown as JsonValue;
  };
  beforeEach(() => h.reset());

  it('the same portal by id after it was provisioned by name is refused, naming the other key', async () => {
    expect((await h.run(konnectInput('developer-portal'))).status).toBe('SUCCEEDED');
    const providers = h.konnect.state.identityProviders(konnectPortalId());
    const execution = await h.run(konnectInput(konnectPortalId()));
    expect(execution.status).toBe('FAILED');
    expect(execution.cause).toContain("this portal is also named 'konnect.developer-portal'");
    expect(h.konnect.state.identityProviders(konnectPortalId())).toEqual(providers);
    expect(h.okta.state.apps()).toHaveLength(1);
  });

  it('a re-run that fails puts our provider back as the earlier run left it', async () => {
    expect((await h.run(konnectInput('developer-portal'))).status).toBe('SUCCEEDED');
    const before = h.konnect.state.identityProviders(konnectPortalId());
    // The re-run rewrites the provider, then Okta refuses the sign-in check: the run rolls back.
    h.okta.control.inject({
      route: '/oauth2/{authServerId}/v1/authorize',
      method: 'GET',
      status: 400,
      times: 10,
    });
    const execution = await h.run(konnectInput('developer-portal', { claimName: 'dev_email' }));
    expect(execution.status).toBe('FAILED');
    const after = h.konnect.state.identityProviders(konnectPortalId());
    expect(after.map(({ id, enabled, config }) => ({ id, enabled, config }))).toEqual(
      before.map(({ id, enabled, config }) => ({ id, enabled, config })),
    );
  });

  it('a portal deleted since does not stop the teardown: the Okta side is still removed', async () => {
    expect((await h.run(konnectInput('developer-portal'))).status).toBe('SUCCEEDED');
    // The portal is deleted and another made under the same name (the sandbox starts afresh).
    h.konnect.control.reset();
    const execution = await teardown('konnect.developer-portal');
    expect(execution.status).toBe('SUCCEEDED');
    expect(oktaOf('konnect.developer-portal').apps).toHaveLength(0);
    expect(oktaOf('konnect.developer-portal').servers).toHaveLength(0);
    expect(liveSecrets()).toEqual([]);
    expect(h.konnect.state.identityProviders(konnectPortalId())).toEqual([]);
  });

  it('a portal with a custom domain signs in on it, and Okta also allows its Konnect domain', async () => {
    const portal = h.konnect.control.setCustomDomain(konnectPortalId(), 'developers.example.com');
    const execution = await h.run(konnectInput('developer-portal'));
    expect(execution.status).toBe('SUCCEEDED');
    expect((execution.output as { redirectUri: string }).redirectUri).toBe(
      'https://developers.example.com/login',
    );
    const [app] = oktaOf('konnect.developer-portal').apps;
    expect(app!.settings.oauthClient.redirect_uris).toEqual([
      'https://developers.example.com/login',
      `https://${portal.default_domain}/login`,
    ]);
  });

  it('a dry run sends Konnect no write at all', async () => {
    const execution = await h.run(konnectInput('developer-portal', { dryRun: true }));
    expect(execution.status).toBe('SUCCEEDED');
    const writes = h.konnect.control.calls.filter((c) => c.method !== 'GET');
    expect(writes).toEqual([]);
  });
});

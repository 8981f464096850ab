// Intent: the Konnect client, over real HTTP against the Konnect sandbox (which checks every body
// against Konnect's OpenAPI document), finds portals, creates an OIDC identity provider disabled and
// enables it with a PATCH, updates and deletes it, updates the portal, and maps every failure onto our
// error taxonomy with Konnect-specific hints, never letting the token or the client secret out.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KonnectClient, type OidcProviderConfig } from '../../lambdas/clients/konnect';
import {
  ConflictError,
  PermanentError,
  RateLimitedError,
  TransientError,
  ValidationError,
} from '../../lambdas/core/errors';
import { konnectContract } from '../../local/contracts/validator';
import {
  IDP,
  IDPS,
  PORTAL,
  PORTALS,
  startKonnectSandbox,
  type KonnectSandbox,
} from '../../local/sandboxes/konnect';
import { captureOutput, everythingIn } from '../support/capture-output';
import { rejection } from '../support/rejection';

let konnect: KonnectSandbox;
let client: KonnectClient;
let portalId: string;

const SECRET = 'konnect-client-test-secret-0123456789abcdef';
const CONFIG: OidcProviderConfig = {
  issuer_url: 'https://example.okta.com/oauth2/aus1',
  client_id: '0oa1portalclient',
  client_secret: SECRET,
  scopes: ['openid', 'email', 'profile'],
  claim_mappings: { name: 'name', email: 'email', groups: 'groups' },
};

beforeAll(async () => {
  konnect = await startKonnectSandbox();
  client = new KonnectClient({ baseUrl: konnect.url, token: konnect.token, timeoutMs: 2_000 });
});
afterAll(() => konnect.close());
beforeEach(() => {
  konnect.control.reset();
  portalId = konnect.state.portals()[0]?.id ?? '';
});
afterEach(() => expect(konnect.control.contractViolations).toEqual([]));

/** A loopback proxy in front of the sandbox that keeps every request body the client sent. */
async function recordingProxy(): Promise<{
  url: string;
  bodies: Array<{ method: string; path: string; body: unknown }>;
  close(): Promise<void>;
}> {
  const target = new URL(konnect.url);
  const bodies: Array<{ method: string; path: string; body: unknown }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      bodies.push({
        method: req.method ?? '',
        path: req.url ?? '',
        body: raw ? (JSON.parse(raw) as unknown) : undefined,
      });
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.end(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('portals', () => {
  it('reads a portal with its domains and sign-in settings', async () => {
    konnect.control.setCustomDomain(portalId, 'developers.example.com');
    const portal = await client.getPortal(portalId);
    expect(portal).toEqual({
      id: portalId,
      name: 'developer-portal',
      defaultDomain: konnect.state.portal(portalId)?.default_domain,
      canonicalDomain: 'developers.example.com',
      authenticationEnabled: true,
      autoApproveDevelopers: false,
    });
  });

  it('an unknown portal is a PermanentError that names the portal id', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const err = await rejection(client.getPortal(unknown));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toContain(unknown);
  });

  it('finds a portal by its exact name with one filtered call, and answers undefined for none', async () => {
    const other = konnect.control.addPortal({ name: 'developer-portal-2' });
    expect((await client.findPortalByName('developer-portal-2'))?.id).toBe(other.id);
    expect(await client.findPortalByName('developer')).toBeUndefined();
    expect(konnect.control.callsTo('GET', PORTALS)).toHaveLength(2);
  });

  it('pages on until the exact name turns up, ignoring near matches the filter let through', async () => {
    const stored = konnect.state.portal(portalId);
    if (!stored) throw new Error('no portal');
    const { custom_domain: _c, ...shown } = stored;
    const nearMiss = (i: number) => ({
      ...shown,
      id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      name: 'Developer-Portal',
    });
    // Both pages as a server whose filter were case-insensitive would send them (contract-valid bodies).
    const page1 = {
      data: [...Array(100).keys()].map(nearMiss),
      meta: { page: { number: 1, size: 100, total: 101 } },
    };
    const page2 = { data: [shown], meta: { page: { number: 2, size: 100, total: 101 } } };
    for (const page of [page1, page2]) {
      expect(konnectContract().validateResponse('GET', '/portals', 200, page)).toEqual({ ok: true });
      konnect.control.inject({ route: PORTALS, method: 'GET', status: 200, body: page });
    }
    expect((await client.findPortalByName('developer-portal'))?.id).toBe(portalId);
    expect(konnect.control.callsTo('GET', PORTALS)).toHaveLength(2);
  });

  it('updates only the portal settings it is given', async () => {
    const proxy = await recordingProxy();
    try {
      const viaProxy = new KonnectClient({ baseUrl: proxy.url, token: konnect.token });
      const portal = await viaProxy.updatePortal(portalId, { auto_approve_developers: true });
      expect(portal).toMatchObject({ autoApproveDevelopers: true, authenticationEnabled: true });
      expect(proxy.bodies).toEqual([
        { method: 'PATCH', path: `/v3/portals/${portalId}`, body: { auto_approve_developers: true } },
      ]);
    } finally {
      await proxy.close();
    }
    expect(konnect.state.portal(portalId)?.auto_approve_developers).toBe(true);
  });
});

describe('the OIDC identity provider', () => {
  it('is created disabled, without `enabled` or `login_path` in the request, and enabled with a PATCH', async () => {
    const proxy = await recordingProxy();
    try {
      const viaProxy = new KonnectClient({ baseUrl: `${proxy.url}/v3/`, token: konnect.token });
      // Extra fields at run time (a caller's typo) are not sent either.
      const sloppy = { ...CONFIG, login_path: 'portal' } as OidcProviderConfig;
      const created = await viaProxy.createOidcProvider(portalId, sloppy);
      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        type: 'oidc',
        enabled: false,
        config: {
          issuer_url: CONFIG.issuer_url,
          client_id: CONFIG.client_id,
          scopes: CONFIG.scopes,
          claim_mappings: CONFIG.claim_mappings,
        },
      });
      const enabled = await viaProxy.setProviderEnabled(portalId, created.id, true);
      expect(enabled.enabled).toBe(true);
      expect(proxy.bodies).toEqual([
        {
          method: 'POST',
          path: `/v3/portals/${portalId}/identity-providers`,
          body: { type: 'oidc', config: CONFIG },
        },
        {
          method: 'PATCH',
          path: `/v3/portals/${portalId}/identity-providers/${created.id}`,
          body: { enabled: true },
        },
      ]);
    } finally {
      await proxy.close();
    }
    expect(konnect.state.identityProviders(portalId)).toEqual([
      expect.objectContaining({
        type: 'oidc',
        enabled: true,
        config: expect.objectContaining({ client_secret: SECRET }),
      }),
    ]);
    expect(
      konnect.state.signInProblems(portalId, { issuerUrl: CONFIG.issuer_url, clientId: CONFIG.client_id }),
    ).toEqual([]);
  });

  it('lists the providers without any secret', async () => {
    expect(await client.listIdentityProviders(portalId)).toEqual([]);
    await client.createOidcProvider(portalId, CONFIG);
    const listed = await client.listIdentityProviders(portalId);
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(SECRET);
  });

  it('replaces the config, secret included, and leaves `enabled` as it was', async () => {
    const created = await client.createOidcProvider(portalId, CONFIG);
    await client.setProviderEnabled(portalId, created.id, true);
    const updated = await client.updateOidcProvider(portalId, created.id, {
      ...CONFIG,
      issuer_url: 'https://example.okta.com/oauth2/aus2',
      client_secret: 'rotated-secret-0123456789',
    });
    expect(updated).toMatchObject({
      enabled: true,
      config: { issuer_url: 'https://example.okta.com/oauth2/aus2' },
    });
    expect(JSON.stringify(updated)).not.toContain('rotated-secret');
    expect(konnect.state.identityProviders(portalId)[0]?.config.client_secret).toBe(
      'rotated-secret-0123456789',
    );
  });

  it('drops a secret from the answer should Konnect ever return one', async () => {
    const created = await client.createOidcProvider(portalId, CONFIG);
    const leaky = { id: created.id, type: 'oidc', enabled: false, config: { ...CONFIG } };
    konnect.control.inject({ route: IDP, method: 'PATCH', status: 200, body: leaky });
    const answer = await client.setProviderEnabled(portalId, created.id, false);
    expect(answer.config).not.toHaveProperty('client_secret');
  });

  it('deletes: deleted, then absent', async () => {
    const created = await client.createOidcProvider(portalId, CONFIG);
    expect(await client.deleteProvider(portalId, created.id)).toBe('deleted');
    expect(await client.deleteProvider(portalId, created.id)).toBe('absent');
    expect(konnect.state.identityProviders(portalId)).toEqual([]);
  });

  it('an unknown provider is a PermanentError naming it; an unknown portal one naming the portal', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const err = await rejection(client.setProviderEnabled(portalId, unknown, true));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toContain(unknown);
    const noPortal = await rejection(client.listIdentityProviders(unknown));
    expect(noPortal).toBeInstanceOf(PermanentError);
    expect(noPortal.message).toContain(`no portal '${unknown}'`);
  });

  it('enabling while another provider is enabled is a ConflictError that says why', async () => {
    konnect.control.addIdentityProvider(portalId, {
      type: 'saml',
      enabled: true,
      config: { idp_metadata_url: 'https://idp.example.com/m' },
    });
    const created = await client.createOidcProvider(portalId, CONFIG);
    const err = await rejection(client.setProviderEnabled(portalId, created.id, true));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toMatch(/HTTP 409.*Only one identity provider can be active at a time/);
  });

  it('a config Konnect refuses is a ValidationError naming the field', async () => {
    const err = (await rejection(
      client.createOidcProvider(portalId, { ...CONFIG, issuer_url: 'not a url' }),
    )) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues.map((i) => i.field)).toEqual(['config.issuer_url']);
    expect(everythingIn(err)).not.toContain(SECRET);
  });
});

describe('error mapping', () => {
  it('401: a PermanentError saying Konnect rejected the token, without the token', async () => {
    const wrong = 'kpat_wrong-token-0123456789';
    const err = await rejection(
      new KonnectClient({ baseUrl: konnect.url, token: wrong }).getPortal(portalId),
    );
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/HTTP 401.*Konnect rejected the token/);
    expect(everythingIn(err)).not.toContain(wrong);
  });

  it('403: a PermanentError naming the missing permission and the portal', async () => {
    konnect.control.addToken('kpat_viewer', { readOnly: true });
    const viewer = new KonnectClient({ baseUrl: konnect.url, token: 'kpat_viewer' });
    await expect(viewer.getPortal(portalId)).resolves.toMatchObject({ id: portalId });
    const err = await rejection(viewer.createOidcProvider(portalId, CONFIG));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(
      new RegExp(
        `HTTP 403.*lacks permission to create identity providers on portal ${portalId}.*Portal Admin`,
      ),
    );

    konnect.control.addToken('spat_outsider', { portals: [] });
    const outsider = await rejection(
      new KonnectClient({ baseUrl: konnect.url, token: 'spat_outsider' }).getPortal(portalId),
    );
    expect(outsider.message).toMatch(
      new RegExp(`HTTP 403.*lacks permission to read the portal on portal ${portalId}`),
    );
  });

  it('5xx is transient and the retry succeeds', async () => {
    konnect.control.inject({ route: IDPS, method: 'POST', status: 503 });
    const err = await rejection(client.createOidcProvider(portalId, CONFIG));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/HTTP 503/);
    await expect(client.createOidcProvider(portalId, CONFIG)).resolves.toMatchObject({ type: 'oidc' });
  });

  it('429 is rate-limited, with the reset time from Retry-After', async () => {
    konnect.control.inject({ route: PORTAL, method: 'GET', rateLimitResetInSeconds: 7 });
    const err = (await rejection(client.getPortal(portalId))) as RateLimitedError;
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.retryAfterSeconds()).toBeGreaterThanOrEqual(6);
  });

  it('a lost response is transient, and the provider it created is there to be found', async () => {
    konnect.control.inject({ route: IDPS, method: 'POST', loseResponse: true });
    const err = await rejection(client.createOidcProvider(portalId, CONFIG));
    expect(err).toBeInstanceOf(TransientError);
    expect(await client.listIdentityProviders(portalId)).toEqual([
      expect.objectContaining({ type: 'oidc', enabled: false }),
    ]);
  });

  it('a timeout is transient', async () => {
    const impatient = new KonnectClient({ baseUrl: konnect.url, token: konnect.token, timeoutMs: 200 });
    konnect.control.inject({ route: PORTAL, method: 'GET', latencyMs: 1_000 });
    const err = await rejection(impatient.getPortal(portalId));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/timed out/);
  });

  it('a redirect is refused, not followed with the token', async () => {
    konnect.control.inject({
      route: PORTAL,
      method: 'GET',
      status: 302,
      body: {},
      headers: { location: 'https://elsewhere.example.com/v3/portals' },
    });
    const err = await rejection(client.getPortal(portalId));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/redirect \(HTTP 302 to https:\/\/elsewhere\.example\.com\)/);
  });

  it('an answer that is not a portal is a PermanentError naming the fields, not their values', async () => {
    konnect.control.inject({ route: PORTAL, method: 'GET', status: 200, body: { id: portalId, name: 42 } });
    const err = await rejection(client.getPortal(portalId));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/unexpected body \(at: name, default_domain/);
  });

  it('never lets the client secret or the token out, even when Konnect echoes them back', async () => {
    const output = captureOutput();
    let err: Error;
    try {
      konnect.control.inject({
        route: IDPS,
        method: 'POST',
        status: 400,
        body: {
          status: 400,
          title: 'Invalid Request',
          instance: 'kong:trace:1',
          detail: `Invalid Parameters for ${konnect.token}`,
          invalid_parameters: [
            { field: 'config.client_secret', reason: `'${SECRET}' is not allowed`, source: 'body' },
          ],
        },
      });
      err = await rejection(client.createOidcProvider(portalId, CONFIG));
    } finally {
      output.restore();
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain("config.client_secret: '***' is not allowed");
    expect(everythingIn(err)).not.toContain(SECRET);
    expect(everythingIn(err)).not.toContain(konnect.token);
    expect(output.text()).toContain('konnect call failed'); // the failure was logged...
    expect(output.text()).not.toContain(SECRET); // ...without the secret
    expect(output.text()).not.toContain(konnect.token); // ...or the token
  });
});

/**
 * The Konnect Portal Management v3 sandbox over real HTTP: Bearer auth (401/403), unknown portals and
 * identity providers (404), Konnect's 400 invalid_parameters, the writeOnly client secret, the bare
 * array of identity providers, 201/204, the one-active and one-per-type rules, portal listing and
 * domains, and the framework's contract check catching an answer Konnect would never send.
 */
import { konnectContract } from '../../local/contracts/validator';
import { startKonnectSandbox, type KonnectSandbox } from '../../local/sandboxes/konnect';

let konnect: KonnectSandbox;
let portalId: string;

const SECRET = 'konnect-sandbox-test-secret-0123456789';
const OIDC = {
  issuer_url: 'https://example.okta.com/oauth2/aus1',
  client_id: '0oa1portalclient',
  client_secret: SECRET,
  scopes: ['openid', 'email', 'profile'],
  claim_mappings: { name: 'name', email: 'email', groups: 'groups' },
};
const SAML = { idp_metadata_url: 'https://idp.example.com/saml/metadata' };

beforeAll(async () => {
  konnect = await startKonnectSandbox();
});

beforeEach(() => {
  konnect.control.reset();
  portalId = konnect.state.portals()[0]?.id ?? '';
});

afterEach(() => {
  // Any answer the vendor document forbids would show up here (and as a 500 to the client).
  expect(konnect.control.contractViolations).toEqual([]);
});

afterAll(() => konnect.close());

interface Answer {
  status: number;
  contentType: string | null;
  body: unknown;
  text: string;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  authorization: string | null = `Bearer ${konnect.token}`,
  base = konnect.url,
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== null) headers.authorization = authorization;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: text ? (JSON.parse(text) as unknown) : undefined,
    text,
  };
}

const obj = (answer: Answer) => answer.body as Record<string, unknown>;
const idps = (id = portalId) => `/v3/portals/${id}/identity-providers`;

async function createOidc(config: Record<string, unknown> = OIDC): Promise<Record<string, unknown>> {
  const res = await call('POST', idps(), { type: 'oidc', config });
  expect(res.status).toBe(201);
  return obj(res);
}

/** Checks a problem answer is one the document allows for that operation. */
function expectDocumented(method: string, template: string, answer: Answer) {
  expect(answer.contentType).toMatch(/^application\/problem\+json/);
  expect(konnectContract().validateResponse(method, template, answer.status, answer.body)).toEqual({
    ok: true,
  });
}

describe('authentication and roles', () => {
  it('answers 401 problem+json without a bearer token, with an unknown one, or with another scheme', async () => {
    for (const authorization of [null, 'Bearer kpat_nope', `Token ${konnect.token}`]) {
      const res = await call('GET', `/v3/portals/${portalId}`, undefined, authorization);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        status: 401,
        title: 'Unauthorized',
        instance: expect.stringMatching(/^kong:trace:\d+$/),
        detail: 'Unauthorized',
      });
      expectDocumented('GET', '/portals/{portalId}', res);
    }
  });

  it('reads the scheme case-insensitively, the token exactly', async () => {
    expect((await call('GET', `/v3/portals/${portalId}`, undefined, `bearer ${konnect.token}`)).status).toBe(
      200,
    );
    const shouted = `Bearer ${konnect.token.toUpperCase()}`;
    expect((await call('GET', `/v3/portals/${portalId}`, undefined, shouted)).status).toBe(401);
  });

  it('lets a read-only token read but not write, with 403 problem+json', async () => {
    konnect.control.addToken('kpat_viewer', { readOnly: true });
    expect((await call('GET', idps(), undefined, 'Bearer kpat_viewer')).status).toBe(200);
    const res = await call('POST', idps(), { type: 'oidc', config: OIDC }, 'Bearer kpat_viewer');
    expect(res.status).toBe(403);
    expect(obj(res)).toMatchObject({
      status: 403,
      title: 'Forbidden',
      detail: 'You do not have permission to perform this action',
    });
    expectDocumented('POST', '/portals/{portalId}/identity-providers', res);
    expect(konnect.state.identityProviders(portalId)).toEqual([]);
  });

  it('keeps a token without a role on the portal out of it, and out of the list', async () => {
    konnect.control.addToken('spat_nobody', { portals: [] });
    const res = await call('GET', `/v3/portals/${portalId}`, undefined, 'Bearer spat_nobody');
    expect(res.status).toBe(403);
    expect((await call('GET', idps(), undefined, 'Bearer spat_nobody')).status).toBe(403);
    const list = await call('GET', '/v3/portals', undefined, 'Bearer spat_nobody');
    expect(list.status).toBe(200);
    expect(obj(list).data).toEqual([]);
  });

  it('lets a token scoped to one portal see that one only', async () => {
    const other = konnect.control.addPortal({ name: 'partner-portal' });
    konnect.control.addToken('kpat_partner', { portals: [other.id] });
    const list = await call('GET', '/v3/portals', undefined, 'Bearer kpat_partner');
    expect((obj(list).data as Array<{ id: string }>).map((p) => p.id)).toEqual([other.id]);
    expect((await call('GET', `/v3/portals/${portalId}`, undefined, 'Bearer kpat_partner')).status).toBe(403);
  });
});

describe('portals', () => {
  it('starts with one ready portal whose canonical domain is its default domain', async () => {
    const res = await call('GET', `/v3/portals/${portalId}`);
    expect(res.status).toBe(200);
    expect(obj(res)).toMatchObject({
      id: portalId,
      name: 'developer-portal',
      authentication_enabled: true,
      auto_approve_developers: false,
      default_domain: expect.stringMatching(/^[0-9a-f]{12}\.us\.kongportals\.com$/),
    });
    expect(obj(res).canonical_domain).toBe(obj(res).default_domain);
    expect(obj(res)).not.toHaveProperty('custom_domain');
  });

  it('shows a custom domain as the canonical domain, and the default again once it is removed', async () => {
    konnect.control.setCustomDomain(portalId, 'developers.example.com');
    const custom = obj(await call('GET', `/v3/portals/${portalId}`));
    expect(custom.canonical_domain).toBe('developers.example.com');
    expect(custom.default_domain).not.toBe('developers.example.com');
    konnect.control.setCustomDomain(portalId, null);
    const plain = obj(await call('GET', `/v3/portals/${portalId}`));
    expect(plain.canonical_domain).toBe(plain.default_domain);
  });

  it('finds portals by filter[name][eq], filter[name] and filter[name][contains]', async () => {
    konnect.control.addPortal({ name: 'developer-portal-2' });
    const names = async (query: string) =>
      (obj(await call('GET', `/v3/portals?${query}`)).data as Array<{ name: string }>).map((p) => p.name);
    expect(await names('filter[name][eq]=developer-portal')).toEqual(['developer-portal']);
    expect(await names('filter[name]=developer-portal-2')).toEqual(['developer-portal-2']);
    expect(await names('filter[name][contains]=portal')).toEqual(['developer-portal', 'developer-portal-2']);
    expect(await names('filter[name][eq]=nope')).toEqual([]);
  });

  it('pages with page[size] and page[number] and reports the total', async () => {
    konnect.control.addPortal({ name: 'second' });
    konnect.control.addPortal({ name: 'third' });
    const res = obj(await call('GET', '/v3/portals?page[size]=2&page[number]=2'));
    expect((res.data as Array<{ name: string }>).map((p) => p.name)).toEqual(['third']);
    expect(res.meta).toEqual({ page: { number: 2, size: 2, total: 3 } });
  });

  it('refuses a non-numeric page size and an unknown filter with the query named', async () => {
    const res = await call('GET', '/v3/portals?page[size]=ten&filter[colour]=red');
    expect(res.status).toBe(400);
    expect(obj(res).invalid_parameters).toEqual([
      { field: 'page[size]', rule: 'is_number', reason: '"page[size]" must be a number', source: 'query' },
      {
        field: 'filter[colour]',
        rule: 'unknown_property',
        reason: '"filter[colour]" is not allowed',
        source: 'query',
      },
    ]);
    expectDocumented('GET', '/portals', res);
  });

  it('updates authentication_enabled and auto_approve_developers with PATCH', async () => {
    const res = await call('PATCH', `/v3/portals/${portalId}`, {
      authentication_enabled: false,
      auto_approve_developers: true,
    });
    expect(res.status).toBe(200);
    expect(obj(res)).toMatchObject({ authentication_enabled: false, auto_approve_developers: true });
    expect(konnect.state.portal(portalId)).toMatchObject({
      authentication_enabled: false,
      auto_approve_developers: true,
    });
  });

  it('refuses a PATCH field the document does not know, and a wrongly typed one', async () => {
    const res = await call('PATCH', `/v3/portals/${portalId}`, {
      custom_domain: 'x.example.com',
      rbac_enabled: 'no',
    });
    expect(res.status).toBe(400);
    expect(obj(res).invalid_parameters).toEqual(
      expect.arrayContaining([
        {
          field: 'custom_domain',
          rule: 'unknown_property',
          reason: '"custom_domain" is not allowed',
          source: 'body',
        },
        {
          field: 'rbac_enabled',
          rule: 'is_boolean',
          reason: 'value of "rbac_enabled" must be true or false',
          source: 'body',
        },
      ]),
    );
    expectDocumented('PATCH', '/portals/{portalId}', res);
  });

  it('keeps portal names unique with 409', async () => {
    konnect.control.addPortal({ name: 'taken' });
    const res = await call('PATCH', `/v3/portals/${portalId}`, { name: 'taken' });
    expect(res.status).toBe(409);
    expectDocumented('PATCH', '/portals/{portalId}', res);
    expect(konnect.state.portal(portalId)?.name).toBe('developer-portal');
  });
});

describe('404 for what does not exist', () => {
  const unknown = '00000000-0000-4000-8000-000000000000';

  it('answers 404 problem+json for an unknown portal, on the portal and on its identity providers', async () => {
    const res = await call('GET', `/v3/portals/${unknown}`);
    expect(res.status).toBe(404);
    expect(obj(res)).toMatchObject({ status: 404, title: 'Not Found', detail: 'Not Found' });
    expectDocumented('GET', '/portals/{portalId}', res);
    expect((await call('GET', idps(unknown))).status).toBe(404);
    expect((await call('POST', idps(unknown), { type: 'oidc', config: OIDC })).status).toBe(404);
    expect((await call('PATCH', `/v3/portals/${unknown}`, { auto_approve_developers: true })).status).toBe(
      404,
    );
  });

  it('answers 404 for an unknown identity provider on GET, PATCH and DELETE', async () => {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await call(
        method,
        `${idps()}/${unknown}`,
        method === 'PATCH' ? { enabled: true } : undefined,
      );
      expect(res.status).toBe(404);
      expectDocumented(method, '/portals/{portalId}/identity-providers/{id}', res);
    }
  });
});

describe('creating identity providers', () => {
  it('answers 201, disabled by default, with the document defaults filled in and no secret', async () => {
    const res = await call('POST', idps(), {
      type: 'oidc',
      config: { issuer_url: OIDC.issuer_url, client_id: OIDC.client_id, client_secret: SECRET },
    });
    expect(res.status).toBe(201);
    expect(obj(res)).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'oidc',
      enabled: false,
      config: {
        issuer_url: OIDC.issuer_url,
        client_id: OIDC.client_id,
        scopes: ['email', 'openid', 'profile'],
        claim_mappings: { name: 'name', email: 'email', groups: 'groups' },
      },
    });
    expect(res.text).not.toContain(SECRET);
    // ...but Konnect keeps it: the sandbox state shows what was stored.
    expect(konnect.state.identityProviders(portalId)[0]?.config.client_secret).toBe(SECRET);
  });

  it('refuses login_path in the config as an unknown property', async () => {
    const res = await call('POST', idps(), { type: 'oidc', config: { ...OIDC, login_path: 'myapp' } });
    expect(res.status).toBe(400);
    expect(obj(res)).toMatchObject({ status: 400, title: 'Invalid Request', detail: 'Invalid Parameters' });
    expect(obj(res).invalid_parameters).toEqual([
      {
        field: 'config.login_path',
        rule: 'unknown_property',
        reason: '"config.login_path" is not allowed',
        source: 'body',
      },
    ]);
    expectDocumented('POST', '/portals/{portalId}/identity-providers', res);
    expect(konnect.state.identityProviders(portalId)).toEqual([]);
  });

  it('requires client_id and issuer_url of an OIDC config, even an empty one the oneOf lets through as SAML', async () => {
    const { client_id: _id, ...noClientId } = OIDC;
    const missing = await call('POST', idps(), { type: 'oidc', config: noClientId });
    expect(missing.status).toBe(400);
    expect(obj(missing).invalid_parameters).toEqual([
      { field: 'config.client_id', rule: 'required', reason: 'config.client_id is required', source: 'body' },
    ]);
    expectDocumented('POST', '/portals/{portalId}/identity-providers', missing);
    const empty = await call('POST', idps(), { type: 'oidc', config: {} });
    expect((obj(empty).invalid_parameters as Array<{ field: string }>).map((p) => p.field)).toEqual([
      'config.issuer_url',
      'config.client_id',
    ]);
  });

  it('requires a type and a config on create', async () => {
    const res = await call('POST', idps(), { config: OIDC });
    expect(res.status).toBe(400);
    expect(obj(res).invalid_parameters).toEqual(
      expect.arrayContaining([
        { field: 'type', rule: 'required', reason: 'type is required', source: 'body' },
      ]),
    );
    const noConfig = await call('POST', idps(), { type: 'oidc' });
    expect(obj(noConfig).invalid_parameters).toEqual([
      { field: 'config', rule: 'required', reason: 'config is required', source: 'body' },
    ]);
  });

  it('answers a body that is not JSON with its parse error', async () => {
    const res = await call('POST', idps(), '{"type": "oidc",');
    expect(res.status).toBe(400);
    expect(obj(res)).toMatchObject({
      detail: 'Could not parse request body',
      invalid_parameters: [{ field: 'body', reason: 'request format is invalid' }],
    });
  });

  it('accepts enabled on create (kongctl#1780) when no other provider is enabled', async () => {
    const res = await call('POST', idps(), { type: 'oidc', enabled: true, config: OIDC });
    expect(res.status).toBe(201);
    expect(obj(res).enabled).toBe(true);
  });

  it('refuses a second provider of the same type with 409', async () => {
    const first = await createOidc();
    const res = await call('POST', idps(), { type: 'oidc', config: { ...OIDC, client_id: 'other' } });
    expect(res.status).toBe(409);
    expect(String(obj(res).detail)).toContain(String(first.id));
    expectDocumented('POST', '/portals/{portalId}/identity-providers', res);
    expect(konnect.state.identityProviders(portalId)).toHaveLength(1);
  });
});

describe('reading, updating and deleting identity providers', () => {
  it('lists them as a bare JSON array, filterable by type, never with a secret', async () => {
    await createOidc();
    await call('POST', idps(), { type: 'saml', config: SAML });
    const res = await call('GET', idps());
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    expect((res.body as Array<{ type: string }>).map((i) => i.type)).toEqual(['oidc', 'saml']);
    expect(res.text).not.toContain(SECRET);
    const saml = await call('GET', `${idps()}?filter[type][eq]=saml`);
    expect((saml.body as Array<{ type: string }>).map((i) => i.type)).toEqual(['saml']);
  });

  it('never returns the secret from GET one or PATCH, and keeps it when a PATCH does not send it again', async () => {
    const created = await createOidc();
    const one = await call('GET', `${idps()}/${String(created.id)}`);
    expect(one.status).toBe(200);
    expect(one.text).not.toContain(SECRET);
    const patched = await call('PATCH', `${idps()}/${String(created.id)}`, {
      config: { issuer_url: 'https://example.okta.com/oauth2/aus2', client_id: OIDC.client_id },
    });
    expect(patched.status).toBe(200);
    expect(patched.text).not.toContain(SECRET);
    expect(obj(patched).config).toMatchObject({ issuer_url: 'https://example.okta.com/oauth2/aus2' });
    expect(konnect.state.identityProviders(portalId)[0]?.config.client_secret).toBe(SECRET);
    await call('PATCH', `${idps()}/${String(created.id)}`, {
      config: { ...OIDC, client_secret: 'rotated-secret-1' },
    });
    expect(konnect.state.identityProviders(portalId)[0]?.config.client_secret).toBe('rotated-secret-1');
  });

  it('checks a PATCH config against the stored type: SAML fields are unknown to an OIDC provider', async () => {
    const created = await createOidc();
    const res = await call('PATCH', `${idps()}/${String(created.id)}`, { config: { ...OIDC, ...SAML } });
    expect(res.status).toBe(400);
    expect(obj(res).invalid_parameters).toEqual([
      {
        field: 'config.idp_metadata_url',
        rule: 'unknown_property',
        reason: '"config.idp_metadata_url" is not allowed',
        source: 'body',
      },
    ]);
    expectDocumented('PATCH', '/portals/{portalId}/identity-providers/{id}', res);
  });

  it('deletes with 204 and no body; a second delete is 404', async () => {
    const created = await createOidc();
    const res = await call('DELETE', `${idps()}/${String(created.id)}`);
    expect(res).toMatchObject({ status: 204, text: '' });
    expect(konnect.state.identityProviders(portalId)).toEqual([]);
    expect((await call('DELETE', `${idps()}/${String(created.id)}`)).status).toBe(404);
  });
});

describe('only one identity provider can be active at a time', () => {
  it('refuses to enable a second provider with 409 until the first is disabled', async () => {
    const oidc = await createOidc();
    const saml = obj(await call('POST', idps(), { type: 'saml', config: SAML }));
    expect((await call('PATCH', `${idps()}/${String(oidc.id)}`, { enabled: true })).status).toBe(200);

    const refused = await call('PATCH', `${idps()}/${String(saml.id)}`, { enabled: true });
    expect(refused.status).toBe(409);
    expect(obj(refused).detail).toMatch(/^Only one identity provider can be active at a time/);
    expectDocumented('PATCH', '/portals/{portalId}/identity-providers/{id}', refused);
    expect(konnect.state.identityProviders(portalId).map((i) => i.enabled)).toEqual([true, false]);

    // Enabling the one already enabled again is no conflict; after disabling it the other may go on.
    expect((await call('PATCH', `${idps()}/${String(oidc.id)}`, { enabled: true })).status).toBe(200);
    expect((await call('PATCH', `${idps()}/${String(oidc.id)}`, { enabled: false })).status).toBe(200);
    expect((await call('PATCH', `${idps()}/${String(saml.id)}`, { enabled: true })).status).toBe(200);
  });

  it('refuses a create with enabled: true while another provider is enabled', async () => {
    await call('POST', idps(), { type: 'saml', enabled: true, config: SAML });
    const res = await call('POST', idps(), { type: 'oidc', enabled: true, config: OIDC });
    expect(res.status).toBe(409);
    expect(konnect.state.identityProviders(portalId).map((i) => i.type)).toEqual(['saml']);
  });
});

describe('sign-in readiness', () => {
  it('names what stops an OIDC sign-in, and nothing once an OIDC provider with a secret is enabled', async () => {
    expect(konnect.state.signInProblems(portalId)).toEqual(['no identity provider is enabled']);
    const created = await createOidc();
    await call('PATCH', `${idps()}/${String(created.id)}`, { enabled: true });
    expect(
      konnect.state.signInProblems(portalId, { issuerUrl: OIDC.issuer_url, clientId: OIDC.client_id }),
    ).toEqual([]);
    expect(konnect.state.signInProblems(portalId, { clientId: 'someone-else' })).toEqual([
      `client_id is '${OIDC.client_id}', expected 'someone-else'`,
    ]);
    await call('PATCH', `/v3/portals/${portalId}`, { authentication_enabled: false });
    expect(konnect.state.signInProblems(portalId)).toEqual([
      'authentication_enabled is false: developers cannot sign in at all',
    ]);
  });
});

describe('the contract check of answers', () => {
  it('turns an answer Konnect would never send into a 500 and records the violation', async () => {
    // A separate sandbox: its violations are the point here, not a bug to fail the suite on.
    const broken = await startKonnectSandbox();
    try {
      const id = broken.state.portals()[0]?.id ?? '';
      // Stored as-is: an OIDC config filed as SAML keeps its secret in the rendered answer.
      const leaky = broken.control.addIdentityProvider(id, { type: 'saml', config: { ...OIDC } });
      const res = await call(
        'GET',
        `/v3/portals/${id}/identity-providers/${leaky.id}`,
        undefined,
        `Bearer ${broken.token}`,
        broken.url,
      );
      expect(res.status).toBe(500);
      expect(obj(res).message).toBe('sandbox response violates the contract');
      expect(broken.control.contractViolations).toHaveLength(1);
      expect(broken.control.contractViolations[0]).toMatchObject({
        method: 'GET',
        template: '/portals/{portalId}/identity-providers/{id}',
        status: 200,
      });
      expect(broken.control.contractViolations[0]?.errors).toEqual(
        expect.arrayContaining([
          { path: '/config/client_secret', message: 'is writeOnly: a response must not carry it' },
        ]),
      );

      const badIssuer = broken.control.addIdentityProvider(id, {
        type: 'oidc',
        config: { issuer_url: 'not a url', client_id: 'x' },
      });
      const res2 = await call(
        'GET',
        `/v3/portals/${id}/identity-providers/${badIssuer.id}`,
        undefined,
        `Bearer ${broken.token}`,
        broken.url,
      );
      expect(res2.status).toBe(500);
      expect(broken.control.contractViolations).toHaveLength(2);
    } finally {
      await broken.close();
    }
  });
});

describe('faults', () => {
  it('injects a status, and loses the answer of a create that still happened', async () => {
    konnect.control.inject({
      route: '/v3/portals/{portalId}/identity-providers',
      method: 'POST',
      status: 503,
    });
    const failed = await call('POST', idps(), { type: 'oidc', config: OIDC });
    expect(failed.status).toBe(503);
    expect(failed.contentType).toMatch(/^application\/problem\+json/);
    expect(konnect.state.identityProviders(portalId)).toEqual([]);

    konnect.control.inject({
      route: '/v3/portals/{portalId}/identity-providers',
      method: 'POST',
      loseResponse: true,
    });
    await expect(call('POST', idps(), { type: 'oidc', config: OIDC })).rejects.toThrow();
    expect(konnect.state.identityProviders(portalId)).toHaveLength(1);
    expect(
      konnect.control.callsTo('POST', '/v3/portals/{portalId}/identity-providers').map((c) => c.status),
    ).toEqual([503, 'dropped']);
  });

  it('answers an injected rate limit with 429 and Retry-After', async () => {
    konnect.control.inject({ route: '/v3/portals/{portalId}', method: 'GET', rateLimitResetInSeconds: 7 });
    const res = await fetch(`${konnect.url}/v3/portals/${portalId}`, {
      headers: { authorization: `Bearer ${konnect.token}` },
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(6);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  ContractValidator,
  kongContract,
  konnectContract,
  oktaContract,
  type ContractResult,
} from '../../local/contracts/validator';

const CONTRACTS = path.resolve(__dirname, '../../contracts');
const OKTA_FILE = path.join(CONTRACTS, 'okta-management.trimmed.yaml');
const KONG_FILE = path.join(CONTRACTS, 'kong-gateway-ee-3.4-admin.trimmed.yaml');
const KONNECT_FILE = path.join(CONTRACTS, 'konnect-portal-management-v3.trimmed.yaml');

const AS = '/api/v1/authorizationServers/{authServerId}';
const POLICY = `${AS}/policies/{policyId}`;

const paths = (result: ContractResult): string[] => (result.ok ? [] : result.errors.map((e) => e.path));
const messages = (result: ContractResult): string => (result.ok ? '' : JSON.stringify(result.errors));

const oidcApp = {
  signOnMode: 'OPENID_CONNECT',
  name: 'oidc_client',
  label: 'Developer Portal',
  credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
  settings: {
    oauthClient: {
      redirect_uris: ['https://portal.example.test/auth/callback'],
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token'],
      application_type: 'web',
    },
  },
};

const claim = {
  name: 'groups_claim',
  status: 'ACTIVE',
  claimType: 'IDENTITY',
  valueType: 'EXPRESSION',
  value: 'user.login',
  alwaysIncludeInToken: true,
  conditions: { scopes: [] },
};

const oktaError = {
  errorCode: 'E0000001',
  errorSummary: 'Api validation failed: label',
  errorLink: 'E0000001',
  errorId: 'oaeHfmOAx1iRLa9hMaBsNvIZw',
  errorCauses: [{ errorSummary: 'label: The field cannot be left blank' }],
};

describe('Okta contract: applications', () => {
  const okta = oktaContract();

  test('a valid OIDC app creation body passes', () => {
    expect(okta.validateRequest('POST', '/api/v1/apps', oidcApp)).toEqual({ ok: true });
    expect(okta.validateRequest('PUT', '/api/v1/apps/{appId}', oidcApp)).toEqual({ ok: true });
  });

  test('an unknown signOnMode fails on /signOnMode', () => {
    const result = okta.validateRequest('POST', '/api/v1/apps', { ...oidcApp, signOnMode: 'NOPE' });
    expect(result.ok).toBe(false);
    expect(paths(result)).toContain('/signOnMode');
    expect(messages(result)).toContain('OPENID_CONNECT');
  });

  test('the discriminator selects the OIDC variant and applies its rules', () => {
    const { settings: _settings, ...withoutSettings } = oidcApp;
    expect(messages(okta.validateRequest('POST', '/api/v1/apps', withoutSettings))).toContain(
      "must have required property 'settings'",
    );
    const badUri = {
      ...oidcApp,
      settings: { oauthClient: { ...oidcApp.settings.oauthClient, redirect_uris: [42] } },
    };
    expect(paths(okta.validateRequest('POST', '/api/v1/apps', badUri))).toEqual([
      '/settings/oauthClient/redirect_uris/0',
    ]);
    const badGrant = {
      ...oidcApp,
      settings: { oauthClient: { ...oidcApp.settings.oauthClient, grant_types: ['magic'] } },
    };
    expect(paths(okta.validateRequest('POST', '/api/v1/apps', badGrant))).toEqual([
      '/settings/oauthClient/grant_types/0',
    ]);
  });

  test('a body is required for creation', () => {
    expect(messages(okta.validateRequest('POST', '/api/v1/apps', undefined))).toContain('required');
  });

  test('responses may carry readOnly fields, which are not enforced either way', () => {
    const created = { ...oidcApp, id: '0oa1', status: 'ACTIVE', created: '2024-05-01T10:00:00.000Z' };
    expect(okta.validateResponse('POST', '/api/v1/apps', 200, created)).toEqual({ ok: true });
    expect(okta.validateRequest('POST', '/api/v1/apps', created)).toEqual({ ok: true });
    expect(okta.validateResponse('GET', '/api/v1/apps', 200, [created])).toEqual({ ok: true });
    expect(
      paths(okta.validateResponse('GET', '/api/v1/apps/{appId}', 200, { ...created, created: 'yesterday' })),
    ).toEqual(['/created']);
  });

  test('operations without a body take none and answer without one', () => {
    const activate = '/api/v1/apps/{appId}/lifecycle/activate';
    expect(okta.validateRequest('POST', activate, undefined)).toEqual({ ok: true });
    expect(okta.validateRequest('POST', activate, {}).ok).toBe(false);
    expect(okta.validateResponse('POST', activate, 200, undefined)).toEqual({ ok: true });
    expect(okta.validateResponse('DELETE', '/api/v1/apps/{appId}', 204, undefined)).toEqual({ ok: true });
  });
});

describe('Okta contract: authorization servers', () => {
  const okta = oktaContract();

  test('a valid claim body passes', () => {
    expect(okta.validateRequest('POST', `${AS}/claims`, claim)).toEqual({ ok: true });
    expect(okta.validateRequest('PUT', `${AS}/claims/{claimId}`, claim)).toEqual({ ok: true });
  });

  test('malformed claims fail with the offending path', () => {
    expect(paths(okta.validateRequest('POST', `${AS}/claims`, { ...claim, claimType: 'BOGUS' }))).toEqual([
      '/claimType',
    ]);
    const result = okta.validateRequest('POST', `${AS}/claims`, { ...claim, alwaysIncludeInToken: 'yes' });
    expect(result).toEqual({
      ok: false,
      errors: [{ path: '/alwaysIncludeInToken', message: 'must be boolean' }],
    });
  });

  test('an authorization server body passes', () => {
    const server = { name: 'portal', description: 'Developer portal', audiences: ['api://portal'] };
    expect(okta.validateRequest('POST', '/api/v1/authorizationServers', server)).toEqual({ ok: true });
    expect(paths(okta.validateRequest('PUT', AS, { ...server, audiences: 'api://portal' }))).toEqual([
      '/audiences',
    ]);
  });

  test('a policy body passes', () => {
    const policy = {
      type: 'OAUTH_AUTHORIZATION_POLICY',
      name: 'Portal access',
      description: 'Lets the portal client in',
      priority: 1,
      status: 'ACTIVE',
      conditions: { clients: { include: ['0oa1clientid'] } },
    };
    expect(okta.validateRequest('POST', `${AS}/policies`, policy)).toEqual({ ok: true });
    expect(paths(okta.validateRequest('PUT', POLICY, { ...policy, type: 'OKTA_SIGN_ON' }))).toEqual([
      '/type',
    ]);
  });

  test('a policy rule body passes and the request form requires name, conditions and type', () => {
    const rule = {
      type: 'RESOURCE_ACCESS',
      name: 'Everyone, code flow',
      priority: 1,
      conditions: {
        grantTypes: { include: ['authorization_code'] },
        people: { groups: { include: ['EVERYONE'] } },
        scopes: { include: ['*'] },
      },
      actions: {
        token: {
          accessTokenLifetimeMinutes: 60,
          refreshTokenLifetimeMinutes: 0,
          refreshTokenWindowMinutes: 10080,
        },
      },
    };
    expect(okta.validateRequest('POST', `${POLICY}/rules`, rule)).toEqual({ ok: true });
    expect(okta.validateRequest('PUT', `${POLICY}/rules/{ruleId}`, rule)).toEqual({ ok: true });
    const { conditions: _conditions, ...noConditions } = rule;
    expect(messages(okta.validateRequest('POST', `${POLICY}/rules`, noConditions))).toContain('conditions');
  });

  test('no-content lifecycle operations answer 204', () => {
    expect(okta.validateResponse('POST', `${AS}/lifecycle/deactivate`, 204, undefined)).toEqual({ ok: true });
  });
});

describe('Okta contract: errors and nullable', () => {
  const okta = oktaContract();

  test('an Okta error body passes as a documented 400 or 404', () => {
    expect(okta.validateResponse('POST', '/api/v1/apps', 400, oktaError)).toEqual({ ok: true });
    expect(okta.validateResponse('GET', '/api/v1/apps/{appId}', 404, oktaError)).toEqual({ ok: true });
    expect(okta.validateResponse('POST', `${AS}/claims`, 400, oktaError)).toEqual({ ok: true });
    const broken = { ...oktaError, errorCauses: [{ errorSummary: 7 }] };
    expect(paths(okta.validateResponse('GET', `${AS}/claims/{claimId}`, 404, broken))).toEqual([
      '/errorCauses/0/errorSummary',
    ]);
  });

  test('a status the contract does not document is reported', () => {
    const result = okta.validateResponse('GET', '/api/v1/apps', 404, oktaError);
    expect(messages(result)).toContain('not documented');
  });

  test('nullable: true admits null, with or without a type next to it', () => {
    const schema = (attribute: Record<string, unknown>) => ({
      id: 'https://example.okta.com/meta/schemas/user/default',
      definitions: { custom: { id: '#custom', type: 'object', properties: { portal_role: attribute } } },
    });
    const ok = {
      title: 'Portal role',
      type: 'string',
      maxLength: null,
      enum: null,
      master: null,
      unique: null,
    };
    const route = '/api/v1/meta/schemas/user/{schemaId}';
    expect(okta.validateResponse('GET', route, 200, schema(ok))).toEqual({ ok: true });
    expect(paths(okta.validateResponse('GET', route, 200, schema({ ...ok, maxLength: 'long' })))).toContain(
      '/definitions/custom/properties/portal_role/maxLength',
    );
  });
});

describe('Kong contract', () => {
  const kong = kongContract();
  const workspace = '/workspaces/{workspace_id_or_name}';

  test('a portal-enabling PATCH body passes', () => {
    const body = {
      config: {
        portal: true,
        portal_auth: 'openid-connect',
        portal_auth_conf: JSON.stringify({
          issuer: 'https://example.okta.com/oauth2/aus1',
          client_id: ['0oa1'],
        }),
        portal_auto_approve: false,
      },
    };
    expect(kong.validateRequest('PATCH', workspace, body)).toEqual({ ok: true });
    expect(kong.validateResponse('PATCH', workspace, 200, { id: 'w1', name: 'team-a', ...body })).toEqual({
      ok: true,
    });
  });

  test('a non-boolean portal flag fails on /config/portal', () => {
    const result = kong.validateRequest('PATCH', workspace, { config: { portal: 'yes' } });
    expect(result).toEqual({
      ok: false,
      errors: [{ path: '/config/portal', message: 'must be boolean' }],
    });
  });

  test('portal_auth_conf must be a JSON string, not an object', () => {
    const result = kong.validateRequest('PATCH', workspace, {
      config: { portal_auth_conf: { issuer: 'x' } },
    });
    expect(paths(result)).toEqual(['/config/portal_auth_conf']);
  });

  test('node info checks formats such as uuid', () => {
    const info = {
      version: '3.4.3.12',
      tagline: 'Welcome to kong',
      node_id: 'a74d7c4f-ef83-4bbe-a5e7-3f5409f4a0b9',
    };
    expect(kong.validateResponse('GET', '/', 200, info)).toEqual({ ok: true });
    expect(paths(kong.validateResponse('GET', '/', 200, { ...info, node_id: 'node-1' }))).toEqual([
      '/node_id',
    ]);
  });
});

describe('operations and paths', () => {
  test('hasOperation uses the document templates and methods', () => {
    expect(oktaContract().hasOperation('get', '/api/v1/apps/{appId}/credentials/secrets')).toBe(true);
    expect(oktaContract().hasOperation('POST', '/api/v1/apps/{appId}/credentials/secrets')).toBe(false);
    expect(kongContract().hasOperation('PATCH', '/workspaces/{workspace_id_or_name}')).toBe(true);
    expect(() => oktaContract().validateRequest('POST', '/api/v1/users', {})).toThrow('no operation');
  });

  test('matchPath resolves concrete paths', () => {
    const okta = oktaContract();
    expect(okta.matchPath('GET', '/api/v1/apps/0oa1')).toEqual({
      template: '/api/v1/apps/{appId}',
      params: { appId: '0oa1' },
    });
    expect(okta.matchPath('PUT', '/api/v1/apps/0oa1/groups/00g%2F1?x=1')).toEqual({
      template: '/api/v1/apps/{appId}/groups/{groupId}',
      params: { appId: '0oa1', groupId: '00g/1' },
    });
    expect(okta.matchPath('POST', '/api/v1/authorizationServers/x/lifecycle/deactivate')).toEqual({
      template: `${AS}/lifecycle/deactivate`,
      params: { authServerId: 'x' },
    });
    expect(okta.matchPath('GET', '/api/v1/apps/0oa1/lifecycle/activate')).toBeUndefined();
    expect(okta.matchPath('GET', '/api/v1/users/00u1')).toBeUndefined();
    expect(kongContract().matchPath('GET', '/')).toEqual({ template: '/', params: {} });
    expect(kongContract().matchPath('DELETE', '/workspaces/team-a')).toEqual({
      template: '/workspaces/{workspace_id_or_name}',
      params: { workspace_id_or_name: 'team-a' },
    });
  });

  test('matchPath prefers a literal segment over a parameter', () => {
    const op = { responses: { '204': { description: 'done' } } };
    const doc = {
      paths: {
        '/servers/{id}/{collection}/{action}': { post: op },
        '/servers/{id}/lifecycle/deactivate': { post: op },
        '/servers/{id}/lifecycle/{action}': { post: op },
      },
    };
    const validator = new ContractValidator(doc);
    expect(validator.matchPath('POST', '/servers/x/lifecycle/deactivate')?.template).toBe(
      '/servers/{id}/lifecycle/deactivate',
    );
    expect(validator.matchPath('POST', '/servers/x/lifecycle/activate')).toEqual({
      template: '/servers/{id}/lifecycle/{action}',
      params: { id: 'x', action: 'activate' },
    });
    expect(validator.matchPath('POST', '/servers/x/keys/rotate')?.template).toBe(
      '/servers/{id}/{collection}/{action}',
    );
  });

  test.each([OKTA_FILE, KONG_FILE, KONNECT_FILE])('every body schema of %s compiles', (file) => {
    const validator = ContractValidator.fromFile(file);
    const doc = parse(fs.readFileSync(file, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (method === 'parameters' || typeof op !== 'object' || op === null) continue;
        expect(() => validator.validateRequest(method, template, {})).not.toThrow();
        for (const status of Object.keys((op as { responses: object }).responses)) {
          expect(() => validator.validateResponse(method, template, Number(status), {})).not.toThrow();
        }
      }
    }
  });

  test('loading the Okta contract and a first validation take well under 2 s', () => {
    const started = performance.now();
    const fresh = ContractValidator.fromFile(OKTA_FILE);
    expect(fresh.validateRequest('POST', '/api/v1/apps', oidcApp)).toEqual({ ok: true });
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('Kong contract corrections', () => {
  const kong = kongContract();
  test('portal itself has a default and is never null', () => {
    expect(
      kong.validateRequest('PATCH', '/workspaces/{workspace_id_or_name}', { config: { portal: null } }).ok,
    ).toBe(false);
  });
  test('null clears a workspace portal field, as Kong allows', () => {
    expect(
      kong.validateRequest('PATCH', '/workspaces/{workspace_id_or_name}', {
        config: { portal_auth: null, portal_auth_conf: null },
      }),
    ).toEqual({ ok: true });
  });
  test('POST /workspaces may answer 201 Created', () => {
    expect(
      kong.validateResponse('POST', '/workspaces', 201, {
        id: 'x',
        name: 'team-a',
        config: { portal: false },
      }),
    ).toEqual({ ok: true });
  });
});

describe('readOnly and writeOnly (OpenAPI 3.0: required only on the side that carries them)', () => {
  // A readOnly `id` (inline and through a $ref) and a writeOnly `secret`, both listed as required.
  const schema = {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'created', 'name', 'secret'],
    properties: {
      id: { type: 'string', readOnly: true },
      created: { $ref: '#/components/schemas/Stamp' },
      name: { type: 'string' },
      secret: { type: 'string', writeOnly: true },
    },
  };
  const body = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } };
  const validator = new ContractValidator({
    paths: { '/things': { post: { requestBody: body, responses: { '201': body } } } },
    components: { schemas: { Thing: schema, Stamp: { type: 'string', readOnly: true } } },
  });

  test('a request need not carry readOnly fields but must carry required writeOnly ones', () => {
    expect(validator.validateRequest('POST', '/things', { name: 'a', secret: 's' })).toEqual({ ok: true });
    expect(messages(validator.validateRequest('POST', '/things', { name: 'a' }))).toContain(
      "must have required property 'secret'",
    );
    // Vendors ignore readOnly fields sent back to them, so they stay accepted.
    const echoed = { id: 'x', created: 'now', name: 'a', secret: 's' };
    expect(validator.validateRequest('POST', '/things', echoed)).toEqual({ ok: true });
  });

  test('a response must carry required readOnly fields and must not carry a writeOnly one', () => {
    const answer = { id: 'x', created: 'now', name: 'a' };
    expect(validator.validateResponse('POST', '/things', 201, answer)).toEqual({ ok: true });
    expect(messages(validator.validateResponse('POST', '/things', 201, { name: 'a' }))).toContain(
      "must have required property 'created'",
    );
    expect(validator.validateResponse('POST', '/things', 201, { ...answer, secret: 's' })).toEqual({
      ok: false,
      errors: [{ path: '/secret', message: 'is writeOnly: a response must not carry it' }],
    });
  });
});

describe('Konnect contract: portal identity providers', () => {
  const konnect = konnectContract();
  const IDPS = '/portals/{portalId}/identity-providers';
  const IDP = `${IDPS}/{id}`;
  const oidc = {
    issuer_url: 'https://example.okta.com/oauth2/aus1',
    client_id: '0oa1',
    client_secret: 'shh-its-a-secret',
    scopes: ['openid', 'email', 'profile'],
    claim_mappings: { name: 'name', email: 'email', groups: 'groups' },
  };
  const { client_secret: _secret, ...oidcAsReturned } = oidc;
  const provider = {
    id: '9a1c4c37-8a60-4a3b-9a4e-2f4a2b8f1d10',
    type: 'oidc',
    enabled: false,
    config: oidcAsReturned,
    created_at: '2026-05-01T10:00:00.000Z',
    updated_at: '2026-05-01T10:00:00.000Z',
  };

  test('an OIDC create body with its secret passes, and so does the answer without it', () => {
    expect(konnect.validateRequest('POST', IDPS, { type: 'oidc', config: oidc })).toEqual({ ok: true });
    expect(konnect.validateResponse('POST', IDPS, 201, provider)).toEqual({ ok: true });
    expect(konnect.validateResponse('GET', IDPS, 200, [provider])).toEqual({ ok: true });
    expect(konnect.validateRequest('PATCH', IDP, { enabled: true })).toEqual({ ok: true });
  });

  test('an answer that carries the writeOnly client_secret violates the contract', () => {
    const leaky = { ...provider, config: oidc };
    const result = konnect.validateResponse('GET', IDP, 200, leaky);
    expect(result.ok).toBe(false);
    expect(result).toEqual(
      expect.objectContaining({
        errors: expect.arrayContaining([
          { path: '/config/client_secret', message: 'is writeOnly: a response must not carry it' },
        ]),
      }),
    );
  });

  test('login_path is not part of a portal identity provider config', () => {
    const result = konnect.validateRequest('POST', IDPS, {
      type: 'oidc',
      config: { ...oidc, login_path: 'myapp' },
    });
    expect(result.ok).toBe(false);
    expect(messages(result)).toContain("must NOT have additional properties: 'login_path'");
  });

  test('the plain oneOf lets an empty config through as SAML; the OIDC schema itself requires two fields', () => {
    expect(konnect.validateRequest('POST', IDPS, { type: 'oidc', config: {} })).toEqual({ ok: true });
    const result = konnect.validateSchema('OIDCIdentityProviderConfig', 'request', {});
    expect(messages(result)).toContain("must have required property 'issuer_url'");
    expect(messages(result)).toContain("must have required property 'client_id'");
    expect(() => konnect.validateSchema('NoSuchSchema', 'request', {})).toThrow('no schema');
  });

  test('a 400 with invalid_parameters and the problem fields passes; one without them does not', () => {
    const problem = {
      status: 400,
      title: 'Invalid Request',
      instance: 'kong:trace:1433447772874964729',
      detail: 'Invalid Parameters',
      invalid_parameters: [
        { field: 'config.login_path', rule: 'unknown_property', reason: 'is not allowed', source: 'body' },
      ],
    };
    expect(konnect.validateResponse('POST', IDPS, 400, problem)).toEqual({ ok: true });
    const { invalid_parameters: _params, ...bare } = problem;
    expect(messages(konnect.validateResponse('POST', IDPS, 400, bare))).toContain('invalid_parameters');
  });

  test('a portal PATCH takes the documented fields only', () => {
    const portal = '/portals/{portalId}';
    expect(konnect.validateRequest('PATCH', portal, { authentication_enabled: true })).toEqual({ ok: true });
    expect(paths(konnect.validateRequest('PATCH', portal, { auto_approve_developers: 'yes' }))).toEqual([
      '/auto_approve_developers',
    ]);
  });
});

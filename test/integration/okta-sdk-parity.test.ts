// Intent: loading only the Okta SDK modules we call changes nothing on the wire or in what comes
// back. Every SDK operation the provisioner uses runs twice against one recording server - through
// the SDK's own Client (as the provisioner configured it before) and through lambdas/clients/okta/sdk -
// and both must send the same requests (method, URL, headers, body), page the same way, and return
// the same models or throw the same errors.
import * as okta from '@okta/okta-sdk-nodejs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { all } from '../../lambdas/clients/okta/api';
import { ApplicationApi } from '../../lambdas/clients/okta/sdk/application-api';
import { ApplicationSSOPublicKeysApi } from '../../lambdas/clients/okta/sdk/application-sso-public-keys-api';
import { AuthorizationServerApi } from '../../lambdas/clients/okta/sdk/authorization-server-api';
import { GroupApi } from '../../lambdas/clients/okta/sdk/group-api';
import { SchemaApi } from '../../lambdas/clients/okta/sdk/schema-api';
import { NoRedirectExecutor, OktaTransport } from '../../lambdas/clients/okta/sdk/transport';
import { rejection } from '../support/rejection';

interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** What the next requests are answered with, by test. */
let answer: (req: Recorded) => Reply;
let recorded: Recorded[] = [];
let server: Server;
let orgUrl: string;
const TOKEN = 'parity-ssws-token';

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => resolve(body));
  });

beforeAll(async () => {
  server = createServer((req, res) => {
    void read(req).then((body) => {
      const { host: _host, ...headers } = req.headers;
      const entry = { method: req.method ?? '', url: req.url ?? '', headers, body };
      recorded.push(entry);
      const { status, headers: out = {}, body: text = '' } = answer(entry);
      res.writeHead(status, { 'Content-Type': 'application/json', ...out });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  orgUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The provisioner's SDK Client as it was built before: cache off, no 429 retry, redirects refused. */
const sdkClient = () =>
  new okta.Client({
    orgUrl,
    token: TOKEN,
    cacheMiddleware: null,
    requestExecutor: new NoRedirectExecutor({ maxRetries: 0, requestTimeout: 10_000 }),
  });

const ours = () => {
  const transport = new OktaTransport({ orgUrl, token: TOKEN });
  return {
    apps: new ApplicationApi(transport),
    keys: new ApplicationSSOPublicKeysApi(transport),
    servers: new AuthorizationServerApi(transport),
    groups: new GroupApi(transport),
    schemas: new SchemaApi(transport),
  };
};
type Ours = ReturnType<typeof ours>;

/** A result as comparable data: models keep their class name, collections are read to the end. */
async function settle(result: Promise<unknown>): Promise<unknown> {
  try {
    const value = await result;
    const items = value instanceof okta.Collection ? await all(value) : value;
    const shape = (v: unknown) => ({
      model: v?.constructor?.name,
      json: JSON.parse(JSON.stringify(v ?? null)),
    });
    return Array.isArray(items) ? { items: items.map(shape) } : shape(items);
  } catch (err) {
    return {
      error: (err as Error).name,
      ...JSON.parse(JSON.stringify(err)),
      message: (err as Error).message,
    };
  }
}

async function both(
  viaSdk: (c: okta.Client) => Promise<unknown>,
  viaOurs: (o: Ours) => Promise<unknown>,
): Promise<void> {
  recorded = [];
  const expected = await settle(viaSdk(sdkClient()));
  const sdkRequests = recorded;
  recorded = [];
  const actual = await settle(viaOurs(ours()));
  expect(recorded).toEqual(sdkRequests);
  expect(actual).toEqual(expected);
  expect(sdkRequests.length).toBeGreaterThan(0);
}

const APP = {
  id: '0oa1',
  name: 'oidc_client',
  label: 'kong-portal-dev.team-a',
  status: 'ACTIVE',
  signOnMode: 'OPENID_CONNECT',
  created: '2024-05-01T10:00:00.000Z',
  profile: { managedBy: 'kong-portal-provisioner' },
  credentials: { oauthClient: { client_id: 'cid', client_secret: 'cs' } },
  settings: { oauthClient: { redirect_uris: ['https://cp/auth'] } },
  somethingOktaAddedLater: true,
};
const SERVER = {
  id: 'aus1',
  name: 'n',
  audiences: ['api://n'],
  issuer: 'https://o/oauth2/aus1',
  status: 'ACTIVE',
};

/** Any GET of a list pages once (Link: next), then ends; a single GET or write answers `single`. */
const okta200 =
  (single: object, list: object[]) =>
  (req: Recorded): Reply => {
    if (req.method === 'DELETE') return { status: 204 };
    const isList =
      req.method === 'GET' && !/\/(0oa1|aus1|00g[A-Za-z0-9]{17}|default)$/.test(req.url.split('?')[0] ?? '');
    if (!isList) return { status: 200, body: JSON.stringify(single) };
    const next: Record<string, string> = req.url.includes('after=')
      ? {}
      : { Link: `<${orgUrl}${req.url.split('?')[0]}?after=p2>; rel="next"` };
    return { status: 200, headers: next, body: JSON.stringify(list) };
  };

describe('the Okta SDK modules we load, against the SDK Client', () => {
  beforeEach(() => (answer = okta200(APP, [APP, { ...APP, id: '0oa2' }])));

  it('Applications: list, get, create, activate, deactivate, delete', async () => {
    await both(
      (c) =>
        c.applicationApi.listApplications({
          q: 'kong portal',
          limit: 3,
          filter: 'status eq "ACTIVE"',
          expand: 'user/0',
        }),
      (o) =>
        o.apps.listApplications({
          q: 'kong portal',
          limit: 3,
          filter: 'status eq "ACTIVE"',
          expand: 'user/0',
        }),
    );
    await both(
      (c) => c.applicationApi.getApplication({ appId: '0oa1' }),
      (o) => o.apps.getApplication({ appId: '0oa1' }),
    );
    const application: okta.OpenIdConnectApplication = {
      name: 'oidc_client',
      label: 'l',
      signOnMode: 'OPENID_CONNECT',
      profile: { a: 1 },
      credentials: {
        oauthClient: { token_endpoint_auth_method: 'client_secret_basic', autoKeyRotation: true },
      },
      settings: { oauthClient: { redirect_uris: ['https://cp/auth'], grant_types: ['authorization_code'] } },
    };
    await both(
      (c) => c.applicationApi.createApplication({ application, activate: true }),
      (o) => o.apps.createApplication({ application, activate: true }),
    );
    for (const op of ['activateApplication', 'deactivateApplication', 'deleteApplication'] as const)
      await both(
        (c) => c.applicationApi[op]({ appId: '0oa1' }),
        (o) => o.apps[op]({ appId: '0oa1' }),
      );
  });

  it('group assignments and client secrets', async () => {
    answer = okta200({ id: '00gAAAAAAAAAAAAAAAAA' }, [{ id: '00gAAAAAAAAAAAAAAAAA', priority: 0 }]);
    await both(
      (c) => c.applicationApi.listApplicationGroupAssignments({ appId: '0oa1', limit: 4 }),
      (o) => o.apps.listApplicationGroupAssignments({ appId: '0oa1', limit: 4 }),
    );
    const ids = { appId: '0oa1', groupId: '00gAAAAAAAAAAAAAAAAA' };
    await both(
      (c) => c.applicationApi.assignGroupToApplication(ids),
      (o) => o.apps.assignGroupToApplication(ids),
    );
    await both(
      (c) => c.applicationApi.unassignApplicationFromGroup(ids),
      (o) => o.apps.unassignApplicationFromGroup(ids),
    );
    answer = okta200({}, [
      { id: 's1', status: 'ACTIVE', client_secret: 'x', created: '2024-05-01T10:00:00.000Z' },
    ]);
    await both(
      (c) => c.applicationSSOPublicKeysApi.listOAuth2ClientSecrets({ appId: '0oa1' }),
      (o) => o.keys.listOAuth2ClientSecrets({ appId: '0oa1' }),
    );
  });

  it('authorization servers, claims, policies and rules', async () => {
    answer = okta200(SERVER, [SERVER]);
    const s = { authServerId: 'aus1' };
    await both(
      (c) => c.authorizationServerApi.listAuthorizationServers({ q: 'n', limit: 7 }),
      (o) => o.servers.listAuthorizationServers({ q: 'n', limit: 7 }),
    );
    for (const op of [
      'getAuthorizationServer',
      'activateAuthorizationServer',
      'deactivateAuthorizationServer',
      'deleteAuthorizationServer',
      'listOAuth2Claims',
      'listAuthorizationServerPolicies',
    ] as const)
      await both(
        (c) => c.authorizationServerApi[op](s),
        (o) => o.servers[op](s),
      );
    const authorizationServer = { name: 'n', audiences: ['api://n'], description: 'd' };
    await both(
      (c) => c.authorizationServerApi.createAuthorizationServer({ authorizationServer }),
      (o) => o.servers.createAuthorizationServer({ authorizationServer }),
    );
    const oAuth2Claim: okta.OAuth2Claim = {
      name: 'c',
      claimType: 'IDENTITY',
      valueType: 'EXPRESSION',
      value: 'user.login',
      alwaysIncludeInToken: true,
      conditions: { scopes: [] },
    };
    await both(
      (c) => c.authorizationServerApi.createOAuth2Claim({ ...s, oAuth2Claim }),
      (o) => o.servers.createOAuth2Claim({ ...s, oAuth2Claim }),
    );
    await both(
      (c) => c.authorizationServerApi.deleteOAuth2Claim({ ...s, claimId: 'oc1' }),
      (o) => o.servers.deleteOAuth2Claim({ ...s, claimId: 'oc1' }),
    );
    const policy: okta.AuthorizationServerPolicy = {
      type: 'OAUTH_AUTHORIZATION_POLICY',
      name: 'p',
      priority: 1,
      conditions: { clients: { include: ['cid'] } },
    };
    await both(
      (c) => c.authorizationServerApi.createAuthorizationServerPolicy({ ...s, policy }),
      (o) => o.servers.createAuthorizationServerPolicy({ ...s, policy }),
    );
    const p = { ...s, policyId: 'pol1' };
    await both(
      (c) => c.authorizationServerApi.deleteAuthorizationServerPolicy(p),
      (o) => o.servers.deleteAuthorizationServerPolicy(p),
    );
    await both(
      (c) => c.authorizationServerApi.listAuthorizationServerPolicyRules(p),
      (o) => o.servers.listAuthorizationServerPolicyRules(p),
    );
    const policyRule: okta.AuthorizationServerPolicyRuleRequest = {
      type: 'RESOURCE_ACCESS',
      name: 'r',
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
    await both(
      (c) => c.authorizationServerApi.createAuthorizationServerPolicyRule({ ...p, policyRule }),
      (o) => o.servers.createAuthorizationServerPolicyRule({ ...p, policyRule }),
    );
    await both(
      (c) => c.authorizationServerApi.deleteAuthorizationServerPolicyRule({ ...p, ruleId: 'r1' }),
      (o) => o.servers.deleteAuthorizationServerPolicyRule({ ...p, ruleId: 'r1' }),
    );
  });

  it('groups and the user schema', async () => {
    answer = okta200({ id: '00gAAAAAAAAAAAAAAAAA', profile: { name: 'Everyone' } }, [
      { id: '00gAAAAAAAAAAAAAAAAA', profile: { name: 'Everyone' } },
    ]);
    const search = 'profile.name eq "A \\"quoted\\" & spaced group"';
    await both(
      (c) => c.groupApi.listGroups({ search, limit: 2, sortBy: 'profile.name' }),
      (o) => o.groups.listGroups({ search, limit: 2, sortBy: 'profile.name' }),
    );
    await both(
      (c) => c.groupApi.getGroup({ groupId: '00gAAAAAAAAAAAAAAAAA' }),
      (o) => o.groups.getGroup({ groupId: '00gAAAAAAAAAAAAAAAAA' }),
    );
    answer = okta200({ definitions: { base: { properties: { login: { type: 'string' } } } } }, []);
    await both(
      (c) => c.schemaApi.getUserSchema({ schemaId: 'default' }),
      (o) => o.schemas.getUserSchema({ schemaId: 'default' }),
    );
  });

  it('errors: an Okta error body, a non-JSON answer, a rate limit, a redirect', async () => {
    const get = {
      via: (c: okta.Client) => c.applicationApi.getApplication({ appId: '0oa1' }),
      ours: (o: Ours) => o.apps.getApplication({ appId: '0oa1' }),
    };
    const replies: Reply[] = [
      {
        status: 400,
        body: JSON.stringify({
          errorCode: 'E0000001',
          errorSummary: 'Api validation failed',
          errorCauses: [{ errorSummary: 'label: bad' }],
        }),
      },
      {
        status: 429,
        headers: { 'X-Rate-Limit-Reset': '1700000000' },
        body: JSON.stringify({ errorCode: 'E0000047', errorSummary: 'limit' }),
      },
      { status: 502, headers: { 'Content-Type': 'text/html' }, body: '<html>bad gateway</html>' },
      { status: 302, headers: { Location: 'https://elsewhere.example.com/' } },
    ];
    for (const reply of replies) {
      answer = () => reply;
      await both(get.via, get.ours);
    }
    // The redirect was not followed: one request each.
    expect(recorded).toHaveLength(1);
    answer = () => ({ status: 500, body: '{}' });
    expect((await rejection(ours().apps.getApplication({ appId: '0oa1' }))).name).toBe('OktaApiError');
  });
});

// Intent: the two public Okta endpoints a developer's browser meets, as the provisioner checks them
// before anyone signs in: the discovery document (missing = final, 503 = retry, 429 = wait for
// Okta's X-Rate-Limit-Reset) and the authorization endpoint, which the Okta sandbox answers as
// Okta does - its sign-in flow for an acceptable request, an error page for a redirect URI the app
// does not have, an error sent back to the client when no access policy lets the app in.
import { OktaClient } from '../../lambdas/clients/okta';
import { fetchDiscovery, probeSignIn } from '../../lambdas/clients/oidc';
import { PermanentError, RateLimitedError, TransientError } from '../../lambdas/core/errors';
import { startOktaSandbox, type OktaSandbox } from '../../local/sandboxes/okta';
import { rejection } from '../support/rejection';

let okta: OktaSandbox;
let client: OktaClient;
beforeAll(async () => {
  okta = await startOktaSandbox();
  client = new OktaClient({ orgUrl: okta.url, token: okta.token });
});
afterAll(() => okta.close());
afterEach(() => expect(okta.control.contractViolations).toEqual([]));

const owner = { scope: { environment: 'dev', workspace: 'team-a' }, requestId: 'req-1' };
const REDIRECT = 'http://localhost:8004/team-a/auth';

/** A portal's Okta half: app, server, and (unless told otherwise) the policy and rule that let the app in. */
async function portal(withPolicy = true) {
  okta.control.reset();
  const app = await client.apps.ensure({
    label: 'kong-portal-dev.team-a',
    owner,
    redirectUri: REDIRECT,
    postLogoutRedirectUris: [REDIRECT],
    scopes: ['openid', 'email'],
  });
  const server = await client.authServers.ensure({
    name: 'kong-portal-dev.team-a',
    audience: 'api://x',
    description: 'x',
    owner,
  });
  if (withPolicy) {
    const policy = await client.authorization.ensureAccessPolicy(server.id, {
      name: 'p',
      description: 'd',
      clientId: app.clientId,
      owner,
    });
    await client.authorization.ensurePolicyRule(server.id, policy.id, {
      name: 'r',
      accessTokenMinutes: 60,
      refreshTokenWindowMinutes: 120,
    });
  }
  const discovery = await fetchDiscovery(server.issuer);
  const request = {
    authorizationEndpoint: discovery.authorizationEndpoint,
    clientId: app.clientId,
    redirectUri: REDIRECT,
    scopes: ['openid', 'email'],
  };
  return { app, server, request };
}

describe('the discovery document', () => {
  it('names the issuer and its authorization endpoint', async () => {
    const { server } = await portal();
    expect(await fetchDiscovery(server.issuer)).toEqual({
      issuer: server.issuer,
      authorizationEndpoint: `${server.issuer}/v1/authorize`,
    });
  });

  it('missing: a PermanentError naming the URL; 503: transient', async () => {
    const err = await rejection(fetchDiscovery(`${okta.url}/oauth2/ausMISSING0000000000`));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/discovery document .*ausMISSING.*does not answer/);
    const { server } = await portal();
    okta.control.inject({ route: '/oauth2/{authServerId}/.well-known/openid-configuration', status: 503 });
    expect(await rejection(fetchDiscovery(server.issuer))).toBeInstanceOf(TransientError);
  });

  it('rate-limited: the reset time is the one Okta announces (X-Rate-Limit-Reset, epoch seconds)', async () => {
    const { server } = await portal();
    okta.control.inject({
      route: '/oauth2/{authServerId}/.well-known/openid-configuration',
      rateLimitResetInSeconds: 30,
    });
    const err = await rejection(fetchDiscovery(server.issuer));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterSeconds()).toBeGreaterThanOrEqual(28);
  });
});

describe("the first developer's sign-in, asked of Okta without following it", () => {
  it('is accepted when the app, its redirect URI and an access policy are in place', async () => {
    const { request } = await portal();
    expect(await probeSignIn(request)).toEqual({ accepted: true });
  });

  it('a redirect URI the app does not have: refused with an error page about redirect_uri', async () => {
    const { request } = await portal();
    expect(await probeSignIn({ ...request, redirectUri: `${REDIRECT}/` })).toEqual({
      accepted: false,
      redirectUriRefused: true,
      why: expect.stringMatching(
        /400: .*The 'redirect_uri' parameter must be a Login redirect URI in the client app settings/,
      ),
    });
  });

  it('no access policy for the app: refused with what Okta sends back (access_denied)', async () => {
    const { request } = await portal(false);
    expect(await probeSignIn(request)).toEqual({
      accepted: false,
      redirectUriRefused: false,
      why: expect.stringMatching(/^access_denied: Policy evaluation failed/),
    });
  });

  it('an unknown client is refused; a server Okta does not serve (yet) is an error to retry or not', async () => {
    const { request } = await portal();
    expect(await probeSignIn({ ...request, clientId: '0oaNOSUCHCLIENT00000' })).toMatchObject({
      accepted: false,
    });
    const gone = await rejection(
      probeSignIn({ ...request, authorizationEndpoint: `${okta.url}/oauth2/ausGONE/v1/authorize` }),
    );
    expect((gone as PermanentError).details).toMatchObject({ status: 404 });
  });
});

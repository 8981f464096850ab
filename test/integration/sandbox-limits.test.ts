// Intent: the sandboxes can be as slow and as strict as the real vendors for load tests and
// benchmarks - a latency setting on every call, calls recorded with start and end times, and Okta's
// documented rate and concurrency limits with the headers Okta sends - all through real HTTP, off
// by default, and read correctly by the provisioner's own Okta client and its rate-limit wait.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KonnectClient } from '../../lambdas/clients/konnect';
import { KongClient } from '../../lambdas/clients/kong';
import { OktaClient } from '../../lambdas/clients/okta';
import { SecretStore } from '../../lambdas/clients/secrets';
import { RateLimitedError } from '../../lambdas/core/errors';
import { waitOutRateLimit, type StepContext } from '../../lambdas/steps/context';
import { startKongSandbox, type KongSandbox } from '../../local/sandboxes/kong';
import { oktaBucketOf, startOktaSandbox, type OktaSandbox } from '../../local/sandboxes/okta';
import { rejection } from '../support/rejection';

let okta: OktaSandbox;
let kong: KongSandbox;

beforeAll(async () => {
  [okta, kong] = await Promise.all([startOktaSandbox(), startKongSandbox()]);
});
afterAll(() => Promise.all([okta.close(), kong.close()]));
beforeEach(() => {
  okta.control.reset();
  kong.control.reset();
});
afterEach(() => {
  expect(okta.control.contractViolations).toEqual([]);
  expect(kong.control.contractViolations).toEqual([]);
});

interface Answer {
  status: number;
  body: Record<string, unknown> | undefined;
  headers: Headers;
  ms: number;
}

async function oktaCall(
  method: string,
  path: string,
  auth: string | null = `SSWS ${okta.token}`,
): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(`${okta.url}${path}`, {
    method,
    headers: auth === null ? {} : { Authorization: auth, Accept: 'application/json' },
  });
  const text = await res.text();
  const body = text && text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  return { status: res.status, body, headers: res.headers, ms: Date.now() - started };
}

const limitHeaders = (a: Answer) => ({
  limit: a.headers.get('x-rate-limit-limit'),
  remaining: a.headers.get('x-rate-limit-remaining'),
  reset: a.headers.get('x-rate-limit-reset'),
});

/** How long the sandbox took over its latest call (its own clock: no client or event-loop noise). */
const lastDuration = (sandbox: OktaSandbox | KongSandbox) => {
  const call = sandbox.control.calls.at(-1);
  return (call?.endedAt ?? Infinity) - (call?.startedAt ?? 0);
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Sleeps until the given UTC epoch second, as a client honouring X-Rate-Limit-Reset does. */
const untilEpochSecond = (seconds: number) => sleep(Math.max(0, seconds * 1000 - Date.now()));

/** An Okta app and its id, made through the API (counts one call against /api/v1/apps). */
async function createApp(label: string): Promise<string> {
  const res = await fetch(`${okta.url}/api/v1/apps`, {
    method: 'POST',
    headers: { Authorization: `SSWS ${okta.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
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
        },
      },
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

describe('latency setting', () => {
  it('delays every Okta call - management, public discovery, refusals - until reset() clears it', async () => {
    okta.control.setLatency(150);
    const answers = [
      await oktaCall('GET', '/api/v1/groups'),
      await oktaCall('GET', '/oauth2/default/.well-known/openid-configuration'),
      await oktaCall('GET', '/api/v1/groups', null),
      await oktaCall('GET', '/api/v1/nothing-here'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 404, 401, 404]);
    for (const a of answers) expect(a.ms).toBeGreaterThanOrEqual(145);
    for (const c of okta.control.calls) expect(c.endedAt! - c.startedAt).toBeGreaterThanOrEqual(145);

    okta.control.reset();
    await oktaCall('GET', '/api/v1/groups');
    expect(lastDuration(okta)).toBeLessThan(100);
  });

  it('is per sandbox, stays for every call, and a one-shot latency fault adds to it once', async () => {
    kong.control.setLatency(120);
    kong.control.inject({ route: '/workspaces/{workspace_id_or_name}', method: 'GET', latencyMs: 200 });
    const timed = async () => {
      const started = Date.now();
      const res = await fetch(`${kong.url}/workspaces/default`, {
        headers: { 'Kong-Admin-Token': kong.token },
      });
      await res.text();
      return { status: res.status, ms: Date.now() - started };
    };
    const first = await timed();
    const second = await timed();
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.ms).toBeGreaterThanOrEqual(315);
    expect(second.ms).toBeGreaterThanOrEqual(115);
    expect(lastDuration(kong)).toBeLessThan(300);
    await oktaCall('GET', '/api/v1/groups');
    expect(lastDuration(okta)).toBeLessThan(100); // Okta is not slowed

    kong.control.setLatency(0);
    await timed();
    expect(lastDuration(kong)).toBeLessThan(100);
    kong.control.setLatency(120);
    kong.control.reset();
    await timed();
    expect(lastDuration(kong)).toBeLessThan(100);
    expect(() => kong.control.setLatency(-1)).toThrow(/latency/);
    expect(() => kong.control.setLatency(Number.NaN)).toThrow(/latency/);
  });
});

describe('recorded calls', () => {
  it('carry start and end times in epoch ms, the latency inside them, in arrival order', async () => {
    okta.control.setLatency(100);
    const before = Date.now();
    await Promise.all([oktaCall('GET', '/api/v1/groups'), oktaCall('GET', '/api/v1/apps')]);
    const after = Date.now();
    const calls = okta.control.calls;
    expect(calls.map((c) => c.path).sort()).toEqual(['/api/v1/apps', '/api/v1/groups']);
    for (const c of calls) {
      expect(c.startedAt).toBeGreaterThanOrEqual(before);
      expect(c.endedAt).toBeLessThanOrEqual(after);
      expect(c.endedAt! - c.startedAt).toBeGreaterThanOrEqual(95);
      expect(c.limitedBy).toBeUndefined();
    }
    expect(calls[0]!.startedAt).toBeLessThanOrEqual(calls[1]!.startedAt);
    // The existing view of a call is unchanged.
    expect(okta.control.callsTo('GET', '/api/v1/groups')).toEqual([
      expect.objectContaining({ method: 'GET', path: '/api/v1/groups', status: 200 }),
    ]);
  });

  it('a call whose response is lost ends when the connection drops', async () => {
    kong.control.inject({ route: '/workspaces/{workspace_id_or_name}', method: 'GET', loseResponse: true });
    await expect(
      fetch(`${kong.url}/workspaces/default`, { headers: { 'Kong-Admin-Token': kong.token } }),
    ).rejects.toThrow();
    const [dropped] = kong.control.calls;
    expect(dropped).toEqual(expect.objectContaining({ status: 'dropped', startedAt: expect.any(Number) }));
    expect(dropped!.endedAt).toBeGreaterThanOrEqual(dropped!.startedAt);
  });
});

describe("Okta's rate-limit buckets", () => {
  it('are off by default: nothing is refused and answers announce plenty left', async () => {
    const answers = await Promise.all(Array.from({ length: 120 }, () => oktaCall('GET', '/api/v1/apps')));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
    expect(Number(answers[0]!.headers.get('x-rate-limit-remaining'))).toBeGreaterThan(0);
    expect(okta.control.rateLimitUsage()).toMatchObject({ enforcing: false, inFlight: 0 });
  });

  it("default to a One App org's documented limits, in real time", () => {
    const plan = okta.control.enforceRateLimits();
    expect(plan).toMatchObject({ minuteMs: 60_000, timeFactor: 1, concurrency: 35 });
    expect(plan.limits).toMatchObject({
      '/api/v1/apps': 100,
      '/api/v1/apps/{id}': 600,
      '/api/v1/groups': 600,
      '/api/v1/groups/{id}': 600,
      '/api/v1': 600,
      '/oauth2/{authorizationServerId}/v1/authorize': 1200,
    });
    expect(okta.control.enforceRateLimits({ minuteMs: 6_000, tokenSharePercent: 50 })).toMatchObject({
      timeFactor: 10,
      limits: { '/api/v1/apps': 50, '/api/v1': 300 },
    });
    for (const bad of [
      { minuteMs: 0 },
      { concurrency: 1.5 },
      { limits: { '/api/v1/apps': 0 } },
      { tokenSharePercent: 120 },
    ]) {
      expect(() => okta.control.enforceRateLimits(bad)).toThrow(/cannot be/);
    }
  });

  it.each([
    ['/api/v1/apps', '/api/v1/apps'],
    ['/api/v1/apps/0oa1', '/api/v1/apps/{id}'],
    ['/api/v1/apps/0oa1/lifecycle/activate', '/api/v1/apps'],
    ['/api/v1/apps/0oa1/credentials/secrets', '/api/v1/apps'],
    ['/api/v1/apps/0oa1/groups/00g1', '/api/v1/apps'],
    ['/api/v1/groups', '/api/v1/groups'],
    ['/api/v1/groups/00g1', '/api/v1/groups/{id}'],
    ['/api/v1/authorizationServers', '/api/v1'],
    ['/api/v1/authorizationServers/aus1/policies/p1/rules', '/api/v1'],
    ['/api/v1/meta/schemas/user/default', '/api/v1'],
    ['/oauth2/aus1/v1/authorize', '/oauth2/{authorizationServerId}/v1/authorize'],
    ['/oauth2/v1/clients/0oa1', '/oauth2/v1/clients'],
    ['/oauth2/aus1/.well-known/openid-configuration', undefined],
    ['/oauth2/aus1/v1/keys', undefined],
    ['/.well-known/openid-configuration', undefined],
  ])('%s counts against %s', (path, bucket) => {
    // (undefined: a public metadata endpoint, which Okta does not rate-limit)
    expect(oktaBucketOf(path)).toBe(bucket);
  });

  it("refuse a bucket's call past its limit with Okta's 429 and headers, until the announced reset", async () => {
    okta.control.enforceRateLimits({ minuteMs: 1_000, limits: { '/api/v1/apps': 3 } });
    const appId = await createApp('limits-a'); // 1 of 3
    const second = await oktaCall('GET', '/api/v1/apps');
    const third = await oktaCall('POST', `/api/v1/apps/${appId}/lifecycle/deactivate`); // /api/v1/apps/* too
    const refused = await oktaCall('GET', '/api/v1/apps?q=limits');
    const byId = await oktaCall('GET', `/api/v1/apps/${appId}`); // its own bucket

    expect([second.status, third.status, refused.status, byId.status]).toEqual([200, 200, 429, 200]);
    const reset = Number(second.headers.get('x-rate-limit-reset'));
    expect(limitHeaders(second)).toEqual({ limit: '3', remaining: '1', reset: String(reset) });
    expect(limitHeaders(third)).toEqual({ limit: '3', remaining: '0', reset: String(reset) });
    expect(limitHeaders(refused)).toEqual({ limit: '3', remaining: '0', reset: String(reset) });
    expect(limitHeaders(byId)).toMatchObject({ limit: '600', remaining: '599' });
    expect(refused.body).toMatchObject({
      errorCode: 'E0000047',
      errorSummary: 'API call exceeded rate limit due to too many requests.',
      errorLink: 'E0000047',
      errorCauses: [],
    });
    // A scaled minute still ends on a whole epoch second, no later than minuteMs + 1 s away.
    expect(Number.isInteger(reset)).toBe(true);
    expect(reset * 1000 - Date.now()).toBeLessThanOrEqual(2_000);
    expect(okta.control.callsTo('GET', '/api/v1/apps').map((c) => c.limitedBy)).toEqual([
      undefined,
      '/api/v1/apps',
    ]);
    expect(okta.control.rateLimitUsage().windows['/api/v1/apps']).toEqual({
      used: 3,
      limit: 3,
      resetEpochSeconds: reset,
    });

    // A client that waits until the announced second lands in a fresh window.
    await untilEpochSecond(reset);
    const fresh = await oktaCall('GET', '/api/v1/apps');
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('x-rate-limit-remaining')).toBe('2');
    expect(Number(fresh.headers.get('x-rate-limit-reset'))).toBeGreaterThan(reset);
  });

  it('stamp every answer of a limited bucket (errors too) and none of the unlimited discovery endpoints', async () => {
    okta.control.enforceRateLimits({ minuteMs: 2_000 });
    const unauthorised = await oktaCall('GET', '/api/v1/authorizationServers', 'SSWS wrong');
    const missing = await oktaCall('GET', '/api/v1/authorizationServers/ausNOPE');
    const discovery = await oktaCall('GET', '/oauth2/default/.well-known/openid-configuration');
    expect([unauthorised.status, missing.status, discovery.status]).toEqual([401, 404, 404]);
    expect(limitHeaders(unauthorised)).toMatchObject({ limit: '600', remaining: '599' });
    expect(limitHeaders(missing)).toMatchObject({ limit: '600', remaining: '598' });
    expect(limitHeaders(discovery)).toEqual({ limit: null, remaining: null, reset: null });
  });
});

describe("Okta's concurrent-request limit", () => {
  it('refuses the call past the limit with 429, Limit and Remaining 0 and an estimated reset', async () => {
    okta.control.enforceRateLimits({ minuteMs: 6_000, concurrency: 2 });
    okta.control.setLatency(300);
    const answers = await Promise.all([
      oktaCall('GET', '/api/v1/groups'),
      oktaCall('GET', '/oauth2/default/.well-known/openid-configuration'), // public calls are traffic too
      oktaCall('GET', '/api/v1/groups'),
    ]);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(1);
    const [one] = refused;
    expect(one!.body).toMatchObject({ errorCode: 'E0000047' });
    expect(limitHeaders(one!)).toMatchObject({ limit: '0', remaining: '0' });
    const estimate = Number(one!.headers.get('x-rate-limit-reset'));
    expect(estimate).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
    expect(estimate * 1000 - Date.now()).toBeLessThanOrEqual(1_100);
    expect(one!.ms).toBeGreaterThanOrEqual(295); // the refusal travels back as slowly as any answer
    expect(okta.control.calls.filter((c) => c.limitedBy === 'concurrency')).toHaveLength(1);
    expect(okta.control.rateLimitUsage()).toMatchObject({ inFlight: 0, peakInFlight: 2 });

    expect((await oktaCall('GET', '/api/v1/groups')).status).toBe(200); // a slot is free again
  });

  it('is lifted, with the buckets, by stopEnforcingRateLimits() and by reset()', async () => {
    okta.control.enforceRateLimits({ concurrency: 1, limits: { '/api/v1/groups': 1 } });
    expect((await oktaCall('GET', '/api/v1/groups')).status).toBe(200);
    expect((await oktaCall('GET', '/api/v1/groups')).status).toBe(429);
    okta.control.stopEnforcingRateLimits();
    expect((await oktaCall('GET', '/api/v1/groups')).status).toBe(200);
    okta.control.enforceRateLimits({ limits: { '/api/v1/groups': 1 } });
    await oktaCall('GET', '/api/v1/groups');
    okta.control.reset();
    expect((await oktaCall('GET', '/api/v1/groups')).status).toBe(200);
  });
});

describe("the provisioner's Okta client under enforced limits", () => {
  const client = () => new OktaClient({ orgUrl: okta.url, token: okta.token, timeoutMs: 5_000 });
  const stepContext = (): StepContext => ({
    okta: client(),
    kong: new KongClient({ adminUrl: kong.url, token: kong.token }),
    konnect: new KonnectClient({ baseUrl: 'http://127.0.0.1:9', token: 'unused' }),
    secrets: new SecretStore(new SecretsManagerClient({ region: 'us-east-1' })),
    sleep,
  });

  it('reads the reset of an exhausted bucket, and the step wait for it lands in a fresh window', async () => {
    okta.control.enforceRateLimits({ minuteMs: 1_000, limits: { '/api/v1/groups': 1 } });
    await oktaCall('GET', '/api/v1/groups');
    const err = await rejection(client().directory.resolveGroups(['Everyone']));
    expect(err).toBeInstanceOf(RateLimitedError);
    const reset = okta.control.rateLimitUsage().windows['/api/v1/groups']?.resetEpochSeconds ?? 0;
    expect((err as RateLimitedError).resetAt).toBe(reset);
    expect((err as RateLimitedError).retryAfterSeconds()).toBeLessThanOrEqual(2);

    await expect(waitOutRateLimit(err, stepContext())).rejects.toBe(err);
    expect(Date.now()).toBeGreaterThanOrEqual(reset * 1000);
    const groups = await client().directory.resolveGroups(['Everyone']);
    expect(groups.map((g) => g.name)).toEqual(['Everyone']);
  });

  it('maps a concurrency refusal to a RateLimitedError with the estimated reset', async () => {
    okta.control.enforceRateLimits({ concurrency: 1 });
    okta.control.setLatency(300);
    const results = await Promise.allSettled([
      client().directory.resolveGroups(['Everyone']),
      client().directory.resolveGroups(['Everyone']),
    ]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failed).toHaveLength(1);
    const err = failed[0]!.reason as RateLimitedError;
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.retryAfterSeconds()).toBeLessThanOrEqual(2);
  });
});

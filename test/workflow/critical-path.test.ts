// Intent: a provisioning and a teardown make each Okta/Kong call once and make independent calls at
// the same time - the synthesized ASL (Parallel states) and the real handlers, against the
// sandboxes - while a step that is retried still looks again before it creates anything.
import { callCounts, PROVISIONING_ROUNDS, roundCalls, TEARDOWN_ROUNDS } from '../../bench/critical-path';
import type { RecordedCall } from '../../local/sandboxes/http-sandbox';
import { teardownAsl } from '../../local/workflow/asl';
import { runLocally, type JsonValue } from '../../local/workflow/runner';
import { provisioningInput, useHarness, type Harness } from './harness';

const harness = useHarness();
let h: Harness;
beforeEach(async () => {
  h = harness();
  await h.reset();
});
afterEach(() => {
  h.okta.control.setLatency(0);
  h.kong.control.setLatency(0);
});

const counted = (calls: readonly RecordedCall[]) => callCounts(calls, 'team-a');

const vendorCalls = () => [...h.okta.control.calls, ...h.kong.control.calls];
const call = (calls: readonly RecordedCall[], method: string, path: RegExp) => {
  const found = calls.find((c) => c.method === method && path.test(c.path));
  if (!found) throw new Error(`no ${method} ${path}`);
  return found;
};
/** Both were in flight at once. */
const overlap = (a: RecordedCall, b: RecordedCall) =>
  a.startedAt < (b.endedAt ?? Infinity) && b.startedAt < (a.endedAt ?? Infinity);

let n = 0;
const teardown = () =>
  runLocally(
    {
      requestId: `td-cp-${++n}`,
      request: { workspace: 'team-a', environment: 'dev', requestedBy: 'ops@example.com' },
    } as JsonValue,
    h.ctx,
    { definition: teardownAsl(), retryDelayMs: 0 },
  );

describe('a provisioning of a new workspace', () => {
  it('makes each call once: nothing it learned is read again', async () => {
    expect((await h.run(provisioningInput())).status).toBe('SUCCEEDED');
    // Exactly the calls the critical-path table lists, each once (bench/critical-path.ts).
    expect(counted(vendorCalls())).toEqual(roundCalls(PROVISIONING_ROUNDS));
    expect(Object.keys(roundCalls(PROVISIONING_ROUNDS))).toHaveLength(15);
  });

  it('makes independent calls at the same time', async () => {
    h.okta.control.setLatency(150);
    h.kong.control.setLatency(150);
    expect((await h.run(provisioningInput())).status).toBe('SUCCEEDED');
    const calls = vendorCalls();
    const kongRead = call(calls, 'GET', /^\/team-a\/kong$/);
    expect(overlap(kongRead, call(calls, 'GET', /^\/workspaces\/team-a$/))).toBe(true);
    for (const lookup of [/^\/api\/v1\/groups$/, /^\/api\/v1\/meta\/schemas/, /^\/api\/v1\/apps$/])
      expect({ lookup: String(lookup), overlaps: overlap(kongRead, call(calls, 'GET', lookup)) }).toEqual({
        lookup: String(lookup),
        overlaps: true,
      });
    const createApp = call(calls, 'POST', /^\/api\/v1\/apps$/);
    expect(overlap(createApp, call(calls, 'POST', /^\/api\/v1\/authorizationServers$/))).toBe(true);
    const assign = call(calls, 'PUT', /\/groups\//);
    expect(overlap(assign, call(calls, 'POST', /\/claims$/))).toBe(true);
    expect(overlap(assign, call(calls, 'POST', /\/policies$/))).toBe(true);
    expect(overlap(call(calls, 'GET', /openid-configuration$/), call(calls, 'GET', /\/v1\/authorize$/))).toBe(
      true,
    );
    // Dependent calls wait: the rule for the policy, Kong for the whole of Okta.
    const patch = call(calls, 'PATCH', /^\/workspaces\/team-a$/);
    const rule = call(calls, 'POST', /\/rules$/);
    expect(rule.startedAt).toBeGreaterThanOrEqual(call(calls, 'POST', /\/policies$/).endedAt ?? Infinity);
    expect(patch.startedAt).toBeGreaterThanOrEqual(rule.endedAt ?? Infinity);
  });

  it('looks again on a retry: a create whose answer was lost is found and adopted, not made twice', async () => {
    h.okta.control.inject({ route: '/api/v1/apps', method: 'POST', loseResponse: true });
    h.okta.control.inject({ route: '/api/v1/authorizationServers', method: 'POST', loseResponse: true });
    expect((await h.run(provisioningInput())).status).toBe('SUCCEEDED');
    const counts = counted(vendorCalls());
    // The look-up before anything was made, and the retry's own look.
    expect(counts['GET /api/v1/apps']).toBe(2);
    expect(counts['GET /api/v1/authorizationServers']).toBe(2);
    expect(counts['POST /api/v1/apps']).toBe(1);
    expect(h.okta.state.apps().filter((a) => a.label === 'kong-portal-dev.team-a')).toHaveLength(1);
    expect(h.okta.state.authServers().filter((s) => s.name === 'kong-portal-dev.team-a')).toHaveLength(1);
  });
});

describe('a teardown', () => {
  it('finds the Okta resources while Kong is restored, removes both at the same time, and reads nothing twice', async () => {
    expect((await h.run(provisioningInput())).status).toBe('SUCCEEDED');
    h.okta.control.resetTraffic();
    h.kong.control.resetTraffic();
    h.okta.control.setLatency(150);
    h.kong.control.setLatency(150);
    expect((await teardown()).status).toBe('SUCCEEDED');
    const calls = vendorCalls();
    expect(counted(calls)).toEqual(roundCalls(TEARDOWN_ROUNDS));
    const kongRead = call(calls, 'GET', /^\/workspaces\/team-a$/);
    expect(overlap(kongRead, call(calls, 'GET', /^\/api\/v1\/apps$/))).toBe(true);
    // Nothing in Okta goes before the portal stops signing in through it.
    const patch = call(calls, 'PATCH', /^\/workspaces\/team-a$/);
    const deactivateApp = call(calls, 'POST', /\/apps\/.*\/deactivate$/);
    expect(deactivateApp.startedAt).toBeGreaterThanOrEqual(patch.endedAt ?? Infinity);
    expect(overlap(deactivateApp, call(calls, 'POST', /\/authorizationServers\/.*\/deactivate$/))).toBe(true);
  });
});

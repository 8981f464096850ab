// Intent: for every step that writes to Okta or Kong, a transient fault (503 once, 429 with a
// reset time, a write whose response is lost) still ends SUCCEEDED with exactly one of each
// resource, and a permanent fault ends FAILED with Okta, Kong and Secrets Manager exactly as
// they were before the run - resources that existed before are never touched. Undo steps that
// fail are retried; one that keeps failing ends in CleanupIncomplete listing what is left.
import type { RequestStore } from '../../lambdas/clients/requests';
import { PermanentError } from '../../lambdas/core/errors';
import type { Fault } from '../../local/sandboxes/http-sandbox';
import { createHandMadeApp, createHandMadeServer } from '../support/okta-seed';
import { provisioningInput, useHarness, type Harness } from './harness';

const harness = useHarness();
let h: Harness;
beforeEach(() => {
  h = harness();
});

const AS = '/api/v1/authorizationServers/{authServerId}';
const MUTATING_STEPS = [
  { step: 'CreateOktaApp', vendor: 'okta', method: 'POST', route: '/api/v1/apps' },
  { step: 'AssignGroups', vendor: 'okta', method: 'PUT', route: '/api/v1/apps/{appId}/groups/{groupId}' },
  { step: 'CreateAuthServer', vendor: 'okta', method: 'POST', route: '/api/v1/authorizationServers' },
  { step: 'CreateClaim', vendor: 'okta', method: 'POST', route: `${AS}/claims` },
  { step: 'CreateAccessPolicy', vendor: 'okta', method: 'POST', route: `${AS}/policies` },
  { step: 'CreatePolicyRule', vendor: 'okta', method: 'POST', route: `${AS}/policies/{policyId}/rules` },
  { step: 'ConfigurePortal', vendor: 'kong', method: 'PATCH', route: '/workspaces/{workspace_id_or_name}' },
] as const;

const FAULTS: Record<string, Omit<Fault, 'route' | 'method'>> = {
  '503 once': { status: 503 },
  '429 with reset': { rateLimitResetInSeconds: 2 },
  'write committed, response lost': { loseResponse: true },
  'permanent 400': { status: 400 },
};

const PRIOR_KONG_SETTINGS = { portal: false, portal_auth: 'basic-auth', portal_auto_approve: false };

/** Resources that exist before the run and must survive anything it does. */
async function seedPreExisting(): Promise<{ appId: string; serverId: string }> {
  return {
    appId: await createHandMadeApp(h.okta, 'hr-portal', 'https://hr.example.com/cb'),
    serverId: await createHandMadeServer(h.okta, 'hr-auth', 'api://hr'),
  };
}

function snapshot() {
  return {
    apps: h.okta.state.apps().map((a) => ({ id: a.id, label: a.label, status: a.status })),
    authServers: h.okta.state.authServers().map((s) => ({ id: s.id, name: s.name, status: s.status })),
    kong: structuredClone(h.kong.state.workspace('team-a')!.config),
    secrets: h.secrets.state
      .secrets()
      .filter((s) => !s.deletedDate)
      .map((s) => s.name)
      .sort(),
  };
}

function ours() {
  const apps = h.okta.state.apps().filter((a) => a.label === 'kong-portal-dev.team-a');
  const servers = h.okta.state.authServers().filter((s) => s.name === 'kong-portal-dev.team-a');
  const server = servers[0];
  const policies = server ? h.okta.state.policies(server.id) : [];
  return {
    apps: apps.length,
    assignments: apps[0] ? h.okta.state.appGroupAssignments(apps[0].id).length : 0,
    servers: servers.length,
    claims: server ? h.okta.state.claims(server.id).length : 0,
    policies: policies.length,
    rules: server && policies[0] ? h.okta.state.rules(server.id, policies[0].id).length : 0,
  };
}

async function freshRun() {
  await h.reset(PRIOR_KONG_SETTINGS);
  const prior = await seedPreExisting();
  return { prior, before: snapshot() };
}

describe.each(MUTATING_STEPS)('$step', ({ vendor, method, route }) => {
  it.each(Object.keys(FAULTS))('%s', async (faultName) => {
    const { prior, before } = await freshRun();
    const sandbox = vendor === 'okta' ? h.okta : h.kong;
    sandbox.control.inject({ route, method, ...FAULTS[faultName] });

    const execution = await h.run(provisioningInput());

    if (faultName === 'permanent 400') {
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('ProvisioningFailed');
      expect(JSON.parse(execution.cause!)).toMatchObject({
        error: { name: 'ValidationError' },
        leftovers: [],
      });
      // Permanent means permanent: the failing call was not repeated.
      expect(sandbox.control.callsTo(method, route).filter((c) => c.status === 400)).toHaveLength(1);
      expect(snapshot()).toEqual(before);
    } else {
      expect(execution.status).toBe('SUCCEEDED');
      expect(ours()).toEqual({ apps: 1, assignments: 1, servers: 1, claims: 1, policies: 1, rules: 1 });
      expect(snapshot().secrets).toEqual([
        'kong-portal-provisioner/dev/team-a/client-secret',
        'kong-portal-provisioner/dev/team-a/kong-baseline',
      ]);
      expect(h.kong.state.workspace('team-a')!.config).toMatchObject({
        portal: true,
        portal_auth: 'openid-connect',
      });
      if (faultName === '429 with reset') expect(h.sleeps.some((ms) => ms > 0)).toBe(true);
    }
    // Whatever happened, what existed before is untouched.
    expect(h.okta.state.apps().find((a) => a.id === prior.appId)).toMatchObject({
      label: 'hr-portal',
      status: 'ACTIVE',
    });
    expect(h.okta.state.authServers().find((s) => s.id === prior.serverId)).toMatchObject({
      name: 'hr-auth',
      status: 'ACTIVE',
    });
  });
});

describe('failures during the rollback', () => {
  const APP = '/api/v1/apps/{appId}';

  it('an undo step that fails twice is retried and still cleans up', async () => {
    const { before } = await freshRun();
    h.kong.control.inject({ route: '/workspaces/{workspace_id_or_name}', method: 'PATCH', status: 400 });
    h.okta.control.inject({ route: APP, method: 'DELETE', status: 503, times: 2 });
    const execution = await h.run(provisioningInput());
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('ProvisioningFailed');
    expect(h.okta.control.callsTo('DELETE', APP)).toHaveLength(3);
    expect(snapshot()).toEqual(before);
  });

  it('a Kong that refuses every PATCH: the undo reads first, finds nothing to put back, and the run is a clean FAILED', async () => {
    // Intent: an undo writes only what differs; a refused forward PATCH changed nothing, so
    // RevertPortal has nothing to write - and a Kong that would refuse that PATCH too cannot turn
    // a clean failure into CLEANUP_INCOMPLETE.
    const { before } = await freshRun();
    h.kong.control.inject({
      route: '/workspaces/{workspace_id_or_name}',
      method: 'PATCH',
      status: 400,
      times: 1_000,
    });
    const execution = await h.run(provisioningInput());
    h.kong.control.clearFaults();
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('ProvisioningFailed');
    expect(h.kong.control.callsTo('PATCH', '/workspaces/{workspace_id_or_name}')).toHaveLength(1);
    expect(snapshot()).toEqual(before);
  });

  it('an undo of an app this request only adopted reads nothing: Okta refusing to read it cannot leave CleanupIncomplete', async () => {
    // Found by `npm run chaos`: a re-provisioning adopts the app of an earlier one; when it fails
    // and Okta refuses even to read that app, the undo must not try - the app was never this run's.
    await h.reset(PRIOR_KONG_SETTINGS);
    expect((await h.run(provisioningInput())).status).toBe('SUCCEEDED');
    const before = snapshot();
    h.kong.control.inject({
      route: '/workspaces/{workspace_id_or_name}',
      method: 'PATCH',
      status: 400,
      times: 1_000,
    });
    h.okta.control.inject({ route: APP, method: 'GET', status: 400, times: 1_000 });
    const execution = await h.run(provisioningInput());
    h.kong.control.clearFaults();
    h.okta.control.clearFaults();
    expect(execution.error).toBe('ProvisioningFailed');
    expect(snapshot()).toEqual(before);
  });

  it('an undo that keeps failing ends in CleanupIncomplete, lists the leftover, and the other undos still run', async () => {
    const { before } = await freshRun();
    h.kong.control.inject({ route: '/workspaces/{workspace_id_or_name}', method: 'PATCH', status: 400 });
    h.okta.control.inject({ route: APP, method: 'DELETE', status: 503, times: 1_000 });
    const execution = await h.run(provisioningInput());
    h.okta.control.clearFaults();

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('CleanupIncomplete');
    const leftover = h.okta.state.apps().find((a) => a.label === 'kong-portal-dev.team-a');
    expect(leftover).toBeDefined();
    expect(JSON.parse(execution.cause!)).toMatchObject({
      status: 'CLEANUP_INCOMPLETE',
      leftovers: [`okta-app:${leftover!.id}`],
    });
    // Everything else was still rolled back.
    const after = snapshot();
    expect(after.authServers).toEqual(before.authServers);
    expect(after.kong).toEqual(before.kong);
    expect(after.secrets).toEqual(before.secrets);
  });
});

describe('a failure on top of an earlier provisioning', () => {
  it('removes exactly what the failed request added (a claim, a group) and keeps everything that was there', async () => {
    await freshRun();
    expect((await h.run(provisioningInput({}, 'req-earlier'))).status).toBe('SUCCEEDED');
    const before = snapshot();
    const [app] = h.okta.state.apps().filter((a) => a.label === 'kong-portal-dev.team-a');
    const [server] = h.okta.state.authServers().filter((s) => s.name === 'kong-portal-dev.team-a');
    const assignmentsBefore = h.okta.state.appGroupAssignments(app!.id).map((a) => a.id);
    h.okta.control.addGroup('Testers');

    // A new claim and a new group are added, then the rule's lifetimes conflict with the earlier rule.
    const execution = await h.run(
      provisioningInput({
        oktaGroups: ['Developers', 'Testers'],
        claimName: 'portal_email',
        tokenLifetimes: { accessTokenMinutes: 30 },
      }),
    );
    expect(execution.status).toBe('FAILED');
    expect(JSON.parse(execution.cause!)).toMatchObject({ error: { name: 'ConflictError' }, leftovers: [] });
    expect(h.okta.state.claims(server!.id).map((c) => c.name)).toEqual(['user.login']);
    expect(h.okta.state.appGroupAssignments(app!.id).map((a) => a.id)).toEqual(assignmentsBefore);
    expect(snapshot()).toEqual(before);
  });
});

describe('when the outcome cannot be recorded', () => {
  afterEach(() => {
    delete h.ctx.requests;
  });

  it('rolls back completely, its own teardown baseline included, instead of leaving an unrecorded portal', async () => {
    const { before } = await freshRun();
    // A request log that refuses to record success (and records everything else).
    h.ctx.requests = {
      update: async (_id: string, changes: { status?: string }) => {
        if (changes.status === 'SUCCEEDED') throw new PermanentError('the requests table refused the write');
      },
      releaseLock: async () => undefined,
    } as unknown as RequestStore;
    const execution = await h.run(provisioningInput());
    expect(execution.status).toBe('FAILED');
    expect(JSON.parse(execution.cause!)).toMatchObject({
      status: 'FAILED',
      error: { name: 'PermanentError' },
      leftovers: [],
    });
    expect(snapshot()).toEqual(before);
  });
});

describe('a long rate-limit storm', () => {
  it('a create refused with 429 seven times in a row still ends SUCCEEDED with one app', async () => {
    // Intent: in a burst, a call can be refused many times (each refusal uses no quota, and 35
    // calls at once already hold the concurrency limit); every refusal is waited out and retried,
    // so the run outlasts the storm instead of failing after a handful of attempts.
    await freshRun();
    h.okta.control.inject({ route: '/api/v1/apps', method: 'POST', rateLimitResetInSeconds: 1, times: 7 });
    const execution = await h.run(provisioningInput());
    expect(execution.status).toBe('SUCCEEDED');
    expect(ours().apps).toBe(1);
    expect(h.okta.control.callsTo('POST', '/api/v1/apps').filter((c) => c.status === 429)).toHaveLength(7);
  });
});

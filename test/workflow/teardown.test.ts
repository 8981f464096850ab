// Intent: the teardown state machine (synthesized ASL + real handlers) removes what provisioning
// made for a workspace - app, authorization server, both secrets - restores the Kong portal
// settings saved before the first provisioning, leaves everything else alone, and when it fails
// part-way it can simply be run again.
import type { WorkspaceConfig } from '../../local/sandboxes/kong';
import { teardownAsl } from '../../local/workflow/asl';
import { runLocally, type JsonValue } from '../../local/workflow/runner';
import { createHandMadeServer } from '../support/okta-seed';
import { provisioningInput, useHarness, type Harness } from './harness';

const harness = useHarness();
let h: Harness;
beforeEach(() => {
  h = harness();
});

const PRIOR = { portal: true, portal_auth: 'basic-auth', portal_auto_approve: true };
let n = 0;
const teardown = () =>
  runLocally(
    {
      requestId: `td-${++n}`,
      request: { workspace: 'team-a', environment: 'dev', requestedBy: 'ops@example.com' },
    } as JsonValue,
    h.ctx,
    { definition: teardownAsl(), retryDelayMs: 0 },
  );
const secrets = () =>
  h.secrets.state
    .secrets()
    .filter((s) => !s.deletedDate)
    .map((s) => s.name);

async function provisioned(): Promise<{ otherServer: string; kongBefore: WorkspaceConfig }> {
  await h.reset(PRIOR);
  const kongBefore = structuredClone(h.kong.state.workspace('team-a')!.config);
  const otherServer = await createHandMadeServer(h.okta, 'someone-elses-server');
  expect((await h.run(provisioningInput())).status).toBe('SUCCEEDED');
  return { otherServer, kongBefore };
}

it('removes what provisioning made, restores Kong exactly, and leaves the rest alone', async () => {
  const { otherServer, kongBefore } = await provisioned();
  expect(secrets()).toHaveLength(2);
  const execution = await teardown();
  expect(execution.status).toBe('SUCCEEDED');
  expect(execution.output).toMatchObject({ status: 'SUCCEEDED', workspace: 'team-a' });
  expect(h.okta.state.apps()).toEqual([]);
  expect(h.okta.state.authServers().map((s) => s.id)).toEqual([otherServer]);
  expect(secrets()).toEqual([]);
  expect(h.kong.state.workspace('team-a')!.config).toEqual(kongBefore);
});

it('a teardown that fails part-way ends TeardownFailed, and running it again finishes the job', async () => {
  const { kongBefore } = await provisioned();
  h.okta.control.inject({ route: '/api/v1/apps/{appId}', method: 'DELETE', status: 400 });
  const failed = await teardown();
  expect(failed.status).toBe('FAILED');
  expect(failed.error).toBe('TeardownFailed');
  expect(h.okta.state.apps()).toHaveLength(1);

  const again = await teardown();
  expect(again.status).toBe('SUCCEEDED');
  expect(h.okta.state.apps()).toEqual([]);
  expect(secrets()).toEqual([]);
  expect(h.kong.state.workspace('team-a')!.config).toEqual(kongBefore);
});

it('tearing down a workspace that was never provisioned changes nothing', async () => {
  await h.reset(PRIOR);
  const before = structuredClone(h.kong.state.workspace('team-a')!.config);
  const execution = await teardown();
  expect(execution.status).toBe('SUCCEEDED');
  expect(h.kong.state.workspace('team-a')!.config).toEqual(before);
  expect(h.kong.control.calls.filter((c) => c.method !== 'GET')).toEqual([]);
});

it('tearing down one (environment, workspace) never removes another pair whose names once ran together', async () => {
  // Intent (safety): `dev` + `eu-web` and `dev-eu` + `web` are different portals; tearing down
  // one must leave every resource of the other in place.
  await h.reset();
  h.kong.control.addWorkspace('eu-web');
  h.kong.control.addWorkspace('web');
  const provisioning = await h.run(provisioningInput({ workspace: 'eu-web', environment: 'dev' }));
  expect(provisioning.status).toBe('SUCCEEDED');
  const apps = h.okta.state.apps().map((a) => a.id);
  const servers = h.okta.state.authServers().map((s) => s.id);
  const kept = secrets();
  const execution = await runLocally(
    {
      requestId: `td-${++n}`,
      request: { workspace: 'web', environment: 'dev-eu', requestedBy: 'ops@example.com' },
    } as JsonValue,
    h.ctx,
    { definition: teardownAsl(), retryDelayMs: 0 },
  );
  expect(execution.status).toBe('SUCCEEDED');
  expect(h.okta.state.apps().map((a) => a.id)).toEqual(apps);
  expect(h.okta.state.authServers().map((s) => s.id)).toEqual(servers);
  expect(secrets()).toEqual(kept);
});

// Intent: when one branch of a Parallel state fails, the rollback starts only after every other
// branch has finished, so a sibling still at work (slow, or retrying) cannot create something after
// the undo that should remove it has already run. Found by the chaos run: a permanent error in
// ResolveOktaInputs while ResolvePortal waited out a 429 left ResolvePortal's rollback snapshot.
import { provisioningInput, useHarness, type Harness } from './harness';

const harness = useHarness();
let h: Harness;
beforeEach(async () => {
  h = harness();
  await h.reset();
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 600));

const liveSecrets = () =>
  h.secrets.state
    .secrets()
    .filter((s) => !s.deletedDate)
    .map((s) => s.name);

it('ResolveOktaInputs fails while ResolvePortal is still reading Kong: no snapshot is left behind', async () => {
  h.okta.control.inject({ route: '/api/v1/groups', method: 'GET', status: 400 });
  h.kong.control.inject({ route: '/workspaces/{workspace_id_or_name}', method: 'GET', latencyMs: 300 });
  const execution = await h.run(provisioningInput());
  expect(execution.status).toBe('FAILED');
  await settle();
  expect(liveSecrets()).toEqual([]);
});

it('CreateOktaApp fails while CreateAuthServer is still creating: the server is removed, not left', async () => {
  h.okta.control.inject({ route: '/api/v1/apps', method: 'POST', status: 400 });
  h.okta.control.inject({ route: '/api/v1/authorizationServers', method: 'POST', latencyMs: 300 });
  const execution = await h.run(provisioningInput());
  expect(execution.status).toBe('FAILED');
  await settle();
  expect(h.okta.state.authServers().filter((s) => s.name === 'kong-portal-dev.team-a')).toEqual([]);
  expect(liveSecrets()).toEqual([]);
  expect(JSON.parse(execution.cause!)).toMatchObject({ leftovers: [] });
});

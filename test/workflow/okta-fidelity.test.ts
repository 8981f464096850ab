// Intent (fidelity): the Okta behaviours real orgs show and the sandbox now models - two client
// secrets during a rotation, INACTIVE apps and servers in lists, case-insensitive group search,
// reads that miss a resource created moments ago, Okta's own rate-limit headers on the discovery
// document - each leads to the outcome a user expects, not a quiet failure.
import { runStep } from '../../lambdas/steps/handlers';
import { provisioningAsl } from '../../local/workflow/asl';
import { runLocally, type JsonValue } from '../../local/workflow/runner';
import { provisioningInput, useHarness, type Harness } from './harness';

const harness = useHarness();
let h: Harness;
beforeEach(async () => {
  h = harness();
  await h.reset();
});

const kongConf = () =>
  JSON.parse(String(h.kong.state.workspace('team-a')?.config.portal_auth_conf)) as {
    client_secret: string[];
  };

it('reads the newest ACTIVE client secret of an app that holds two during a rotation', async () => {
  expect((await h.run(provisioningInput())).status).toBe('SUCCEEDED');
  const app = h.okta.state.apps()[0]!;
  const newest = h.okta.control.rotateClientSecret(app.id);
  const again = await h.run(provisioningInput());
  expect(again.status).toBe('SUCCEEDED');
  const arn = (again.output as { clientSecretArn: string }).clientSecretArn;
  expect(await h.ctx.secrets.get(arn)).toBe(newest);
  expect(kongConf().client_secret).toEqual([newest]);
});

it('reactivates its own app and server left INACTIVE by a teardown that could not finish', async () => {
  expect((await h.run(provisioningInput())).status).toBe('SUCCEEDED');
  const app = h.okta.state.apps()[0]!;
  const server = h.okta.state.authServers()[0]!;
  for (const path of [
    `/api/v1/apps/${app.id}/lifecycle/deactivate`,
    `/api/v1/authorizationServers/${server.id}/lifecycle/deactivate`,
  ])
    expect(
      (
        await fetch(`${h.okta.url}${path}`, {
          method: 'POST',
          headers: { Authorization: `SSWS ${h.okta.token}` },
        })
      ).ok,
    ).toBe(true);
  // The plan says so before.
  const plan = await h.run(provisioningInput({ dryRun: true }));
  const actions = (plan.output as { plan: { okta: Array<{ action: string; what: string }> } }).plan.okta;
  expect(actions.filter((i) => i.action === 'reactivate').map((i) => i.what)).toEqual([
    "OIDC Web app 'kong-portal-dev.team-a'",
    "authorization server 'kong-portal-dev.team-a'",
  ]);
  const execution = await h.run(provisioningInput());
  expect(execution.status).toBe('SUCCEEDED');
  expect(h.okta.state.apps().map((a) => a.status)).toEqual(['ACTIVE']);
  expect(h.okta.state.authServers().find((s) => s.id === server.id)?.status).toBe('ACTIVE');
});

it('matches a group name as Okta does (case-insensitively), and names every match when several do', async () => {
  expect((await h.run(provisioningInput({ oktaGroups: ['developers'] }))).status).toBe('SUCCEEDED');
  h.okta.control.addGroup('DEVELOPERS');
  const ambiguous = await h.run(provisioningInput({ oktaGroups: ['developers'] }));
  expect(ambiguous.status).toBe('FAILED');
  expect(ambiguous.cause).toMatch(
    /oktaGroups\.0: 2 Okta groups match 'developers' \(Developers, DEVELOPERS\); give the group id instead/,
  );
});

it('rides out reads that miss what it created moments ago (eventual consistency), and still makes one of each', async () => {
  h.okta.control.lagReadsAfterCreate(2);
  const execution = await h.run(provisioningInput());
  expect(execution.status).toBe('SUCCEEDED');
  expect(h.okta.state.apps()).toHaveLength(1);
  expect(h.okta.state.authServers()).toHaveLength(1);
});

it('waits out a rate limit on the discovery document as Okta announces it (X-Rate-Limit-Reset, epoch seconds)', async () => {
  h.okta.control.inject({
    route: '/oauth2/{authServerId}/.well-known/openid-configuration',
    rateLimitResetInSeconds: 7,
  });
  const execution = await h.run(provisioningInput());
  expect(execution.status).toBe('SUCCEEDED');
  // The step waited (close to) the announced reset before handing the error back for its retry.
  expect(h.sleeps.some((ms) => ms >= 5_000 && ms <= 8_000)).toBe(true);
});

it("verifies the first developer's sign-in: a redirect URI the app no longer allows fails, naming both, and rolls back", async () => {
  // Intent: the runbook's most common failure - Okta refusing the portal's redirect URI - is found
  // by asking Okta's authorize endpoint with exactly what Kong will send, not by the first developer.
  const definition = provisioningAsl();
  const execution = await runLocally(provisioningInput() as JsonValue, h.ctx, {
    definition,
    retryDelayMs: 0,
    handlers: {
      // An admin edits the app's sign-in redirect URIs while the portal is being configured.
      ConfigurePortal: async (input) => {
        const result = await runStep('ConfigurePortal', input, h.ctx);
        const app = h.okta.state.apps()[0]!;
        await fetch(`${h.okta.url}/api/v1/apps/${app.id}`, {
          method: 'PUT',
          headers: {
            Authorization: `SSWS ${h.okta.token}`,
            'Content-Type': 'application/json',
            Accept: 'application/json',
          },
          body: JSON.stringify({
            ...app,
            settings: {
              ...app.settings,
              oauthClient: {
                ...app.settings?.oauthClient,
                redirect_uris: ['https://typo.example.com/team-a/auth'],
              },
            },
          }),
        });
        return result as JsonValue;
      },
    },
  });
  expect(execution.status).toBe('FAILED');
  expect(execution.cause).toMatch(
    /Okta would refuse the first developer's sign-in to the portal: Kong will send redirect_uri 'http:\/\/localhost:8004\/team-a\/auth', but the app \w+ allows \[\\"https:\/\/typo.example.com\/team-a\/auth\\"\]/,
  );
  expect(h.okta.state.apps()).toEqual([]);
  expect(h.kong.state.workspace('team-a')?.config.portal_auth ?? null).toBeNull();
});

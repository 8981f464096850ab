// Intent (fidelity): the redirect URI and cookie settings follow where Kong really serves the
// portal, so the first developer can sign in - in subdomain mode without portal_api_url (the
// browser calls the API on <ws>.<gui host>), and with the GUI and the API on different hosts (the
// session cookie must be shared through their common parent domain). Where Kong's set-up leaves
// no way to make sign-in work, the run is refused up front, naming what to set, with nothing made.
import { provisioningInput, useHarness, type Harness } from './harness';

const harness = useHarness();
let h: Harness;
beforeEach(async () => {
  h = harness();
  await h.reset();
});

const conf = () =>
  JSON.parse(String(h.kong.state.workspace('team-a')?.config.portal_auth_conf)) as Record<string, unknown>;

it('subdomain mode without portal_api_url: sign-in comes back to <ws>.<gui host>, where it started', async () => {
  h.kong.control.setNodeConfiguration({
    portal_gui_use_subdomains: true,
    portal_gui_host: 'portal.example.test:8003',
  });
  const execution = await h.run(provisioningInput());
  expect(execution.status).toBe('SUCCEEDED');
  expect(conf().redirect_uri).toEqual(['http://team-a.portal.example.test:8004/team-a/auth']);
  expect(h.okta.state.apps()[0]?.settings?.oauthClient?.redirect_uris).toEqual([
    'http://team-a.portal.example.test:8004/team-a/auth',
  ]);
  expect(h.kong.state.signInProblems('team-a')).toEqual([]);
});

it('GUI and API on different hosts of one domain: session_cookie_domain is their common parent', async () => {
  h.kong.control.setNodeConfiguration({
    portal_gui_host: 'portal.example.test',
    portal_api_url: 'http://api.portal.example.test:8004',
  });
  const execution = await h.run(provisioningInput());
  expect(execution.status).toBe('SUCCEEDED');
  expect(conf()).toMatchObject({
    redirect_uri: ['http://api.portal.example.test:8004/team-a/auth'],
    session_cookie_domain: '.portal.example.test',
  });
  expect(h.kong.state.signInProblems('team-a')).toEqual([]);
});

it.each([
  [
    'GUI and API hosts that share no parent domain',
    { portal_gui_host: 'portal.alpha.test', portal_api_url: 'http://api.beta.test:8004' },
    /portal\.alpha\.test and the portal API host api\.beta\.test share no parent domain/,
  ],
  [
    'subdomain mode on an IP address, without portal_api_url',
    { portal_gui_use_subdomains: true, portal_gui_host: '10.0.0.5:8003' },
    /set portal_api_url/,
  ],
])('refuses %s before creating anything', async (_case, node, reason) => {
  h.kong.control.setNodeConfiguration(node);
  const execution = await h.run(provisioningInput());
  expect(execution.status).toBe('FAILED');
  expect(execution.cause).toMatch(reason);
  expect(h.okta.state.apps()).toEqual([]);
  expect(h.secrets.state.secrets().filter((s) => !s.deletedDate)).toEqual([]);
});

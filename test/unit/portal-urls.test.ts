// Intent: the redirect URI Okta allows and the URL developers open match what Kong will really
// serve, for every way kong.conf can place the portal (the runbook's "wrong port" failure).
import { derivePortalUrls, type KongPortalConfiguration } from '../../lambdas/core/portal-urls';
import { PermanentError } from '../../lambdas/core/errors';

const listeners = [
  { port: 8004, ssl: false },
  { port: 8447, ssl: true },
];

describe('derivePortalUrls', () => {
  it.each<[string, KongPortalConfiguration, { portalGuiUrl: string; redirectUri: string }]>([
    [
      'http GUI, no portal_api_url: non-ssl API listener on the GUI host',
      { portal_gui_protocol: 'http', portal_gui_host: 'localhost:8003', portal_api_listeners: listeners },
      { portalGuiUrl: 'http://localhost:8003/team-a', redirectUri: 'http://localhost:8004/team-a/auth' },
    ],
    [
      'https GUI, no portal_api_url: the ssl listener port',
      {
        portal_gui_protocol: 'https',
        portal_gui_host: 'cp.example.com:8446',
        portal_api_listeners: listeners,
      },
      {
        portalGuiUrl: 'https://cp.example.com:8446/team-a',
        redirectUri: 'https://cp.example.com:8447/team-a/auth',
      },
    ],
    [
      'listeners only as portal_api_listen strings',
      {
        portal_gui_protocol: 'https',
        portal_gui_host: 'cp.example.com',
        portal_api_listen: ['0.0.0.0:8004', '0.0.0.0:9447 ssl http2'],
      },
      {
        portalGuiUrl: 'https://cp.example.com/team-a',
        redirectUri: 'https://cp.example.com:9447/team-a/auth',
      },
    ],
    [
      'listen as one comma-separated string, default https port omitted',
      {
        portal_gui_protocol: 'https',
        portal_gui_host: 'portal.example.com',
        portal_api_listen: '0.0.0.0:80, 0.0.0.0:443 ssl',
      },
      {
        portalGuiUrl: 'https://portal.example.com/team-a',
        redirectUri: 'https://portal.example.com/team-a/auth',
      },
    ],
    [
      'portal_api_url set: used as is, trailing slash dropped',
      {
        portal_gui_protocol: 'https',
        portal_gui_host: 'portal.example.com',
        portal_api_url: 'https://api.portal.example.com/',
        portal_api_listeners: listeners,
      },
      {
        portalGuiUrl: 'https://portal.example.com/team-a',
        redirectUri: 'https://api.portal.example.com/team-a/auth',
      },
    ],
    [
      'subdomain mode puts the workspace in the host, not the path',
      {
        portal_gui_protocol: 'https',
        portal_gui_host: 'portal.example.com',
        portal_gui_use_subdomains: true,
        portal_api_url: 'https://portal-api.example.com:8447',
      },
      {
        portalGuiUrl: 'https://team-a.portal.example.com',
        redirectUri: 'https://portal-api.example.com:8447/team-a/auth',
      },
    ],
    [
      'protocol missing defaults to http (Kong default)',
      { portal_gui_host: '127.0.0.1:8003', portal_api_listeners: listeners },
      { portalGuiUrl: 'http://127.0.0.1:8003/team-a', redirectUri: 'http://127.0.0.1:8004/team-a/auth' },
    ],
    [
      'IPv6 GUI host keeps its brackets',
      { portal_gui_protocol: 'http', portal_gui_host: '[::1]:8003', portal_api_listeners: listeners },
      { portalGuiUrl: 'http://[::1]:8003/team-a', redirectUri: 'http://[::1]:8004/team-a/auth' },
    ],
  ])('%s', (_case, config, expected) => {
    const urls = derivePortalUrls('team-a', config);
    expect({ portalGuiUrl: urls.portalGuiUrl, redirectUri: urls.redirectUri }).toEqual(expected);
    expect(urls.redirectUri).toBe(`${urls.portalApiBase}/team-a/auth`);
  });

  it.each<[string, KongPortalConfiguration, string | undefined]>([
    [
      'one host for both',
      { portal_gui_host: 'portal.example.com', portal_api_listeners: listeners },
      undefined,
    ],
    [
      'API on a subdomain of the GUI host',
      { portal_gui_host: 'portal.example.com', portal_api_url: 'https://api.portal.example.com' },
      '.portal.example.com',
    ],
    [
      'subdomain GUI and a separate API host',
      {
        portal_gui_host: 'portal.example.com',
        portal_gui_use_subdomains: true,
        portal_api_url: 'https://portal-api.example.com:8447',
      },
      '.example.com',
    ],
    [
      'subdomain mode without portal_api_url: the API is on the same <ws>.<host>',
      {
        portal_gui_host: 'portal.example.com',
        portal_gui_use_subdomains: true,
        portal_api_listeners: listeners,
      },
      undefined,
    ],
  ])(
    'shares the session cookie across the GUI and API hosts only when they differ: %s',
    (_case, config, domain) => {
      expect(derivePortalUrls('team-a', config).sessionCookieDomain).toBe(domain);
    },
  );

  it('derives what the browser calls in subdomain mode without portal_api_url: <ws>.<host>, lowercase', () => {
    const urls = derivePortalUrls('Team-A', {
      portal_gui_protocol: 'https',
      portal_gui_host: 'Portal.Example.com:8446',
      portal_gui_use_subdomains: true,
      portal_api_listeners: listeners,
    });
    expect(urls).toMatchObject({
      portalGuiUrl: 'https://Team-A.Portal.Example.com:8446',
      redirectUri: 'https://team-a.portal.example.com:8447/Team-A/auth',
    });
  });

  it.each(['team~a', 'team_a'])(
    'refuses subdomain mode for workspace %j, which is no host name: set portal_api_url',
    (ws) => {
      expect(() =>
        derivePortalUrls(ws, {
          portal_gui_host: 'portal.example.com',
          portal_gui_use_subdomains: true,
          portal_api_listeners: listeners,
        }),
      ).toThrow(/not a host name a browser can use: set portal_api_url/);
    },
  );

  it('takes an operator-chosen cookie domain only if it covers both hosts', () => {
    const config = {
      portal_gui_host: 'portal.example.com',
      portal_api_url: 'https://api.portal.example.com',
    };
    expect(derivePortalUrls('w', config, { sessionCookieDomain: '.example.com' }).sessionCookieDomain).toBe(
      '.example.com',
    );
    expect(() => derivePortalUrls('w', config, { sessionCookieDomain: '.other.com' })).toThrow(
      /does not cover both/,
    );
  });

  it('refuses to guess when an https GUI has no ssl API listener', () => {
    expect(() =>
      derivePortalUrls('team-a', {
        portal_gui_protocol: 'https',
        portal_gui_host: 'cp',
        portal_api_listeners: [{ port: 8004, ssl: false }],
      }),
    ).toThrow(/no ssl portal API listener.*set portal_api_url/);
  });

  it('refuses a configuration without portal_gui_host', () => {
    expect(() => derivePortalUrls('team-a', { portal_api_listeners: listeners })).toThrow(PermanentError);
  });

  it('refuses an unknown GUI protocol', () => {
    expect(() => derivePortalUrls('team-a', { portal_gui_protocol: 'ftp', portal_gui_host: 'x' })).toThrow(
      /expected http or https/,
    );
  });
});

/**
 * Where a workspace's Dev Portal lives, derived from the node configuration Kong reports at
 * `GET /<workspace>/kong`: the GUI URL developers open, the portal API base, and the OIDC redirect
 * URI Okta must allow. Getting the port wrong here is the runbook's most common quiet failure.
 */
import { PermanentError } from './errors';

/** The portal-related keys of Kong's `configuration` object (kong.conf as Kong renders it). */
export interface KongPortalConfiguration {
  portal?: boolean;
  portal_gui_protocol?: string;
  portal_gui_host?: string;
  portal_gui_use_subdomains?: boolean;
  portal_api_url?: string | null;
  portal_api_listeners?: ReadonlyArray<{ port?: number; ssl?: boolean }>;
  portal_api_listen?: ReadonlyArray<string> | string;
}

export interface PortalUrls {
  /** What developers open in a browser, e.g. https://portal.example.com/team-a */
  portalGuiUrl: string;
  /** Base of the portal API, without the workspace, e.g. https://portal.example.com:8447 */
  portalApiBase: string;
  /** Okta sign-in and sign-out redirect URI: <portalApiBase>/<workspace>/auth */
  redirectUri: string;
  /** Other addresses the same portal signs in on (a Konnect portal's default domain when a custom one is set). */
  otherRedirectUris?: string[];
  /** Set when the GUI and API hosts differ: the parent domain both share, for the session cookie. */
  sessionCookieDomain?: string;
}

interface Listener {
  port: number;
  ssl: boolean;
}

function listenersOf(config: KongPortalConfiguration): Listener[] {
  if (config.portal_api_listeners && config.portal_api_listeners.length > 0) {
    return config.portal_api_listeners
      .filter((l): l is { port: number; ssl?: boolean } => typeof l.port === 'number')
      .map((l) => ({ port: l.port, ssl: l.ssl === true }));
  }
  const listen =
    typeof config.portal_api_listen === 'string'
      ? config.portal_api_listen.split(',')
      : (config.portal_api_listen ?? []);
  return listen.flatMap((entry): Listener[] => {
    // "0.0.0.0:8447 ssl http2" / "[::]:8004"
    const [address, ...flags] = entry.trim().split(/\s+/);
    const port = Number(address?.slice(address.lastIndexOf(':') + 1));
    return Number.isInteger(port) && port > 0 ? [{ port, ssl: flags.includes('ssl') }] : [];
  });
}

function hostnameOf(host: string): string {
  // "[::1]:8003" keeps its brackets; "portal.example.com:8003" loses the port.
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

function withPort(protocol: 'http' | 'https', hostname: string, port: number): string {
  const isDefault = (protocol === 'https' && port === 443) || (protocol === 'http' && port === 80);
  return `${protocol}://${hostname}${isDefault ? '' : `:${port}`}`;
}

function guiProtocolOf(config: KongPortalConfiguration): 'http' | 'https' {
  const protocol = (config.portal_gui_protocol ?? 'http').toLowerCase();
  if (protocol !== 'http' && protocol !== 'https') {
    throw new PermanentError(`Kong reports portal_gui_protocol '${protocol}'; expected http or https`);
  }
  return protocol;
}

export interface PortalUrlOptions {
  /** A cookie domain chosen by the operator, when the one derived is not wanted (it must cover both hosts). */
  sessionCookieDomain?: string;
}

const isIpLiteral = (host: string) => host.startsWith('[') || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const urlHostname = (url: string) => new URL(url).hostname.toLowerCase();

/** RFC 6265 5.1.3: a cookie for `domain` is sent to `host`. */
const cookieReaches = (domain: string, host: string) => {
  const d = domain.replace(/^\./, '').toLowerCase();
  return host === d || host.endsWith(`.${d}`);
};

/**
 * In subdomain mode the portal page is served at <ws>.<portal_gui_host>, and without
 * portal_api_url Kong's page calls the API on that same host (`location.hostname`, lowercase).
 * Only a name a browser can use as a host works; otherwise Kong's template itself says to set
 * portal_api_url.
 */
function subdomainHostname(workspace: string, guiHostname: string): string {
  const hostname = `${workspace}.${guiHostname}`.toLowerCase();
  if (isIpLiteral(guiHostname) || !hostname.split('.').every((label) => HOST_LABEL.test(label))) {
    throw new PermanentError(
      `Kong serves workspace portals on subdomains (portal_gui_use_subdomains) but '${hostname}' is not a host name a browser can use: ` +
        "set portal_api_url in kong.conf (as Kong's portal template asks for subdomain mode)",
    );
  }
  return hostname;
}

/**
 * When the portal GUI and API are on different hosts, the session cookie the API sets on sign-in
 * must reach the GUI: Kong's Dev Portal OIDC docs require session_cookie_domain then. The common
 * parent domain of both hosts, or the operator's choice if it covers both.
 */
function sessionCookieDomainFor(
  guiHost: string,
  apiHost: string,
  chosen: string | undefined,
): string | undefined {
  if (guiHost === apiHost) return undefined;
  if (chosen !== undefined) {
    if (cookieReaches(chosen, guiHost) && cookieReaches(chosen, apiHost)) return chosen;
    throw new PermanentError(
      `The session cookie domain '${chosen}' does not cover both the portal GUI host ${guiHost} and the portal API host ${apiHost}`,
    );
  }
  const gui = guiHost.split('.').reverse();
  const api = apiHost.split('.').reverse();
  const common: string[] = [];
  for (let i = 0; i < Math.min(gui.length, api.length) && gui[i] === api[i]; i++)
    common.push(gui[i] as string);
  if (isIpLiteral(guiHost) || isIpLiteral(apiHost) || common.length < 2) {
    throw new PermanentError(
      `The portal GUI host ${guiHost} and the portal API host ${apiHost} share no parent domain, so the session cookie set on sign-in ` +
        'cannot reach the GUI: serve both under one domain (portal_gui_host, portal_api_url), or set KONG_PORTAL_SESSION_COOKIE_DOMAIN',
    );
  }
  return `.${common.reverse().join('.')}`;
}

export function derivePortalUrls(
  workspace: string,
  config: KongPortalConfiguration,
  options: PortalUrlOptions = {},
): PortalUrls {
  const protocol = guiProtocolOf(config);
  const guiHost = config.portal_gui_host;
  if (!guiHost) {
    throw new PermanentError(
      'Kong does not report portal_gui_host: set it in kong.conf so the portal URL is known',
    );
  }
  const portalGuiUrl = config.portal_gui_use_subdomains
    ? `${protocol}://${workspace}.${guiHost}`
    : `${protocol}://${guiHost}/${workspace}`;
  const guiHostname = config.portal_gui_use_subdomains
    ? subdomainHostname(workspace, hostnameOf(guiHost).toLowerCase())
    : urlHostname(`${protocol}://${guiHost}`);

  let portalApiBase: string;
  if (config.portal_api_url) {
    portalApiBase = config.portal_api_url.replace(/\/+$/, '');
  } else {
    // Without portal_api_url Kong's portal page calls the API on its own host, on the API
    // listener that matches the page's protocol (an https page cannot call a plain-http API).
    const wantSsl = protocol === 'https';
    const listener = listenersOf(config).find((l) => l.ssl === wantSsl);
    if (!listener) {
      throw new PermanentError(
        `Kong has no ${wantSsl ? 'ssl ' : 'non-ssl '}portal API listener to match portal_gui_protocol '${protocol}': ` +
          'set portal_api_url or add a matching portal_api_listen entry in kong.conf',
      );
    }
    const host = config.portal_gui_use_subdomains ? guiHostname : hostnameOf(guiHost);
    portalApiBase = withPort(protocol, host, listener.port);
  }
  const sessionCookieDomain = sessionCookieDomainFor(
    guiHostname,
    urlHostname(portalApiBase),
    options.sessionCookieDomain,
  );
  return {
    portalGuiUrl,
    portalApiBase,
    redirectUri: `${portalApiBase}/${workspace}/auth`,
    ...(sessionCookieDomain ? { sessionCookieDomain } : {}),
  };
}

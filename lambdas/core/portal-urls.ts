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

export function derivePortalUrls(workspace: string, config: KongPortalConfiguration): PortalUrls {
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

  let portalApiBase: string;
  if (config.portal_api_url) {
    portalApiBase = config.portal_api_url.replace(/\/+$/, '');
  } else {
    // Without portal_api_url Kong's portal GUI calls the API on the GUI's host, on the API
    // listener that matches the GUI's protocol (an https GUI cannot call a plain-http API).
    const wantSsl = protocol === 'https';
    const listener = listenersOf(config).find((l) => l.ssl === wantSsl);
    if (!listener) {
      throw new PermanentError(
        `Kong has no ${wantSsl ? 'ssl ' : 'non-ssl '}portal API listener to match portal_gui_protocol '${protocol}': ` +
          'set portal_api_url or add a matching portal_api_listen entry in kong.conf',
      );
    }
    portalApiBase = withPort(protocol, hostnameOf(guiHost), listener.port);
  }
  return { portalGuiUrl, portalApiBase, redirectUri: `${portalApiBase}/${workspace}/auth` };
}

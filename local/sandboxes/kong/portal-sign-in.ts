/**
 * What a developer's browser does when it signs in to a workspace portal, so tests can ask "would
 * sign-in work with the conf as stored?" without a browser. Modelled on Kong's own sources:
 *
 * - Where the portal page calls the portal API: Kong/kong-portal-templates,
 *   workspaces/default/themes/base/partials/theme/required-scripts.html L12-27 - `portal.api_url`
 *   (kong.conf portal_api_url + '/<ws>') when set, else
 *   `${location.protocol}//${location.hostname}:${API_PORT}/<ws>`, API_PORT being the first ssl
 *   portal API listener for an https page and the first plain one otherwise; its comment: "If using
 *   subdomains, please set PORTAL_API_URL in kong.conf".
 * - Where the page itself is: kong/portal/workspace_config.lua build_ws_portal_gui_url -
 *   `<protocol>://<ws>.<portal_gui_host>` with portal_gui_use_subdomains, else
 *   `<protocol>://<portal_gui_host>/<ws>`.
 * - The cookies: the OIDC plugin sets its authorization cookie on the host sign-in starts on (the
 *   portal API) and needs it back on the callback (`redirect_uri`); the session cookie it then sets
 *   must reach the GUI too. Kong's "Enable OpenID Connect in the Dev Portal" (3.4): "If
 *   portal_gui_host and portal_api_url are set to share a domain but differ with regard to
 *   subdomain, redirect_uri and session_cookie_domain need to be configured". Cookie domain
 *   matching is RFC 6265 5.1.3.
 */
import type { NodeConfiguration } from './node-info';

const hostnameOf = (origin: string) => new URL(origin).hostname.toLowerCase();

/** The origin + path base the portal page's API calls go to, as the browser computes it. */
export function browserApiBase(node: NodeConfiguration, workspace: string): string {
  if (node.portal_api_url) return `${node.portal_api_url.replace(/\/+$/, '')}/${workspace}`;
  const https = node.portal_gui_protocol === 'https';
  const port = node.portal_api_listeners.find((l) => l.ssl === https)?.port ?? (https ? 8447 : 8004);
  return `${node.portal_gui_protocol}://${browserGuiHostname(node, workspace)}:${port}/${workspace}`;
}

/** `location.hostname` of the portal page (lowercase, without the port). */
export function browserGuiHostname(node: NodeConfiguration, workspace: string): string {
  const host = node.portal_gui_use_subdomains ? `${workspace}.${node.portal_gui_host}` : node.portal_gui_host;
  return hostnameOf(`${node.portal_gui_protocol}://${host}`);
}

function cookieReaches(domain: unknown, host: string): boolean {
  if (typeof domain !== 'string' || !domain) return false;
  const d = domain.replace(/^\./, '').toLowerCase();
  return host === d || host.endsWith(`.${d}`);
}

/** Why a developer's sign-in would fail with the workspace's stored portal_auth_conf (none: it works). */
export function signInProblems(
  node: NodeConfiguration,
  workspace: string,
  portalAuthConf: unknown,
): string[] {
  if (typeof portalAuthConf !== 'string') return ['no portal_auth_conf'];
  const conf = JSON.parse(portalAuthConf) as Record<string, unknown>;
  const redirect = Array.isArray(conf.redirect_uri)
    ? String(conf.redirect_uri[0])
    : 'http://localhost:8004/' + workspace + '/auth';
  const apiHost = hostnameOf(browserApiBase(node, workspace));
  const callbackHost = hostnameOf(redirect);
  const guiHost = browserGuiHostname(node, workspace);
  const problems: string[] = [];
  if (
    callbackHost !== apiHost &&
    !(
      cookieReaches(conf.authorization_cookie_domain, apiHost) &&
      cookieReaches(conf.authorization_cookie_domain, callbackHost)
    )
  )
    problems.push(
      `sign-in starts on ${apiHost} but Okta sends the browser back to ${callbackHost}: the authorization cookie is not there`,
    );
  if (
    guiHost !== apiHost &&
    !(
      cookieReaches(conf.session_cookie_domain, guiHost) && cookieReaches(conf.session_cookie_domain, apiHost)
    )
  )
    problems.push(
      `the portal GUI on ${guiHost} never sees the session cookie set on ${apiHost} (session_cookie_domain ${String(conf.session_cookie_domain ?? 'not set')})`,
    );
  return problems;
}

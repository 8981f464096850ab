/**
 * The `portal_auth_conf` Kong's workspace portal needs for OpenID Connect (the runbook's step 8).
 * Kong stores it as a JSON-encoded string of OIDC plugin fields; list-valued fields are arrays.
 */
import type { PortalUrls } from './portal-urls';

export interface PortalAuthConfInput {
  issuer: string;
  clientId: string;
  clientSecret: string;
  urls: Pick<PortalUrls, 'portalGuiUrl' | 'redirectUri' | 'sessionCookieDomain'>;
  claimName: string;
  scopes: readonly string[];
  sslVerify: boolean;
}

export interface PortalAuthConf {
  issuer: string;
  client_id: string[];
  client_secret: string[];
  redirect_uri: string[];
  login_redirect_uri: string[];
  logout_redirect_uri: string[];
  forbidden_redirect_uri: string[];
  consumer_claim: string[];
  consumer_by: string[];
  scopes: string[];
  login_action: 'redirect';
  login_redirect_mode: 'query';
  logout_methods: string[];
  logout_query_arg: string;
  leeway: number;
  ssl_verify: boolean;
  /** Only when the portal GUI and API hosts differ (Kong's Dev Portal OIDC docs require it then). */
  session_cookie_domain?: string;
}

export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

export function buildPortalAuthConf(input: PortalAuthConfInput): PortalAuthConf {
  const gui = input.urls.portalGuiUrl;
  return {
    issuer: discoveryUrl(input.issuer),
    client_id: [input.clientId],
    client_secret: [input.clientSecret],
    redirect_uri: [input.urls.redirectUri],
    login_redirect_uri: [gui],
    logout_redirect_uri: [gui],
    forbidden_redirect_uri: [`${gui}/unauthorized`],
    consumer_claim: [input.claimName],
    consumer_by: ['username', 'custom_id', 'id'],
    scopes: [...input.scopes],
    login_action: 'redirect',
    login_redirect_mode: 'query',
    logout_methods: ['GET', 'DELETE'],
    logout_query_arg: 'logout',
    leeway: 1000,
    ssl_verify: input.sslVerify,
    ...(input.urls.sessionCookieDomain ? { session_cookie_domain: input.urls.sessionCookieDomain } : {}),
  };
}

/** The conf with its secret masked: safe for plans, diffs and logs. */
export function maskPortalAuthConf(conf: PortalAuthConf): PortalAuthConf {
  return { ...conf, client_secret: conf.client_secret.map(() => '***') };
}

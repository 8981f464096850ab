/**
 * What of a workspace's portal settings may be shown (plans, records, logs): masking by
 * allow-list. `portal_auth_conf` is a JSON string of OpenID Connect plugin fields, and an existing
 * one can hold secrets the provisioner never made (session_secret, client_jwk private keys, Redis
 * passwords, header values carrying API keys, proxy credentials...). Only fields known to be safe
 * are shown; everything else - including any field Kong adds later - is masked.
 *
 * The safe fields are the non-secret ones of Kong's OpenID Connect plugin schema (3.4.x and the
 * 2.x names, Kong/docs-plugin-toolkit schemas/openid-connect/*.json); a field Kong marks
 * `encrypted` or `referenceable` for secrecy, any `*_values` list, proxy settings and cache salts
 * are deliberately absent.
 */

export const MASK = '***';

const SAFE_PORTAL_KEYS = new Set(['portal', 'portal_auth', 'portal_auto_approve']);

export const SAFE_AUTH_CONF_FIELDS: ReadonlySet<string> = new Set([
  // identity and provider (client_id is public in OAuth terms and names the app)
  'issuer', 'client_id', 'client_arg', 'client_auth', 'client_alg', 'auth_methods', 'extra_jwks_uris',
  'rediscovery_lifetime', 'issuers_allowed', 'using_pseudo_issuer', 'authorization_endpoint', 'token_endpoint',
  'token_endpoint_auth_method', 'introspection_endpoint', 'introspection_endpoint_auth_method', 'introspection_hint',
  'introspection_check_active', 'introspection_accept', 'introspect_jwt_tokens', 'revocation_endpoint',
  'revocation_endpoint_auth_method', 'end_session_endpoint', 'userinfo_endpoint', 'userinfo_accept',
  'token_exchange_endpoint',
  // redirects and flow
  'redirect_uri', 'login_redirect_uri', 'logout_redirect_uri', 'forbidden_redirect_uri', 'unauthorized_redirect_uri',
  'unexpected_redirect_uri', 'forbidden_error_message', 'unauthorized_error_message', 'forbidden_destroy_session',
  'unauthorized_destroy_session', 'response_mode', 'response_type', 'login_methods', 'login_action', 'login_tokens',
  'login_redirect_mode', 'logout_query_arg', 'logout_post_arg', 'logout_uri_suffix', 'logout_methods', 'logout_revoke',
  'logout_revoke_access_token', 'logout_revoke_refresh_token', 'preserve_query_args', 'refresh_tokens', 'reverify',
  'disable_session', 'run_on_preflight',
  // claims, scopes, consumer mapping
  'scopes', 'scopes_required', 'scopes_claim', 'audience', 'audience_required', 'audience_claim', 'groups_required',
  'groups_claim', 'roles_required', 'roles_claim', 'domains', 'max_age', 'authenticated_groups_claim', 'consumer_claim',
  'consumer_by', 'consumer_optional', 'credential_claim', 'anonymous', 'by_username_ignore_case', 'leeway',
  'verify_parameters', 'verify_nonce', 'verify_claims', 'verify_signature', 'ignore_signature', 'enable_hs_signatures',
  'resolve_distributed_claims', 'jwt_session_claim', 'jwt_session_cookie',
  // cookies and session settings (not the session secret or its storage credentials)
  'authorization_cookie_name', 'authorization_cookie_path', 'authorization_cookie_domain',
  'authorization_cookie_same_site', 'authorization_cookie_http_only', 'authorization_cookie_secure',
  'authorization_rolling_timeout', 'authorization_cookie_lifetime', 'authorization_cookie_samesite',
  'authorization_cookie_httponly', 'session_cookie_name', 'session_cookie_path', 'session_cookie_domain',
  'session_cookie_same_site', 'session_cookie_http_only', 'session_cookie_secure', 'session_cookie_lifetime',
  'session_cookie_idletime', 'session_cookie_renew', 'session_cookie_samesite', 'session_cookie_httponly',
  'session_cookie_maxsize', 'session_strategy', 'session_compressor', 'session_audience', 'session_remember',
  'session_remember_cookie_name', 'session_remember_rolling_timeout', 'session_remember_absolute_timeout',
  'session_idling_timeout', 'session_rolling_timeout', 'session_absolute_timeout', 'session_request_headers',
  'session_response_headers', 'session_storage', 'session_store_metadata', 'session_enforce_same_subject',
  'session_hash_subject', 'session_hash_storage_key',
  // where tokens travel (names, not values)
  'bearer_token_param_type', 'bearer_token_cookie_name', 'client_credentials_param_type', 'password_param_type',
  'id_token_param_type', 'id_token_param_name', 'refresh_token_param_type', 'refresh_token_param_name',
  // caching and HTTP behaviour
  'cache_ttl', 'cache_ttl_max', 'cache_ttl_min', 'cache_ttl_neg', 'cache_ttl_resurrect', 'cache_tokens',
  'cache_introspection', 'cache_token_exchange', 'cache_user_info', 'search_user_info', 'hide_credentials',
  'http_version', 'no_proxy', 'keepalive', 'ssl_verify', 'timeout', 'display_errors', 'expose_error_code',
  'token_cache_key_include_scope',
]); // prettier-ignore

const maskValue = (value: unknown): unknown => (Array.isArray(value) ? value.map(() => MASK) : MASK);

function parsedConf(value: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The auth conf with every field not known to be safe masked (its shape kept, so a diff still reads). */
export function maskAuthConf(conf: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(conf).map(([key, value]) => [
      key,
      SAFE_AUTH_CONF_FIELDS.has(key) ? value : maskValue(value),
    ]),
  );
}

/** Settings safe to show: portal_auth_conf field by field; anything unparseable or unknown, masked whole. */
export function maskedSettings(settings: Record<string, unknown>): Record<string, unknown> {
  const masked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (key === 'portal_auth_conf' && typeof value === 'string') {
      const conf = parsedConf(value);
      masked[key] = conf ? JSON.stringify(maskAuthConf(conf)) : MASK;
    } else if (key === 'portal_auth_conf' || SAFE_PORTAL_KEYS.has(key) || value === null) {
      masked[key] = value;
    } else masked[key] = maskValue(value);
  }
  return masked;
}

function stringsIn(value: unknown, out: string[]): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, out));
  else if (typeof value === 'object' && value !== null)
    Object.values(value).forEach((v) => stringsIn(v, out));
  return out;
}

/** Every value the mask hides, to scrub from text a vendor echoes back (error messages). */
export function hiddenValuesIn(settings: Record<string, unknown>): string[] {
  const conf =
    typeof settings.portal_auth_conf === 'string' ? parsedConf(settings.portal_auth_conf) : undefined;
  if (typeof settings.portal_auth_conf === 'string' && !conf) return [settings.portal_auth_conf];
  return Object.entries(conf ?? {}).flatMap(([key, value]) =>
    SAFE_AUTH_CONF_FIELDS.has(key) ? [] : stringsIn(value, []),
  );
}

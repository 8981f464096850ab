/**
 * OIDC applications, their client secrets and their group assignments (runbook step 1).
 * Only `OPENID_CONNECT` apps are modelled: the provisioner creates nothing else.
 */
import type { Route, SandboxRequest, SandboxResponse } from '../http-sandbox';
import {
  booleanAt,
  clone,
  fail,
  failWith,
  guarded,
  href,
  isObject,
  maybeObjectAt,
  notFound,
  numberAt,
  objectAt,
  oktaError,
  paged,
  requiredString,
  stringAt,
  stringsAt,
  type Json,
  type Org,
} from './errors';
import { predicateFrom, type Directory } from './groups';
import { ID_PREFIX, clientSecret, now, oktaId, secretHash } from './ids';
import { ReadLag } from './read-lag';

export interface AppRecord {
  id: string;
  label: string;
  status: 'ACTIVE' | 'INACTIVE';
  created: string;
  lastUpdated: string;
  profile?: Json;
  accessibility: Json;
  visibility: Json;
  settings: { oauthClient: Json; [key: string]: unknown };
  clientId: string;
  authMethod: string;
  pkceRequired: boolean;
  autoKeyRotation: boolean;
  signingKid: string;
  appLinkId: string;
}

/** An OIDC app as the API returns it (the fields tests read are typed, the rest is open). */
export interface OktaApp {
  id: string;
  name: 'oidc_client';
  label: string;
  status: AppRecord['status'];
  signOnMode: 'OPENID_CONNECT';
  created: string;
  lastUpdated: string;
  profile?: Json;
  credentials: {
    oauthClient: {
      client_id: string;
      client_secret?: string;
      token_endpoint_auth_method: string;
      pkce_required: boolean;
      autoKeyRotation: boolean;
    };
    [key: string]: unknown;
  };
  settings: { oauthClient: Json; [key: string]: unknown };
  [key: string]: unknown;
}

export interface OktaAppGroupAssignment {
  id: string;
  priority: number;
  profile: Json;
  lastUpdated: string;
  [key: string]: unknown;
}

interface SecretRecord {
  id: string;
  secret: string;
  status: 'ACTIVE' | 'INACTIVE';
  created: string;
  lastUpdated: string;
}

interface AssignmentRecord {
  groupId: string;
  priority: number;
  profile: Json;
  lastUpdated: string;
}

const APP = '/api/v1/apps/{appId}';
const SETTINGS = 'settings.oauthClient';
const SECRET_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);
/** Grants that can hand out a refresh token; `refresh_token` alone (or with client_credentials) cannot. */
const REFRESHABLE = new Set([
  'authorization_code',
  'password',
  'interaction_code',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:saml2-bearer',
  'urn:openid:params:grant-type:ciba',
]);
const SERVICE_GRANTS = new Set([
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
]);
const BROWSER_GRANTS = new Set(['authorization_code', 'implicit', 'refresh_token', 'interaction_code']);
const LOGO = 'https://ok12static.oktacdn.com/assets/img/logos/default.6770228fb0dab49a1695ef440a5279bb.png';

/** An absolute redirect target Okta would store; custom schemes are only for native apps. */
function checkRedirects(field: string, uris: string[], appType: string, wildcard: string): void {
  uris.forEach((uri, i) => {
    const at = `${field}[${i}]`;
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return fail(at, `'${uri}' is not an absolute URI.`);
    }
    if (url.hash) fail(at, `'${uri}' must not contain a fragment.`);
    if (appType !== 'native' && url.protocol !== 'https:' && url.protocol !== 'http:') {
      fail(at, `'${uri}' must use http or https for a ${appType} app.`);
    }
    if (uri.includes('*') && wildcard !== 'SUBDOMAIN')
      fail(at, `'${uri}' contains a wildcard, which needs wildcard_redirect SUBDOMAIN.`);
  });
}

/** Okta's cross-field rules for an OIDC client, plus the defaults it fills in. */
function normaliseOidcSettings(raw: Json, authMethod: string): Json {
  const appType = stringAt(raw, 'application_type') ?? 'web';
  const grants = stringsAt(raw, 'grant_types') ?? [];
  const responses = stringsAt(raw, 'response_types') ?? (appType === 'service' ? ['token'] : ['code']);
  const redirects = stringsAt(raw, 'redirect_uris') ?? [];
  const wildcard = stringAt(raw, 'wildcard_redirect') ?? 'DISABLED';

  if (grants.length === 0) fail(`${SETTINGS}.grant_types`, 'At least one grant type is required.');
  if (grants.includes('refresh_token') && !grants.some((g) => REFRESHABLE.has(g))) {
    fail(
      `${SETTINGS}.grant_types`,
      "'refresh_token' requires 'authorization_code' (or another grant that issues refresh tokens).",
    );
  }
  if (appType === 'service') {
    if (!grants.includes('client_credentials') || grants.some((g) => !SERVICE_GRANTS.has(g))) {
      fail(
        `${SETTINGS}.grant_types`,
        "A service app must use 'client_credentials' and no user-facing grant.",
      );
    }
    if (responses.some((r) => r !== 'token'))
      fail(`${SETTINGS}.response_types`, "A service app only supports the 'token' response type.");
    if (authMethod === 'none')
      fail('credentials.oauthClient.token_endpoint_auth_method', 'A service app must authenticate.');
  } else {
    if (appType === 'browser') {
      if (authMethod !== 'none')
        fail('credentials.oauthClient.token_endpoint_auth_method', "A browser app must use 'none'.");
      if (grants.some((g) => !BROWSER_GRANTS.has(g)))
        fail(`${SETTINGS}.grant_types`, 'A browser app cannot use this grant type.');
    }
    if (appType === 'web' && authMethod === 'none') {
      fail(
        'credentials.oauthClient.token_endpoint_auth_method',
        'A web app must authenticate at the token endpoint.',
      );
    }
    if (appType === 'native' && grants.includes('client_credentials')) {
      fail(`${SETTINGS}.grant_types`, "A native app cannot use 'client_credentials'.");
    }
    const codeGrant = grants.includes('authorization_code') || grants.includes('interaction_code');
    if (responses.includes('code') && !codeGrant)
      fail(`${SETTINGS}.response_types`, "'code' requires the 'authorization_code' grant type.");
    if ((responses.includes('token') || responses.includes('id_token')) && !grants.includes('implicit')) {
      fail(`${SETTINGS}.response_types`, "'token' and 'id_token' require the 'implicit' grant type.");
    }
    if (grants.includes('authorization_code') && !responses.includes('code')) {
      fail(
        `${SETTINGS}.response_types`,
        "The 'authorization_code' grant type requires the 'code' response type.",
      );
    }
    if (grants.includes('implicit') && !responses.some((r) => r === 'token' || r === 'id_token')) {
      fail(`${SETTINGS}.response_types`, "The 'implicit' grant type requires 'token' or 'id_token'.");
    }
    if ((grants.includes('authorization_code') || grants.includes('implicit')) && redirects.length === 0) {
      fail(`${SETTINGS}.redirect_uris`, 'At least one redirect URI is required for this grant type.');
    }
  }
  checkRedirects(`${SETTINGS}.redirect_uris`, redirects, appType, wildcard);
  checkRedirects(
    `${SETTINGS}.post_logout_redirect_uris`,
    stringsAt(raw, 'post_logout_redirect_uris') ?? [],
    appType,
    wildcard,
  );
  if (authMethod === 'private_key_jwt') {
    const keys = objectAt(raw, 'jwks').keys;
    if (!stringAt(raw, 'jwks_uri') && !(Array.isArray(keys) && keys.length > 0)) {
      fail(`${SETTINGS}.jwks`, "'private_key_jwt' requires jwks or jwks_uri.");
    }
  }

  return {
    consent_method: 'TRUSTED',
    issuer_mode: 'ORG_URL',
    idp_initiated_login: { mode: 'DISABLED', default_scope: [] },
    wildcard_redirect: 'DISABLED',
    ...raw,
    application_type: appType,
    grant_types: grants,
    response_types: responses,
    ...(redirects.length ? { redirect_uris: redirects } : {}),
  };
}

function checkCustomSecret(secret: string | undefined, authMethod: string): void {
  if (secret === undefined) return;
  const field = 'credentials.oauthClient.client_secret';
  if (authMethod === 'private_key_jwt' || authMethod === 'none')
    fail(field, `'client_secret' can't be used when 'token_endpoint_auth_method' is '${authMethod}'.`);
  if (!/^[\x20-\x7E]+$/.test(secret))
    fail(field, "'client_secret' must only contain printable ASCII: [x20-x7E]+");
  if (secret.length < 14) fail(field, "'client_secret' must be at least '14' characters long.");
  if (secret.length > 100) fail(field, "'client_secret' can't be more than '100' characters long.");
  if (authMethod === 'client_secret_jwt' && secret.length < 32) {
    fail(
      field,
      "'client_secret' must be at least '32' characters long when 'token_endpoint_auth_method' is 'client_secret_jwt'.",
    );
  }
}

export class Apps {
  readonly apps = new Map<string, AppRecord>();
  private readonly secrets = new Map<string, SecretRecord[]>();
  private readonly assignments = new Map<string, Map<string, AssignmentRecord>>();

  constructor(
    private readonly org: Org,
    private readonly directory: Directory,
    private readonly lag: ReadLag = new ReadLag(),
  ) {}

  reset(): void {
    this.apps.clear();
    this.secrets.clear();
    this.assignments.clear();
    this.lag.reset();
  }

  byClientId(clientId: string): AppRecord | undefined {
    return [...this.apps.values()].find((a) => a.clientId === clientId);
  }

  private app(req: SandboxRequest): AppRecord {
    const id = req.params.appId ?? '';
    const app = this.lag.hides(id) ? undefined : this.apps.get(id);
    return app ?? failWith(notFound(id, 'AppInstance'));
  }

  /**
   * An admin generating a second client secret in the console (a rotation): Okta keeps at most two,
   * both ACTIVE until the older one is deactivated. Returns the new value.
   */
  rotateSecret(appId: string): string {
    const existing = this.secrets.get(appId) ?? [];
    if (existing.length >= 2) throw new Error('Okta keeps at most two client secrets per app');
    const latest = Math.max(0, ...existing.map((s) => Date.parse(s.created)));
    const record = this.addSecret(appId);
    // Strictly newer than the one before, even within the same millisecond.
    const created = new Date(Math.max(Date.parse(record.created), latest + 1)).toISOString();
    Object.assign(record, { created, lastUpdated: created });
    return record.secret;
  }

  private addSecret(appId: string, secret = clientSecret()): SecretRecord {
    const at = now();
    const record: SecretRecord = {
      id: oktaId(ID_PREFIX.secret),
      secret,
      status: 'ACTIVE',
      created: at,
      lastUpdated: at,
    };
    this.secrets.set(appId, [...(this.secrets.get(appId) ?? []), record]);
    return record;
  }

  appJson(app: AppRecord, secret?: string): OktaApp {
    const url = this.org.url;
    const self = `${url}/api/v1/apps/${app.id}`;
    const lifecycle = app.status === 'ACTIVE' ? 'deactivate' : 'activate';
    return {
      id: app.id,
      name: 'oidc_client',
      label: app.label,
      status: app.status,
      lastUpdated: app.lastUpdated,
      created: app.created,
      accessibility: app.accessibility,
      visibility: app.visibility,
      features: [],
      signOnMode: 'OPENID_CONNECT',
      credentials: {
        userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' },
        signing: { kid: app.signingKid },
        oauthClient: {
          autoKeyRotation: app.autoKeyRotation,
          client_id: app.clientId,
          ...(secret === undefined ? {} : { client_secret: secret }),
          token_endpoint_auth_method: app.authMethod,
          pkce_required: app.pkceRequired,
        },
      },
      settings: app.settings,
      ...(app.profile ? { profile: app.profile } : {}),
      _links: {
        appLinks: [
          {
            name: 'oidc_client_link',
            href: `${url}/home/oidc_client/${app.id}/${app.appLinkId}`,
            type: 'text/html',
          },
        ],
        groups: { href: `${self}/groups` },
        logo: [{ name: 'medium', href: LOGO, type: 'image/png' }],
        users: { href: `${self}/users` },
        [lifecycle]: href(`${self}/lifecycle/${lifecycle}`, 'POST'),
      },
    };
  }

  private secretJson(appId: string, s: SecretRecord): Json {
    const base = `${this.org.url}/api/v1/apps/${appId}/credentials/secrets/${s.id}`;
    const links: Json =
      s.status === 'ACTIVE'
        ? { deactivate: href(`${base}/lifecycle/deactivate`, 'POST') }
        : { activate: href(`${base}/lifecycle/activate`, 'POST'), delete: href(base, 'DELETE') };
    return {
      id: s.id,
      status: s.status,
      client_secret: s.secret,
      secret_hash: secretHash(s.secret),
      created: s.created,
      lastUpdated: s.lastUpdated,
      _links: links,
    };
  }

  private assignmentJson(appId: string, a: AssignmentRecord): OktaAppGroupAssignment {
    const app = `${this.org.url}/api/v1/apps/${appId}`;
    return {
      id: a.groupId,
      lastUpdated: a.lastUpdated,
      priority: a.priority,
      profile: a.profile,
      _links: {
        app: { href: app },
        self: { href: `${app}/groups/${a.groupId}` },
        group: { href: `${this.org.url}/api/v1/groups/${a.groupId}` },
      },
    };
  }

  /** The parts of an app body both create and replace read, validated the way Okta does. */
  private parseBody(body: unknown, authMethodFallback: string) {
    if (!isObject(body)) return fail('', 'The request body must be an application object.');
    const signOnMode = stringAt(body, 'signOnMode');
    if (signOnMode !== 'OPENID_CONNECT') {
      fail('signOnMode', `The sandbox models only OPENID_CONNECT apps, not ${String(signOnMode)}.`);
    }
    const label = requiredString(body, 'label');
    const credentials = objectAt(objectAt(body, 'credentials'), 'oauthClient');
    const authMethod = stringAt(credentials, 'token_endpoint_auth_method') ?? authMethodFallback;
    const settings = objectAt(body, 'settings');
    const oauthClient = normaliseOidcSettings(objectAt(settings, 'oauthClient'), authMethod);
    const customSecret = stringAt(credentials, 'client_secret');
    checkCustomSecret(customSecret, authMethod);
    return {
      label,
      authMethod,
      customSecret,
      clientId: stringAt(credentials, 'client_id'),
      pkceRequired: booleanAt(credentials, 'pkce_required'),
      autoKeyRotation: booleanAt(credentials, 'autoKeyRotation'),
      profile: maybeObjectAt(body, 'profile'),
      accessibility: { selfService: false, ...objectAt(body, 'accessibility') },
      visibility: {
        autoLaunch: false,
        autoSubmitToolbar: false,
        hide: { iOS: true, web: true },
        appLinks: { oidc_client_link: true },
        ...objectAt(body, 'visibility'),
      },
      settings: {
        app: {},
        notifications: { vpn: { network: { connection: 'DISABLED' } } },
        manualProvisioning: false,
        implicitAssignment: false,
        notes: {},
        ...settings,
        oauthClient,
      },
    };
  }

  private create(req: SandboxRequest): SandboxResponse {
    const parsed = this.parseBody(req.body, 'client_secret_basic');
    const id = oktaId(ID_PREFIX.app);
    const clientId = parsed.clientId ?? id;
    if (this.byClientId(clientId))
      fail(
        'credentials.oauthClient.client_id',
        'An object with this field already exists in the current organization',
      );
    const at = now();
    const app: AppRecord = {
      id,
      label: parsed.label,
      // Okta activates new apps unless told `activate=false`.
      status: req.query.get('activate') === 'false' ? 'INACTIVE' : 'ACTIVE',
      created: at,
      lastUpdated: at,
      profile: parsed.profile,
      accessibility: parsed.accessibility,
      visibility: parsed.visibility,
      settings: parsed.settings,
      clientId,
      authMethod: parsed.authMethod,
      pkceRequired: parsed.pkceRequired ?? parsed.authMethod === 'none',
      autoKeyRotation: parsed.autoKeyRotation ?? true,
      signingKid: oktaId(''),
      appLinkId: oktaId(ID_PREFIX.appLink),
    };
    this.apps.set(id, app);
    this.lag.created(id);
    const secret = SECRET_METHODS.has(app.authMethod)
      ? this.addSecret(id, parsed.customSecret).secret
      : undefined;
    // The one and only time the secret travels in an app body; later reads go through credentials/secrets.
    return { status: 200, body: this.appJson(app, secret) };
  }

  private replace(req: SandboxRequest): SandboxResponse {
    const app = this.app(req);
    const parsed = this.parseBody(req.body, app.authMethod);
    if (parsed.clientId !== undefined && parsed.clientId !== app.clientId) {
      fail('credentials.oauthClient.client_id', 'client_id cannot be changed.');
    }
    Object.assign(app, {
      label: parsed.label,
      profile: parsed.profile,
      accessibility: parsed.accessibility,
      visibility: parsed.visibility,
      settings: parsed.settings,
      authMethod: parsed.authMethod,
      pkceRequired: parsed.pkceRequired ?? app.pkceRequired,
      autoKeyRotation: parsed.autoKeyRotation ?? app.autoKeyRotation,
      lastUpdated: now(),
    });
    const active = (this.secrets.get(app.id) ?? []).filter((s) => s.status === 'ACTIVE');
    if (parsed.customSecret !== undefined && !active.some((s) => s.secret === parsed.customSecret)) {
      this.secrets.set(app.id, []);
      this.addSecret(app.id, parsed.customSecret);
    } else if (SECRET_METHODS.has(app.authMethod) && active.length === 0) {
      this.addSecret(app.id);
    }
    return { status: 200, body: this.appJson(app) };
  }

  private list(req: SandboxRequest): SandboxResponse {
    const q = req.query.get('q')?.toLowerCase();
    const filter = predicateFrom(req, 'filter');
    const matches = [...this.apps.values()].filter((app) => {
      if (q !== undefined && !app.label.toLowerCase().startsWith(q) && !'oidc_client'.startsWith(q))
        return false;
      if (!filter) return true;
      const groups = [...(this.assignments.get(app.id)?.keys() ?? [])];
      const attrs = {
        id: app.id,
        name: 'oidc_client',
        status: app.status,
        label: app.label,
        'credentials.signing.kid': app.signingKid,
      };
      // `group.id eq "X"` asks for apps assigned to X; try each assignment.
      return groups.length ? groups.some((g) => filter({ ...attrs, 'group.id': g })) : filter(attrs);
    });
    const response = paged(req, matches, (a) => a.id, { defaultLimit: 20, maxLimit: 200 });
    return { ...response, body: (response.body as AppRecord[]).map((a) => this.appJson(a)) };
  }

  private setStatus(req: SandboxRequest, status: AppRecord['status']): SandboxResponse {
    const app = this.app(req);
    if (app.status !== status) Object.assign(app, { status, lastUpdated: now() });
    return { status: 200, body: {} };
  }

  private remove(req: SandboxRequest): SandboxResponse {
    const app = this.app(req);
    if (app.status === 'ACTIVE') {
      return oktaError(403, 'E0000056', 'Delete application forbidden.', [
        'The application must be deactivated before it can be deleted.',
      ]);
    }
    this.apps.delete(app.id);
    this.secrets.delete(app.id);
    this.assignments.delete(app.id);
    return { status: 204 };
  }

  private assignmentsOf(appId: string): Map<string, AssignmentRecord> {
    let map = this.assignments.get(appId);
    if (!map) this.assignments.set(appId, (map = new Map()));
    return map;
  }

  private sortedAssignments(appId: string): AssignmentRecord[] {
    return [...(this.assignments.get(appId)?.values() ?? [])].sort((a, b) => a.priority - b.priority);
  }

  private assign(req: SandboxRequest): SandboxResponse {
    const app = this.app(req);
    const groupId = req.params.groupId ?? '';
    if (!this.directory.groups.has(groupId)) return notFound(groupId, 'UserGroup');
    const map = this.assignmentsOf(app.id);
    const existing = map.get(groupId);
    const priority = numberAt(req.body, 'priority');
    const profile = maybeObjectAt(req.body, 'profile');
    const record: AssignmentRecord = {
      groupId,
      priority: priority ?? existing?.priority ?? map.size,
      profile: profile ?? existing?.profile ?? {},
      lastUpdated: now(),
    };
    map.set(groupId, record);
    return { status: 200, body: this.assignmentJson(app.id, record) };
  }

  private assignment(req: SandboxRequest): AssignmentRecord {
    const app = this.app(req);
    const groupId = req.params.groupId ?? '';
    return (
      this.assignments.get(app.id)?.get(groupId) ?? failWith(notFound(groupId, 'ApplicationGroupAssignment'))
    );
  }

  routes(): Route[] {
    const route = (
      method: string,
      template: string,
      handler: (req: SandboxRequest) => SandboxResponse,
    ): Route => ({
      method,
      template,
      handler: guarded(handler),
    });
    return [
      route('GET', '/api/v1/apps', (req) => this.list(req)),
      route('POST', '/api/v1/apps', (req) => this.create(req)),
      route('GET', APP, (req) => ({ status: 200, body: this.appJson(this.app(req)) })),
      route('PUT', APP, (req) => this.replace(req)),
      route('DELETE', APP, (req) => this.remove(req)),
      route('POST', `${APP}/lifecycle/activate`, (req) => this.setStatus(req, 'ACTIVE')),
      route('POST', `${APP}/lifecycle/deactivate`, (req) => this.setStatus(req, 'INACTIVE')),
      route('GET', `${APP}/credentials/secrets`, (req) => {
        const app = this.app(req);
        return { status: 200, body: (this.secrets.get(app.id) ?? []).map((s) => this.secretJson(app.id, s)) };
      }),
      route('GET', `${APP}/groups`, (req) => {
        const app = this.app(req);
        const q = req.query.get('q')?.toLowerCase();
        const matches = this.sortedAssignments(app.id).filter(
          (a) =>
            q === undefined ||
            (this.directory.groups.get(a.groupId)?.name.toLowerCase().startsWith(q) ?? false),
        );
        const response = paged(req, matches, (a) => a.groupId, { defaultLimit: 20, maxLimit: 200 });
        return {
          ...response,
          body: (response.body as AssignmentRecord[]).map((a) => this.assignmentJson(app.id, a)),
        };
      }),
      route('GET', `${APP}/groups/{groupId}`, (req) => ({
        status: 200,
        body: this.assignmentJson(req.params.appId ?? '', this.assignment(req)),
      })),
      route('PUT', `${APP}/groups/{groupId}`, (req) => this.assign(req)),
      route('DELETE', `${APP}/groups/{groupId}`, (req) => {
        const record = this.assignment(req);
        this.assignments.get(req.params.appId ?? '')?.delete(record.groupId);
        return { status: 204 };
      }),
    ];
  }

  appsView(): OktaApp[] {
    return [...this.apps.values()].map((a) => clone(this.appJson(a)));
  }

  assignmentsView(appId: string): OktaAppGroupAssignment[] {
    return this.sortedAssignments(appId).map((a) => clone(this.assignmentJson(appId, a)));
  }
}

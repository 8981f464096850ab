/**
 * Custom authorization servers with their claims, access policies and policy rules (runbook steps 3-6),
 * and the public OIDC discovery document Kong's plugin reads from the issuer.
 */
import { randomUUID } from 'node:crypto';
import type { Route, SandboxRequest, SandboxResponse } from '../http-sandbox';
import type { Apps } from './apps';
import {
  booleanAt,
  clone,
  fail,
  failWith,
  guarded,
  href,
  maybeObjectAt,
  notFound,
  numberAt,
  objectAt,
  paged,
  requiredString,
  stringAt,
  stringsAt,
  type Json,
  type Org,
} from './errors';
import type { Directory } from './groups';
import { ID_PREFIX, now, oktaId } from './ids';
import { ReadLag } from './read-lag';

type Status = 'ACTIVE' | 'INACTIVE';

interface ServerRecord {
  id: string;
  name: string;
  description?: string;
  audiences: string[];
  issuerMode: string;
  status: Status;
  created: string;
  lastUpdated: string;
  kid: string;
  lastRotated: string;
  nextRotation: string;
}

interface ClaimRecord {
  id: string;
  name: string;
  status: Status;
  claimType: string;
  valueType: string;
  value: string;
  alwaysIncludeInToken: boolean;
  scopes: string[];
  groupFilterType?: string;
}

interface PolicyRecord {
  id: string;
  name: string;
  description: string;
  status: Status;
  priority: number;
  clients: string[];
  created: string;
  lastUpdated: string;
}

interface RuleRecord {
  id: string;
  name: string;
  status: Status;
  priority: number;
  users: string[];
  groups: string[];
  grantTypes: string[];
  scopes: string[];
  accessTokenLifetimeMinutes: number;
  refreshTokenLifetimeMinutes: number;
  refreshTokenWindowMinutes: number;
  inlineHookId?: string;
  created: string;
  lastUpdated: string;
}

// The API's shapes, with the fields tests read typed and the rest left open.

export interface OktaAuthServer {
  id: string;
  name: string;
  description?: string;
  audiences: string[];
  issuer: string;
  issuerMode: string;
  status: Status;
  [key: string]: unknown;
}

export interface OktaClaim {
  id: string;
  name: string;
  status: Status;
  claimType: string;
  valueType: string;
  value: string;
  alwaysIncludeInToken: boolean;
  conditions: { scopes: string[] };
  [key: string]: unknown;
}

export interface OktaPolicy {
  id: string;
  type: 'OAUTH_AUTHORIZATION_POLICY';
  name: string;
  description: string;
  status: Status;
  priority: number;
  conditions: { clients: { include: string[] } };
  [key: string]: unknown;
}

export interface OktaRule {
  id: string;
  type: 'RESOURCE_ACCESS';
  name: string;
  status: Status;
  priority: number;
  conditions: {
    people: {
      users: { include: string[]; exclude: string[] };
      groups: { include: string[]; exclude: string[] };
    };
    grantTypes: { include: string[] };
    scopes: { include: string[] };
  };
  actions: {
    token: {
      accessTokenLifetimeMinutes: number;
      refreshTokenLifetimeMinutes: number;
      refreshTokenWindowMinutes: number;
      inlineHook?: { id: string };
    };
  };
  [key: string]: unknown;
}

const SERVERS = '/api/v1/authorizationServers';
const SERVER = `${SERVERS}/{authServerId}`;
const POLICY = `${SERVER}/policies/{policyId}`;

/** Every custom server starts with these scopes; the sandbox does not model custom scopes. */
const SYSTEM_SCOPES = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access', 'device_sso'];
/** Claim names Okta owns in its tokens. */
/**
 * Names a custom authorization server refuses for a custom claim, per token type. Okta support,
 * "OIDC Bearer Tokens: List of Reserved Claims" (support.okta.com/help/s/article/list-of-reserved-claim-names):
 * the access-token, ID-token and both-token tables verbatim; plus `exp` and `iat`, which Okta sets
 * in every token, and, for ID tokens, the scope-dependent standard claims the article says "can not
 * be used as well" (OpenID Connect Core 5.4: profile, email, address, phone).
 */
const RESERVED_IN_BOTH = 'iss jti token_type ver exp iat';
const RESERVED_CLAIMS: Record<'RESOURCE' | 'IDENTITY', ReadonlySet<string>> = {
  RESOURCE: new Set(`${RESERVED_IN_BOTH} acr amr as_uri cid groups rpt rsi uid username`.split(' ')),
  IDENTITY: new Set(
    (
      `${RESERVED_IN_BOTH} active aid aud app_id app_type at_hash auth_time client_id client_ip client_req_id ` +
      'client_type client_user_agent cnf c_hash device_compliance device_id device_known device_managed ' +
      'device_name device_trust did dst group hotk idp idp_iss mac_key may_act nonce oid okta_emailVerified ' +
      'okta_lastUpdated orig permissions purpose pwd_exp_days pwd_exp_time rid role scope scopes sid sub term ' +
      'user_ip name family_name given_name middle_name nickname preferred_username profile picture website ' +
      'gender birthdate zoneinfo locale updated_at email email_verified address phone_number phone_number_verified'
    ).split(' '),
  ),
};
/** Grant types an access-policy rule may name (refresh_token is implied by the original grant). */
const RULE_GRANTS = new Set([
  'authorization_code',
  'implicit',
  'password',
  'client_credentials',
  'interaction_code',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:saml2-bearer',
  'urn:openid:params:grant-type:ciba',
  'urn:okta:params:oauth:grant-type:otp',
  'urn:okta:params:oauth:grant-type:oob',
]);
const FIVE_YEARS_MINUTES = 2628000;
const STANDARD_CLAIMS = (
  'iss ver sub aud iat exp jti auth_time amr idp nonce name nickname preferred_username given_name middle_name ' +
  'family_name email email_verified profile zoneinfo locale address phone_number picture website gender birthdate ' +
  'updated_at at_hash c_hash'
).split(' ');

/** Moves `item` to the wanted 1-based position (clamped) and renumbers, the way Okta keeps priorities dense. */
function reprioritise<T extends { id: string; priority: number }>(
  all: Iterable<T>,
  item: T,
  wanted: number | undefined,
): void {
  const others = [...all].filter((x) => x.id !== item.id).sort((a, b) => a.priority - b.priority);
  const index =
    wanted === undefined ? others.length : Math.min(Math.max(Math.trunc(wanted) - 1, 0), others.length);
  others.splice(index, 0, item);
  others.forEach((x, i) => (x.priority = i + 1));
}

function byPriority<T extends { priority: number }>(items: Iterable<T>): T[] {
  return [...items].sort((a, b) => a.priority - b.priority);
}

function statusFrom(body: unknown, fallback: Status): Status {
  const status = stringAt(body, 'status');
  return status === 'INACTIVE' || status === 'ACTIVE' ? status : fallback;
}

export class AuthServers {
  private readonly servers = new Map<string, ServerRecord>();
  private readonly claims = new Map<string, Map<string, ClaimRecord>>();
  private readonly policies = new Map<string, Map<string, PolicyRecord>>();
  private readonly rules = new Map<string, Map<string, RuleRecord>>();

  constructor(
    private readonly org: Org,
    private readonly directory: Directory,
    private readonly apps: Apps,
    private readonly lag: ReadLag = new ReadLag(),
  ) {
    this.reset();
  }

  /**
   * A fresh sandbox org has no authorization servers. (Real orgs with API Access Management also ship a
   * server named `default`; tests that care can create one, and provisioning never touches it.)
   */
  reset(): void {
    this.servers.clear();
    this.claims.clear();
    this.policies.clear();
    this.rules.clear();
  }

  private insertServer(
    id: string,
    name: string,
    description: string | undefined,
    audiences: string[],
    issuerMode = 'ORG_URL',
  ): ServerRecord {
    const at = new Date();
    const server: ServerRecord = {
      id,
      name,
      description,
      audiences,
      issuerMode,
      status: 'ACTIVE',
      created: at.toISOString(),
      lastUpdated: at.toISOString(),
      kid: oktaId(''),
      lastRotated: at.toISOString(),
      // Okta rotates signing keys every 90 days on AUTO.
      nextRotation: new Date(at.getTime() + 90 * 24 * 3600 * 1000).toISOString(),
    };
    this.servers.set(id, server);
    return server;
  }

  private claimsOf(serverId: string): Map<string, ClaimRecord> {
    let map = this.claims.get(serverId);
    if (!map) this.claims.set(serverId, (map = new Map()));
    return map;
  }

  private policiesOf(serverId: string): Map<string, PolicyRecord> {
    let map = this.policies.get(serverId);
    if (!map) this.policies.set(serverId, (map = new Map()));
    return map;
  }

  private rulesOf(policyId: string): Map<string, RuleRecord> {
    let map = this.rules.get(policyId);
    if (!map) this.rules.set(policyId, (map = new Map()));
    return map;
  }

  private issuer(server: ServerRecord): string {
    return `${this.org.url}/oauth2/${server.id}`;
  }

  // ---- lookups that answer 404 the way Okta does ----

  private server(req: SandboxRequest): ServerRecord {
    const id = req.params.authServerId ?? '';
    const server = this.lag.hides(id) ? undefined : this.servers.get(id);
    return server ?? failWith(notFound(id, 'AuthorizationServer'));
  }

  private claim(req: SandboxRequest): ClaimRecord {
    const server = this.server(req);
    const id = req.params.claimId ?? '';
    return this.claimsOf(server.id).get(id) ?? failWith(notFound(id, 'OAuth2Claim'));
  }

  private policy(req: SandboxRequest): PolicyRecord {
    const server = this.server(req);
    const id = req.params.policyId ?? '';
    return this.policiesOf(server.id).get(id) ?? failWith(notFound(id, 'Policy'));
  }

  private rule(req: SandboxRequest): RuleRecord {
    const policy = this.policy(req);
    const id = req.params.ruleId ?? '';
    return this.rulesOf(policy.id).get(id) ?? failWith(notFound(id, 'PolicyRule'));
  }

  // ---- JSON as the API returns it ----

  serverJson(s: ServerRecord): OktaAuthServer {
    const self = `${this.org.url}${SERVERS}/${s.id}`;
    const issuer = this.issuer(s);
    const lifecycle = s.status === 'ACTIVE' ? 'deactivate' : 'activate';
    return {
      id: s.id,
      name: s.name,
      ...(s.description === undefined ? {} : { description: s.description }),
      audiences: s.audiences,
      issuer,
      issuerMode: s.issuerMode,
      status: s.status,
      created: s.created,
      lastUpdated: s.lastUpdated,
      credentials: {
        signing: {
          rotationMode: 'AUTO',
          lastRotated: s.lastRotated,
          nextRotation: s.nextRotation,
          kid: s.kid,
          use: 'sig',
        },
      },
      _links: {
        scopes: href(`${self}/scopes`, 'GET'),
        claims: href(`${self}/claims`, 'GET'),
        policies: href(`${self}/policies`, 'GET'),
        self: href(self, 'GET', 'DELETE', 'PUT'),
        metadata: [
          { name: 'openid-configuration', ...href(`${issuer}/.well-known/openid-configuration`, 'GET') },
          {
            name: 'oauth-authorization-server',
            ...href(`${issuer}/.well-known/oauth-authorization-server`, 'GET'),
          },
        ],
        rotateKey: href(`${self}/credentials/lifecycle/keyRotate`, 'POST'),
        [lifecycle]: href(`${self}/lifecycle/${lifecycle}`, 'POST'),
      },
    };
  }

  private claimJson(serverId: string, c: ClaimRecord): OktaClaim {
    return {
      id: c.id,
      name: c.name,
      status: c.status,
      claimType: c.claimType,
      valueType: c.valueType,
      value: c.value,
      alwaysIncludeInToken: c.alwaysIncludeInToken,
      conditions: { scopes: c.scopes },
      ...(c.groupFilterType ? { group_filter_type: c.groupFilterType } : {}),
      system: false,
      _links: { self: href(`${this.org.url}${SERVERS}/${serverId}/claims/${c.id}`, 'GET', 'PUT', 'DELETE') },
    };
  }

  private policyJson(serverId: string, p: PolicyRecord): OktaPolicy {
    const self = `${this.org.url}${SERVERS}/${serverId}/policies/${p.id}`;
    const lifecycle = p.status === 'ACTIVE' ? 'deactivate' : 'activate';
    return {
      type: 'OAUTH_AUTHORIZATION_POLICY',
      id: p.id,
      status: p.status,
      name: p.name,
      description: p.description,
      priority: p.priority,
      system: false,
      conditions: { clients: { include: p.clients } },
      created: p.created,
      lastUpdated: p.lastUpdated,
      _links: {
        self: href(self, 'GET', 'PUT', 'DELETE'),
        [lifecycle]: href(`${self}/lifecycle/${lifecycle}`, 'POST'),
        rules: href(`${self}/rules`, 'GET'),
      },
    };
  }

  private ruleJson(serverId: string, policyId: string, r: RuleRecord): OktaRule {
    const self = `${this.org.url}${SERVERS}/${serverId}/policies/${policyId}/rules/${r.id}`;
    const lifecycle = r.status === 'ACTIVE' ? 'deactivate' : 'activate';
    return {
      type: 'RESOURCE_ACCESS',
      id: r.id,
      status: r.status,
      name: r.name,
      priority: r.priority,
      created: r.created,
      lastUpdated: r.lastUpdated,
      system: false,
      conditions: {
        // Okta echoes both people conditions, each with an (unmodelled, always empty) exclude list.
        people: { users: { include: r.users, exclude: [] }, groups: { include: r.groups, exclude: [] } },
        grantTypes: { include: r.grantTypes },
        scopes: { include: r.scopes },
      },
      actions: {
        token: {
          accessTokenLifetimeMinutes: r.accessTokenLifetimeMinutes,
          refreshTokenLifetimeMinutes: r.refreshTokenLifetimeMinutes,
          refreshTokenWindowMinutes: r.refreshTokenWindowMinutes,
          ...(r.inlineHookId ? { inlineHook: { id: r.inlineHookId } } : {}),
        },
      },
      _links: {
        self: href(self, 'GET', 'PUT', 'DELETE'),
        [lifecycle]: href(`${self}/lifecycle/${lifecycle}`, 'POST'),
      },
    };
  }

  private discovery(server: ServerRecord): Json {
    const issuer = this.issuer(server);
    const clientAuth = [
      'client_secret_basic',
      'client_secret_post',
      'client_secret_jwt',
      'private_key_jwt',
      'none',
    ];
    return {
      issuer,
      authorization_endpoint: `${issuer}/v1/authorize`,
      token_endpoint: `${issuer}/v1/token`,
      userinfo_endpoint: `${issuer}/v1/userinfo`,
      registration_endpoint: `${this.org.url}/oauth2/v1/clients`,
      jwks_uri: `${issuer}/v1/keys`,
      response_types_supported: [
        'code',
        'id_token',
        'code id_token',
        'code token',
        'id_token token',
        'code id_token token',
      ],
      response_modes_supported: ['query', 'fragment', 'form_post', 'okta_post_message'],
      grant_types_supported: [
        'authorization_code',
        'implicit',
        'refresh_token',
        'password',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:device_code',
        'urn:ietf:params:oauth:grant-type:token-exchange',
      ],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: SYSTEM_SCOPES,
      token_endpoint_auth_methods_supported: clientAuth,
      claims_supported: STANDARD_CLAIMS,
      code_challenge_methods_supported: ['S256'],
      introspection_endpoint: `${issuer}/v1/introspect`,
      introspection_endpoint_auth_methods_supported: clientAuth,
      revocation_endpoint: `${issuer}/v1/revoke`,
      revocation_endpoint_auth_methods_supported: clientAuth,
      end_session_endpoint: `${issuer}/v1/logout`,
      request_parameter_supported: true,
      request_object_signing_alg_values_supported: [
        'HS256',
        'HS384',
        'HS512',
        'RS256',
        'RS384',
        'RS512',
        'ES256',
        'ES384',
        'ES512',
      ],
      device_authorization_endpoint: `${issuer}/v1/device/authorize`,
    };
  }

  // ---- authorization servers ----

  private parseServer(body: unknown, selfId?: string) {
    const name = requiredString(body, 'name');
    const audiences = stringsAt(body, 'audiences') ?? [];
    if (audiences.length === 0) fail('audiences', 'The field cannot be left blank');
    // Okta documents that a custom authorization server supports exactly one audience.
    if (audiences.length > 1) fail('audiences', 'Only one audience is supported.');
    const taken = [...this.servers.values()].some(
      (s) => s.id !== selfId && s.name.toLowerCase() === name.toLowerCase(),
    );
    if (taken) fail('name', 'An object with this field already exists in the current organization');
    const issuerMode = stringAt(body, 'issuerMode') ?? 'ORG_URL';
    if (issuerMode !== 'ORG_URL' && issuerMode !== 'DYNAMIC') {
      fail('issuerMode', `${issuerMode} requires a custom URL domain, which this org does not have.`);
    }
    return { name, audiences, issuerMode, description: stringAt(body, 'description') };
  }

  private createServer(req: SandboxRequest): SandboxResponse {
    const parsed = this.parseServer(req.body);
    const server = this.insertServer(
      oktaId(ID_PREFIX.authServer),
      parsed.name,
      parsed.description,
      parsed.audiences,
      parsed.issuerMode,
    );
    this.lag.created(server.id);
    return { status: 201, body: this.serverJson(server) };
  }

  private replaceServer(req: SandboxRequest): SandboxResponse {
    const server = this.server(req);
    const parsed = this.parseServer(req.body, server.id);
    Object.assign(server, { ...parsed, lastUpdated: now() });
    return { status: 200, body: this.serverJson(server) };
  }

  private deleteServer(req: SandboxRequest): SandboxResponse {
    const server = this.server(req);
    for (const policyId of this.policiesOf(server.id).keys()) this.rules.delete(policyId);
    this.policies.delete(server.id);
    this.claims.delete(server.id);
    this.servers.delete(server.id);
    return { status: 204 };
  }

  // ---- claims ----

  private parseClaim(serverId: string, body: unknown, selfId?: string): Omit<ClaimRecord, 'id'> {
    const name = requiredString(body, 'name');
    const claimType = requiredString(body, 'claimType');
    if ((claimType === 'RESOURCE' || claimType === 'IDENTITY') && RESERVED_CLAIMS[claimType].has(name))
      fail('name', `'${name}' is a reserved claim name.`);
    const valueType = requiredString(body, 'valueType');
    const value = requiredString(body, 'value');
    if (valueType === 'SYSTEM') fail('valueType', 'System claims cannot be created or modified.');
    const groupFilterType = stringAt(body, 'group_filter_type');
    if (valueType === 'GROUPS' && !groupFilterType)
      fail('group_filter_type', 'The field cannot be left blank');
    if (valueType === 'EXPRESSION') {
      // Okta evaluates the expression against the user profile schema when the claim is saved.
      for (const m of value.matchAll(/\buser\.([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()/g)) {
        const attribute = m[1] ?? '';
        if (!this.directory.hasUserAttribute(attribute)) {
          fail('value', `Invalid value expression: user.${attribute} is not a user profile attribute.`);
        }
      }
    }
    const scopes = stringsAt(objectAt(body, 'conditions'), 'scopes') ?? [];
    const unknown = scopes.find((s) => !SYSTEM_SCOPES.includes(s));
    if (unknown !== undefined)
      fail('conditions.scopes', `Scope '${unknown}' does not exist on this authorization server.`);
    const clash = [...this.claimsOf(serverId).values()].some(
      (c) => c.id !== selfId && c.claimType === claimType && c.name === name,
    );
    if (clash) fail('name', `A claim named '${name}' already exists for this token type.`);
    return {
      name,
      status: statusFrom(body, 'ACTIVE'),
      claimType,
      valueType,
      value,
      // Access-token (RESOURCE) claims are always included; only ID-token claims can be scope-bound.
      alwaysIncludeInToken:
        claimType === 'RESOURCE' ? true : (booleanAt(body, 'alwaysIncludeInToken') ?? false),
      scopes,
      groupFilterType,
    };
  }

  // ---- policies ----

  private parsePolicy(body: unknown): {
    name: string;
    description: string;
    clients: string[];
    status: Status;
    priority?: number;
  } {
    requiredString(body, 'type');
    const name = requiredString(body, 'name');
    const description = requiredString(body, 'description');
    const clients = stringsAt(objectAt(objectAt(body, 'conditions'), 'clients'), 'include') ?? [];
    if (clients.length === 0) fail('conditions.clients.include', 'The field cannot be left blank');
    for (const client of clients) {
      if (client !== 'ALL_CLIENTS' && !this.apps.byClientId(client)) {
        fail('conditions.clients.include', `Invalid client id: ${client}`);
      }
    }
    return {
      name,
      description,
      clients,
      status: statusFrom(body, 'ACTIVE'),
      priority: numberAt(body, 'priority'),
    };
  }

  // ---- rules ----

  private parseRule(
    body: unknown,
  ): Omit<RuleRecord, 'id' | 'created' | 'lastUpdated' | 'priority'> & { priority?: number } {
    const name = requiredString(body, 'name');
    const conditions = objectAt(body, 'conditions');
    const people = objectAt(conditions, 'people');
    const users = stringsAt(objectAt(people, 'users'), 'include') ?? [];
    const groups = stringsAt(objectAt(people, 'groups'), 'include') ?? [];
    if (users.length === 0 && groups.length === 0)
      fail('conditions.people', 'At least one user or group is required.');
    // The sandbox org has no users besides the implicit admin, so any user id is unknown.
    if (users.length) fail('conditions.people.users.include', `Invalid user id: ${users[0]}`);
    const badGroup = groups.find((g) => g !== 'EVERYONE' && !this.directory.groups.has(g));
    if (badGroup !== undefined) fail('conditions.people.groups.include', `Invalid group id: ${badGroup}`);

    const grantTypes = stringsAt(objectAt(conditions, 'grantTypes'), 'include') ?? [];
    if (grantTypes.length === 0) fail('conditions.grantTypes.include', 'The field cannot be left blank');
    const badGrant = grantTypes.find((g) => !RULE_GRANTS.has(g));
    if (badGrant !== undefined)
      fail('conditions.grantTypes.include', `'${badGrant}' is not a valid grant type for a rule.`);

    const scopes = stringsAt(objectAt(conditions, 'scopes'), 'include') ?? [];
    if (scopes.length === 0) fail('conditions.scopes.include', 'The field cannot be left blank');
    const badScope = scopes.find((s) => s !== '*' && !SYSTEM_SCOPES.includes(s));
    if (badScope !== undefined)
      fail('conditions.scopes.include', `Scope '${badScope}' does not exist on this authorization server.`);

    const token = objectAt(objectAt(body, 'actions'), 'token');
    const field = (key: string) => `actions.token.${key}`;
    const access = numberAt(token, 'accessTokenLifetimeMinutes') ?? 60;
    const refresh = numberAt(token, 'refreshTokenLifetimeMinutes') ?? 0;
    const window = numberAt(token, 'refreshTokenWindowMinutes') ?? 10080;
    if (access < 5 || access > 1440)
      fail(field('accessTokenLifetimeMinutes'), 'Access token lifetime must be between 5 and 1440 minutes.');
    if (refresh !== 0 && (refresh < access || refresh > FIVE_YEARS_MINUTES)) {
      fail(
        field('refreshTokenLifetimeMinutes'),
        'Refresh token lifetime must be 0 (unlimited) or between the access token lifetime and 5 years.',
      );
    }
    if (window < 10 || window > FIVE_YEARS_MINUTES)
      fail(
        field('refreshTokenWindowMinutes'),
        'Refresh token window must be between 10 minutes and 5 years.',
      );
    if (window < access)
      fail(
        field('refreshTokenWindowMinutes'),
        'Refresh token window must be at least the access token lifetime.',
      );
    if (refresh !== 0 && window > refresh)
      fail(
        field('refreshTokenWindowMinutes'),
        'Refresh token window cannot exceed the refresh token lifetime.',
      );
    const hook = maybeObjectAt(token, 'inlineHook');
    if (hook) fail(field('inlineHook.id'), `Inline hook not found: ${stringAt(hook, 'id') ?? ''}`);

    return {
      name,
      status: statusFrom(body, 'ACTIVE'),
      priority: numberAt(body, 'priority'),
      users,
      groups,
      grantTypes,
      scopes,
      accessTokenLifetimeMinutes: access,
      refreshTokenLifetimeMinutes: refresh,
      refreshTokenWindowMinutes: window,
    };
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
    const lifecycle = (
      template: string,
      find: (req: SandboxRequest) => { status: Status; lastUpdated: string },
      status: Status,
      ok: number,
    ) =>
      route('POST', `${template}/lifecycle/${status === 'ACTIVE' ? 'activate' : 'deactivate'}`, (req) => {
        const record = find(req);
        if (record.status !== status) Object.assign(record, { status, lastUpdated: now() });
        return { status: ok };
      });
    const discovery = (req: SandboxRequest): SandboxResponse => {
      const id = req.params.authServerId ?? '';
      const server = this.lag.hides(id) ? undefined : this.servers.get(id);
      // Okta stops serving metadata for a deactivated server, as if it did not exist.
      if (!server || server.status !== 'ACTIVE')
        return notFound(req.params.authServerId ?? '', 'AuthorizationServer');
      return { status: 200, body: this.discovery(server) };
    };

    return [
      route('GET', SERVERS, (req) => {
        const q = req.query.get('q')?.toLowerCase();
        const matches = [...this.servers.values()].filter(
          (s) => q === undefined || s.name.toLowerCase().startsWith(q),
        );
        const response = paged(req, matches, (s) => s.id, { defaultLimit: 200, maxLimit: 200 });
        return { ...response, body: (response.body as ServerRecord[]).map((s) => this.serverJson(s)) };
      }),
      route('POST', SERVERS, (req) => this.createServer(req)),
      route('GET', SERVER, (req) => ({ status: 200, body: this.serverJson(this.server(req)) })),
      route('PUT', SERVER, (req) => this.replaceServer(req)),
      route('DELETE', SERVER, (req) => this.deleteServer(req)),
      lifecycle(SERVER, (req) => this.server(req), 'ACTIVE', 204),
      lifecycle(SERVER, (req) => this.server(req), 'INACTIVE', 204),

      route('GET', `${SERVER}/claims`, (req) => {
        const server = this.server(req);
        return {
          status: 200,
          body: [...this.claimsOf(server.id).values()].map((c) => this.claimJson(server.id, c)),
        };
      }),
      route('POST', `${SERVER}/claims`, (req) => {
        const server = this.server(req);
        const claim: ClaimRecord = { id: oktaId(ID_PREFIX.claim), ...this.parseClaim(server.id, req.body) };
        this.claimsOf(server.id).set(claim.id, claim);
        return { status: 201, body: this.claimJson(server.id, claim) };
      }),
      route('GET', `${SERVER}/claims/{claimId}`, (req) => ({
        status: 200,
        body: this.claimJson(this.server(req).id, this.claim(req)),
      })),
      route('PUT', `${SERVER}/claims/{claimId}`, (req) => {
        const claim = this.claim(req);
        const serverId = this.server(req).id;
        Object.assign(claim, { groupFilterType: undefined }, this.parseClaim(serverId, req.body, claim.id));
        return { status: 200, body: this.claimJson(serverId, claim) };
      }),
      route('DELETE', `${SERVER}/claims/{claimId}`, (req) => {
        const claim = this.claim(req);
        this.claimsOf(this.server(req).id).delete(claim.id);
        return { status: 204 };
      }),

      route('GET', `${SERVER}/policies`, (req) => {
        const server = this.server(req);
        return {
          status: 200,
          body: byPriority(this.policiesOf(server.id).values()).map((p) => this.policyJson(server.id, p)),
        };
      }),
      route('POST', `${SERVER}/policies`, (req) => {
        const server = this.server(req);
        const { priority, ...parsed } = this.parsePolicy(req.body);
        const at = now();
        const policy: PolicyRecord = {
          id: oktaId(ID_PREFIX.policy),
          ...parsed,
          priority: 0,
          created: at,
          lastUpdated: at,
        };
        const all = this.policiesOf(server.id);
        all.set(policy.id, policy);
        reprioritise(all.values(), policy, priority);
        return { status: 201, body: this.policyJson(server.id, policy) };
      }),
      route('GET', POLICY, (req) => ({
        status: 200,
        body: this.policyJson(this.server(req).id, this.policy(req)),
      })),
      route('PUT', POLICY, (req) => {
        const policy = this.policy(req);
        const serverId = this.server(req).id;
        const { priority, ...parsed } = this.parsePolicy(req.body);
        Object.assign(policy, parsed, { lastUpdated: now() });
        if (priority !== undefined) reprioritise(this.policiesOf(serverId).values(), policy, priority);
        return { status: 200, body: this.policyJson(serverId, policy) };
      }),
      route('DELETE', POLICY, (req) => {
        const policy = this.policy(req);
        const all = this.policiesOf(this.server(req).id);
        all.delete(policy.id);
        this.rules.delete(policy.id);
        byPriority(all.values()).forEach((p, i) => (p.priority = i + 1));
        return { status: 204 };
      }),

      route('GET', `${POLICY}/rules`, (req) => {
        const policy = this.policy(req);
        const serverId = this.server(req).id;
        return {
          status: 200,
          body: byPriority(this.rulesOf(policy.id).values()).map((r) =>
            this.ruleJson(serverId, policy.id, r),
          ),
        };
      }),
      route('POST', `${POLICY}/rules`, (req) => {
        const policy = this.policy(req);
        const { priority, ...parsed } = this.parseRule(req.body);
        const at = now();
        const rule: RuleRecord = {
          id: oktaId(ID_PREFIX.rule),
          ...parsed,
          priority: 0,
          created: at,
          lastUpdated: at,
        };
        const all = this.rulesOf(policy.id);
        all.set(rule.id, rule);
        reprioritise(all.values(), rule, priority);
        return { status: 201, body: this.ruleJson(this.server(req).id, policy.id, rule) };
      }),
      route('GET', `${POLICY}/rules/{ruleId}`, (req) => ({
        status: 200,
        body: this.ruleJson(this.server(req).id, this.policy(req).id, this.rule(req)),
      })),
      route('PUT', `${POLICY}/rules/{ruleId}`, (req) => {
        const rule = this.rule(req);
        const policy = this.policy(req);
        const { priority, ...parsed } = this.parseRule(req.body);
        Object.assign(rule, { inlineHookId: undefined }, parsed, { lastUpdated: now() });
        if (priority !== undefined) reprioritise(this.rulesOf(policy.id).values(), rule, priority);
        return { status: 200, body: this.ruleJson(this.server(req).id, policy.id, rule) };
      }),
      route('DELETE', `${POLICY}/rules/{ruleId}`, (req) => {
        const rule = this.rule(req);
        const all = this.rulesOf(this.policy(req).id);
        all.delete(rule.id);
        byPriority(all.values()).forEach((r, i) => (r.priority = i + 1));
        return { status: 204 };
      }),

      {
        method: 'GET',
        template: '/oauth2/{authServerId}/.well-known/openid-configuration',
        public: true,
        handler: guarded(discovery),
      },
      {
        method: 'GET',
        template: '/oauth2/{authServerId}/v1/authorize',
        public: true,
        handler: (req) => this.authorize(req),
      },
      {
        method: 'GET',
        template: '/oauth2/{authServerId}/.well-known/oauth-authorization-server',
        public: true,
        handler: guarded(discovery),
      },
    ];
  }

  /**
   * The start of a developer's sign-in, as Okta answers a browser (no session). Sources: Okta
   * support, "Okta Error 400 Bad Request - The redirect_uri parameter must be a Login redirect URI
   * in the client app settings" (an HTML error page, no redirect, for a redirect_uri not registered
   * exactly, case-sensitively); the OIDC reference's /authorize errors (invalid_client for an
   * unknown client; access_denied, invalid_scope, unsupported_response_type redirected back to the
   * client with `error`); Classic Engine sends an acceptable request to its sign-in page
   * (302 /login/login.htm?fromURI=...). Access policy evaluation: a policy must name the client
   * and hold an active rule for the grant ("Policy evaluation failed for this request").
   */
  private authorize(req: SandboxRequest): SandboxResponse {
    const html = (status: number, message: string): SandboxResponse => ({
      status,
      body: `<html><body><h1>${status === 400 ? '400 Bad Request' : 'Not Found'}</h1><p>Your request resulted in an error. ${message}</p></body></html>`,
      headers: { 'content-type': 'text/html;charset=utf-8' },
      undocumented: 'the authorize endpoint answers a browser with HTML, not a JSON API document',
    });
    const server = this.servers.get(req.params.authServerId ?? '');
    if (!server || server.status !== 'ACTIVE')
      return html(404, 'The page you are looking for does not exist.');
    const q = (name: string) => req.query.get(name) ?? '';
    const app = this.apps.byClientId(q('client_id'));
    if (!app) return html(400, "invalid_client: The 'client_id' parameter is invalid.");
    if (app.status !== 'ACTIVE') return html(400, 'invalid_client: The client is not active.');
    const redirects = (app.settings.oauthClient as { redirect_uris?: string[] }).redirect_uris ?? [];
    const redirect = q('redirect_uri');
    if (!redirects.includes(redirect))
      return html(
        400,
        "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.",
      );
    const back = (error: string, description: string): SandboxResponse => {
      const to = new URL(redirect);
      to.searchParams.set('error', error);
      to.searchParams.set('error_description', description);
      if (q('state')) to.searchParams.set('state', q('state'));
      return { status: 302, headers: { location: to.toString() }, undocumented: 'a browser redirect' };
    };
    if (q('response_type') !== 'code')
      return back(
        'unsupported_response_type',
        'The response type is not supported by the authorization server.',
      );
    const scopes = q('scope').split(' ').filter(Boolean);
    if (!scopes.includes('openid') || scopes.some((s) => !SYSTEM_SCOPES.includes(s)))
      return back(
        'invalid_scope',
        'One or more scopes are not configured for the authorization server resource.',
      );
    const policy = byPriority(this.policiesOf(server.id).values()).find(
      (p) =>
        p.status === 'ACTIVE' &&
        (p.clients.includes(app.clientId) || p.clients.includes('ALL_CLIENTS')) &&
        [...this.rulesOf(p.id).values()].some(
          (r) => r.status === 'ACTIVE' && r.grantTypes.includes('authorization_code'),
        ),
    );
    if (!policy)
      return back(
        'access_denied',
        'Policy evaluation failed for this request, please check the policy configurations.',
      );
    const fromUri = `/oauth2/v1/authorize/redirect?okta_key=${randomUUID().replace(/-/g, '')}`;
    return {
      status: 302,
      headers: { location: `${this.org.url}/login/login.htm?fromURI=${encodeURIComponent(fromUri)}` },
      undocumented: 'a browser redirect to the sign-in page',
    };
  }

  // ---- read-only views for assertions ----

  serversView(): OktaAuthServer[] {
    return [...this.servers.values()].map((s) => clone(this.serverJson(s)));
  }

  claimsView(serverId: string): OktaClaim[] {
    return [...(this.claims.get(serverId)?.values() ?? [])].map((c) => clone(this.claimJson(serverId, c)));
  }

  policiesView(serverId: string): OktaPolicy[] {
    return byPriority(this.policies.get(serverId)?.values() ?? []).map((p) =>
      clone(this.policyJson(serverId, p)),
    );
  }

  rulesView(serverId: string, policyId: string): OktaRule[] {
    if (!this.policies.get(serverId)?.has(policyId)) return [];
    return byPriority(this.rules.get(policyId)?.values() ?? []).map((r) =>
      clone(this.ruleJson(serverId, policyId, r)),
    );
  }
}

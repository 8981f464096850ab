/**
 * The org's directory as far as provisioning sees it: groups (to assign to the app) and the default
 * user schema (to learn which profile attribute holds the e-mail, runbook step 2).
 */
import type { Route, SandboxRequest } from '../http-sandbox';
import { clone, failWith, guarded, href, notFound, oktaError, paged, type Json, type Org } from './errors';
import { ID_PREFIX, now, oktaId } from './ids';

export interface GroupRecord {
  id: string;
  type: 'BUILT_IN' | 'OKTA_GROUP';
  name: string;
  description?: string;
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
}

/** A group as the API returns it (the fields tests read are typed, the rest is open). */
export interface OktaGroup {
  id: string;
  type: GroupRecord['type'];
  created: string;
  lastUpdated: string;
  profile: { name: string; description?: string };
  [key: string]: unknown;
}

interface AttributeRecord {
  name: string;
  title: string;
}

// ---- SCIM-style search expressions (`profile.name eq "X" and type eq "OKTA_GROUP"`) ----

type Predicate = (attrs: Record<string, string | undefined>) => boolean;

const OPERATORS = new Set(['eq', 'ne', 'sw', 'co', 'gt', 'ge', 'lt', 'le']);

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(\(|\)|"(?:[^"\\]|\\.)*"|[^\s()"]+)\s*/y;
  while (re.lastIndex < expression.length) {
    const m = re.exec(expression);
    if (!m?.[1]) throw new Error(`bad token at ${re.lastIndex}`);
    tokens.push(m[1]);
  }
  return tokens;
}

/** Parses Okta's search/filter syntax (eq ne sw co gt ge lt le pr, and, or, parentheses). Throws on anything else. */
export function parseExpression(expression: string): Predicate {
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = () => {
    const t = tokens[pos++];
    if (t === undefined) throw new Error('unexpected end');
    return t;
  };

  const literal = (token: string): string => {
    if (token.startsWith('"')) return token.slice(1, -1).replace(/\\(.)/g, '$1');
    if (/^(true|false|null|-?\d+(\.\d+)?)$/.test(token)) return token;
    throw new Error(`bad literal ${token}`);
  };

  const comparison = (): Predicate => {
    if (peek() === '(') {
      take();
      const inner = disjunction();
      if (take() !== ')') throw new Error('missing )');
      return inner;
    }
    const attr = take();
    const op = take().toLowerCase();
    if (op === 'pr') return (a) => a[attr] !== undefined && a[attr] !== '';
    if (!OPERATORS.has(op)) throw new Error(`bad operator ${op}`);
    const value = literal(take()).toLowerCase();
    return (a) => {
      const actual = a[attr]?.toLowerCase();
      if (actual === undefined) return op === 'ne';
      switch (op) {
        case 'eq':
          return actual === value;
        case 'ne':
          return actual !== value;
        case 'sw':
          return actual.startsWith(value);
        case 'co':
          return actual.includes(value);
        case 'gt':
          return actual > value;
        case 'ge':
          return actual >= value;
        case 'lt':
          return actual < value;
        default:
          return actual <= value;
      }
    };
  };
  const conjunction = (): Predicate => {
    let left = comparison();
    while (peek()?.toLowerCase() === 'and') {
      take();
      const l = left;
      const r = comparison();
      left = (a) => l(a) && r(a);
    }
    return left;
  };
  const disjunction = (): Predicate => {
    let left = conjunction();
    while (peek()?.toLowerCase() === 'or') {
      take();
      const l = left;
      const r = conjunction();
      left = (a) => l(a) || r(a);
    }
    return left;
  };

  const predicate = disjunction();
  if (pos !== tokens.length) throw new Error('trailing tokens');
  return predicate;
}

/** Okta answers an unparsable search/filter with E0000031 rather than ignoring it. */
export function predicateFrom(req: SandboxRequest, param: 'search' | 'filter'): Predicate | undefined {
  const expression = req.query.get(param);
  if (!expression) return undefined;
  try {
    return parseExpression(expression);
  } catch {
    return failWith(
      oktaError(400, 'E0000031', 'Invalid search criteria.', [`${param}: Invalid search criteria.`]),
    );
  }
}

// ---- the default user schema ----

/** Okta's base profile: [name, title, extra schema keywords]. */
const BASE_ATTRIBUTES: Array<[string, string, Json?]> = [
  ['login', 'Username', { required: true, minLength: 5, maxLength: 100 }],
  ['firstName', 'First name', { required: true, minLength: 1, maxLength: 50 }],
  ['lastName', 'Last name', { required: true, minLength: 1, maxLength: 50 }],
  ['middleName', 'Middle name'],
  ['honorificPrefix', 'Honorific prefix'],
  ['honorificSuffix', 'Honorific suffix'],
  ['email', 'Primary email', { required: true, format: 'email' }],
  ['title', 'Title'],
  ['displayName', 'Display name'],
  ['nickName', 'Nickname'],
  ['profileUrl', 'Profile Url', { format: 'uri' }],
  ['secondEmail', 'Secondary email', { format: 'email' }],
  ['mobilePhone', 'Mobile phone', { maxLength: 100 }],
  ['primaryPhone', 'Primary phone', { maxLength: 100 }],
  ['streetAddress', 'Street address'],
  ['city', 'City'],
  ['state', 'State'],
  ['zipCode', 'Zip code'],
  ['countryCode', 'Country code', { format: 'country-code' }],
  ['postalAddress', 'Postal Address'],
  ['preferredLanguage', 'Preferred language', { format: 'language-code' }],
  ['locale', 'Locale', { format: 'locale' }],
  ['timezone', 'Time zone', { format: 'timezone' }],
  ['userType', 'User type'],
  ['employeeNumber', 'Employee number'],
  ['costCenter', 'Cost center'],
  ['organization', 'Organization'],
  ['division', 'Division'],
  ['department', 'Department'],
  ['managerId', 'ManagerId'],
  ['manager', 'Manager'],
];

function attribute(title: string, extra: Json = {}): Json {
  return {
    title,
    type: 'string',
    mutability: 'READ_WRITE',
    scope: 'NONE',
    ...extra,
    permissions: [{ principal: 'SELF', action: 'READ_WRITE' }],
    master: { type: 'PROFILE_MASTER' },
  };
}

// Okta's built-in group logos; clients never fetch them, but `_links.logo` is part of every group.
const LOGO = 'https://ok12static.oktacdn.com/assets/img/logos/groups/odyssey/okta';

export class Directory {
  readonly groups = new Map<string, GroupRecord>();
  private readonly customAttributes = new Map<string, AttributeRecord>();
  private schemaId = '';
  private schemaCreated = '';

  constructor(private readonly org: Org) {
    this.reset();
  }

  reset(): void {
    this.groups.clear();
    this.customAttributes.clear();
    this.schemaId = oktaId(ID_PREFIX.schema);
    this.schemaCreated = now();
    this.insertGroup('BUILT_IN', 'Everyone', 'All users in your organization');
  }

  private insertGroup(type: GroupRecord['type'], name: string, description?: string): GroupRecord {
    const at = now();
    const group: GroupRecord = {
      id: oktaId(ID_PREFIX.group),
      type,
      name,
      description,
      created: at,
      lastUpdated: at,
      lastMembershipUpdated: at,
    };
    this.groups.set(group.id, group);
    return group;
  }

  /** Names may repeat: groups imported from a directory can share a name with Okta groups. */
  addGroup(name: string, description?: string): OktaGroup {
    return this.groupJson(this.insertGroup('OKTA_GROUP', name, description));
  }

  addUserAttribute(name: string): void {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new Error(`${name} is not a valid Okta attribute name`);
    if (this.hasUserAttribute(name)) throw new Error(`user attribute ${name} already exists`);
    this.customAttributes.set(name, { name, title: name });
  }

  hasUserAttribute(name: string): boolean {
    return this.customAttributes.has(name) || BASE_ATTRIBUTES.some(([base]) => base === name);
  }

  /** Okta's id for the built-in group that rules name as 'EVERYONE'. */
  everyoneId(): string {
    return [...this.groups.values()].find((g) => g.type === 'BUILT_IN')?.id ?? '';
  }

  groupJson(g: GroupRecord): OktaGroup {
    const self = `${this.org.url}/api/v1/groups/${g.id}`;
    return {
      id: g.id,
      created: g.created,
      lastUpdated: g.lastUpdated,
      lastMembershipUpdated: g.lastMembershipUpdated,
      objectClass: ['okta:user_group'],
      type: g.type,
      profile: g.description === undefined ? { name: g.name } : { name: g.name, description: g.description },
      _links: {
        logo: [
          { name: 'medium', href: `${LOGO}-medium.png`, type: 'image/png' },
          { name: 'large', href: `${LOGO}-large.png`, type: 'image/png' },
        ],
        users: { href: `${self}/users` },
        apps: { href: `${self}/apps` },
        self: { href: self },
      },
    };
  }

  userSchemaJson(): Json {
    const url = this.org.url;
    return {
      id: `${url}/meta/schemas/user/${this.schemaId}`,
      $schema: 'http://json-schema.org/draft-04/schema#',
      name: 'user',
      title: 'User',
      lastUpdated: this.schemaCreated,
      created: this.schemaCreated,
      definitions: {
        custom: {
          id: '#custom',
          type: 'object',
          properties: Object.fromEntries(
            [...this.customAttributes.values()].map((a) => [
              a.name,
              attribute(a.title, { description: a.name }),
            ]),
          ),
          required: [],
        },
        base: {
          id: '#base',
          type: 'object',
          properties: Object.fromEntries(
            BASE_ATTRIBUTES.map(([name, title, extra]) => [name, attribute(title, extra)]),
          ),
          required: BASE_ATTRIBUTES.filter(([, , extra]) => extra?.required === true).map(([name]) => name),
        },
      },
      type: 'object',
      properties: { profile: { allOf: [{ $ref: '#/definitions/custom' }, { $ref: '#/definitions/base' }] } },
      _links: { self: href(`${url}/api/v1/meta/schemas/user/${this.schemaId}`, 'GET', 'POST') },
    };
  }

  private listGroups(req: SandboxRequest) {
    const q = req.query.get('q')?.toLowerCase();
    const search = predicateFrom(req, 'search');
    const filter = predicateFrom(req, 'filter');
    const matches = [...this.groups.values()].filter((g) => {
      if (q !== undefined && !g.name.toLowerCase().startsWith(q)) return false;
      const attrs = {
        id: g.id,
        type: g.type,
        created: g.created,
        lastUpdated: g.lastUpdated,
        lastMembershipUpdated: g.lastMembershipUpdated,
        'profile.name': g.name,
        'profile.description': g.description,
      };
      return (!search || search(attrs)) && (!filter || filter(attrs));
    });
    const response = paged(req, matches, (g) => g.id, { defaultLimit: 10000, maxLimit: 10000 });
    return { ...response, body: (response.body as GroupRecord[]).map((g) => this.groupJson(g)) };
  }

  routes(): Route[] {
    return [
      { method: 'GET', template: '/api/v1/groups', handler: guarded((req) => this.listGroups(req)) },
      {
        method: 'GET',
        template: '/api/v1/groups/{groupId}',
        handler: guarded(({ params }) => {
          const group = this.groups.get(params.groupId ?? '');
          return group
            ? { status: 200, body: this.groupJson(group) }
            : notFound(params.groupId ?? '', 'UserGroup');
        }),
      },
      {
        method: 'GET',
        template: '/api/v1/meta/schemas/user/{schemaId}',
        handler: guarded(({ params }) => {
          const id = params.schemaId ?? '';
          // 'default' is Okta's alias for the org's one user type's schema.
          if (id !== 'default' && id !== this.schemaId) return notFound(id, 'UserSchema');
          return { status: 200, body: this.userSchemaJson() };
        }),
      },
    ];
  }

  /** Read-only views for assertions. */
  groupsView(): OktaGroup[] {
    return [...this.groups.values()].map((g) => clone(this.groupJson(g)));
  }
}

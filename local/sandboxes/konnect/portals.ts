/**
 * Dev Portals as the Portal Management API v3 shows them (the document's Portal schema: every field
 * required in an answer, additionalProperties false). The domain rules: `default_domain` is the
 * hostname Konnect assigns (docs use the form `abc123456789.us.kongportals.com`); `canonical_domain` is
 * the custom domain when one is set and the default domain otherwise (PortalExample1: default
 * `123455678abcd.us.portal.konghq.com`, canonical `api.example.com`; ListPortalsExample1: both equal).
 * The custom domain itself is its own sub-resource (`/portals/{portalId}/custom-domain`), which the
 * sandbox sets through its control API only.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export interface KonnectPortal {
  id: string;
  name: string;
  display_name: string;
  description: string | null;
  authentication_enabled: boolean;
  rbac_enabled: boolean;
  sipr_enabled: boolean;
  default_api_visibility: 'public' | 'private';
  default_page_visibility: 'public' | 'private';
  default_application_auth_strategy_id: string | null;
  auto_approve_developers: boolean;
  auto_approve_applications: boolean;
  default_domain: string;
  canonical_domain: string;
  labels?: Record<string, string>;
  notifications_developer_pii_visibility_enabled?: boolean;
  created_at: string;
  updated_at: string;
  /** Sandbox state, not an API field: the custom domain's hostname, when one is set. */
  custom_domain?: string;
}

/** The fields an UpdatePortal body may change (the rest of the document's properties are readOnly). */
export const WRITABLE_FIELDS = [
  'name',
  'display_name',
  'description',
  'authentication_enabled',
  'rbac_enabled',
  'sipr_enabled',
  'default_api_visibility',
  'default_page_visibility',
  'default_application_auth_strategy_id',
  'auto_approve_developers',
  'auto_approve_applications',
  'labels',
  'notifications_developer_pii_visibility_enabled',
] as const;

export function newPortal(partial: Partial<KonnectPortal> = {}, region = 'us'): KonnectPortal {
  const now = new Date().toISOString();
  const name = partial.name ?? 'developer-portal';
  const defaultDomain =
    partial.default_domain ?? `${randomBytes(6).toString('hex')}.${region}.kongportals.com`;
  const portal: KonnectPortal = {
    id: randomUUID(),
    display_name: name,
    description: null,
    // The document's defaults.
    authentication_enabled: true,
    rbac_enabled: false,
    sipr_enabled: false,
    default_api_visibility: 'private',
    default_page_visibility: 'private',
    default_application_auth_strategy_id: null,
    auto_approve_developers: false,
    auto_approve_applications: false,
    created_at: now,
    updated_at: now,
    ...partial,
    name,
    default_domain: defaultDomain,
    canonical_domain: partial.custom_domain ?? defaultDomain,
  };
  return portal;
}

/** A portal as the API returns it: the custom domain shows only through canonical_domain. */
export function renderPortal(portal: KonnectPortal): Record<string, unknown> {
  const { custom_domain: _custom, ...shown } = portal;
  return { ...shown, canonical_domain: portal.custom_domain ?? portal.default_domain };
}

type FilterValue = string | Record<string, string>;

const UUID_FILTERS = new Set(['id', 'default_application_auth_strategy_id']);
const BOOLEAN_FILTERS = new Set([
  'authentication_enabled',
  'rbac_enabled',
  'auto_approve_developers',
  'auto_approve_applications',
]);
const STRING_FILTERS = new Set([
  'name',
  'description',
  'default_api_visibility',
  'default_page_visibility',
  'default_domain',
  'canonical_domain',
]);
const STRING_OPERATORS = new Set(['eq', 'contains', 'ocontains', 'oeq', 'neq']);
const UUID_OPERATORS = new Set(['eq', 'oeq', 'neq']);

/** `filter[name][eq]=x` / `filter[name]=x` (deepObject) -> { name: { eq: 'x' } } / { name: 'x' }. */
export function filtersOf(query: URLSearchParams): {
  filters: Record<string, FilterValue>;
  unknown: string[];
} {
  const filters: Record<string, FilterValue> = {};
  const unknown: string[] = [];
  for (const [key, value] of query) {
    const m = /^filter\[([^\]]+)\](?:\[([^\]]+)\])?$/.exec(key);
    if (!m) continue;
    const [, attribute = '', operator] = m;
    const known =
      STRING_FILTERS.has(attribute) || UUID_FILTERS.has(attribute) || BOOLEAN_FILTERS.has(attribute);
    const operators = UUID_FILTERS.has(attribute) ? UUID_OPERATORS : STRING_OPERATORS;
    if (!known || (operator !== undefined && (BOOLEAN_FILTERS.has(attribute) || !operators.has(operator)))) {
      unknown.push(key);
      continue;
    }
    if (operator === undefined) filters[attribute] = value;
    else {
      const existing = filters[attribute];
      filters[attribute] = { ...(typeof existing === 'object' ? existing : {}), [operator]: value };
    }
  }
  return { filters, unknown };
}

function matchesString(actual: string, filter: FilterValue): boolean {
  if (typeof filter === 'string') return actual === filter;
  return Object.entries(filter).every(([op, value]) => {
    const values = value.split(',');
    if (op === 'eq') return actual === value;
    if (op === 'neq') return actual !== value;
    if (op === 'contains') return actual.includes(value);
    if (op === 'oeq') return values.includes(actual);
    if (op === 'ocontains') return values.some((v) => actual.includes(v));
    return false;
  });
}

export function matchesFilters(portal: KonnectPortal, filters: Record<string, FilterValue>): boolean {
  const shown = renderPortal(portal);
  return Object.entries(filters).every(([attribute, filter]) => {
    const actual = shown[attribute];
    if (BOOLEAN_FILTERS.has(attribute)) return String(actual) === filter;
    return matchesString(actual === null || actual === undefined ? '' : String(actual), filter);
  });
}

/** Portals by id, in creation order. */
export class PortalStore {
  private readonly byId = new Map<string, KonnectPortal>();

  find(id: string): KonnectPortal | undefined {
    return this.byId.get(id);
  }

  byName(name: string): KonnectPortal | undefined {
    return [...this.byId.values()].find((p) => p.name === name);
  }

  list(): KonnectPortal[] {
    return [...this.byId.values()];
  }

  save(portal: KonnectPortal): KonnectPortal {
    this.byId.set(portal.id, portal);
    return portal;
  }

  clear(): void {
    this.byId.clear();
  }
}

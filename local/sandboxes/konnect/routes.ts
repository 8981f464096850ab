/**
 * The Portal Management v3 operations the provisioner uses: list/get/update portals and a portal's
 * identity providers. The document's paths are relative to servers that end in /v3
 * (`https://us.api.konghq.com/v3`), so the wire paths are `/v3/portals/...` and each route names its
 * document operation in `contractTemplate`. Order per call: token (401), role on the portal (403),
 * the framework's contract check (400), then these handlers (404, Konnect's own rules, 409).
 */
import type { ContractError, ContractValidator } from '../../contracts/validator';
import type { Route, SandboxRequest, SandboxResponse } from '../http-sandbox';
import {
  badRequest,
  conflict,
  contractViolation,
  forbidden,
  notFound,
  unauthorized,
  type InvalidParameter,
} from './errors';
import {
  CONFIG_SCHEMAS,
  newIdentityProvider,
  renderIdentityProvider,
  type IdentityProviderStore,
  type IdentityProviderType,
  type StoredIdentityProvider,
} from './identity-providers';
import {
  WRITABLE_FIELDS,
  filtersOf,
  matchesFilters,
  renderPortal,
  type KonnectPortal,
  type PortalStore,
} from './portals';
import type { KonnectTokens } from './tokens';

export interface KonnectContext {
  portals: PortalStore;
  idps: IdentityProviderStore;
  tokens: KonnectTokens;
  contract: ContractValidator;
}

export const PORTALS = '/v3/portals';
export const PORTAL = '/v3/portals/{portalId}';
export const IDPS = '/v3/portals/{portalId}/identity-providers';
export const IDP = '/v3/portals/{portalId}/identity-providers/{id}';

/** The wire path's operation in the document (its server URL carries the /v3). */
const documentTemplate = (template: string) => template.replace(/^\/v3/, '');

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const ok = (body: unknown, status = 200): SandboxResponse => ({ status, body });
const isType = (v: unknown): v is IdentityProviderType => v === 'oidc' || v === 'saml';

/** Not in the document for this operation (it lists 200/401/403, or 201/400/401/403/409). */
const UNKNOWN_PORTAL_UNDOCUMENTED =
  'assumption: an unknown portal is 404 on its sub-resources too, as on get-portal; the document lists no 404 for this operation';

const PAGE_DEFAULT = 10;

export function authenticate(ctx: KonnectContext, req: SandboxRequest): SandboxResponse | undefined {
  const grant = ctx.tokens.grantOf(req);
  if (!grant) return unauthorized();
  return ctx.tokens.allows(grant, req.method, req.params.portalId) ? undefined : forbidden();
}

/**
 * The document leaves the IdP config to a plain oneOf (an empty config passes as SAML); Konnect
 * validates it as the schema of the provider's type. Paths are the body's (`/config/...`).
 */
function configErrors(ctx: KonnectContext, type: IdentityProviderType, config: unknown): ContractError[] {
  const verdict = ctx.contract.validateSchema(CONFIG_SCHEMAS[type], 'request', config);
  return verdict.ok ? [] : verdict.errors.map((e) => ({ ...e, path: `/config${e.path}` }));
}

/** The type a body's config is checked against: the body's on a create, the stored provider's on an update. */
function typeFor(ctx: KonnectContext, req: SandboxRequest): IdentityProviderType | undefined {
  if (req.template === IDPS && req.method === 'POST') {
    return isObj(req.body) && isType(req.body.type) ? req.body.type : undefined;
  }
  if (req.template === IDP && req.method === 'PATCH') {
    return ctx.idps.find(req.params.portalId ?? '', req.params.id ?? '')?.type;
  }
  return undefined;
}

/**
 * The framework's contract check refused a body. For an IdP write, report the config as Konnect
 * does (against its type's schema) instead of the oneOf's every branch.
 */
export function invalidRequest(
  ctx: KonnectContext,
  errors: ContractError[],
  req?: SandboxRequest,
): SandboxResponse {
  if (!req || !isObj(req.body) || !('config' in req.body)) return contractViolation(errors);
  const outside = errors.filter((e) => e.path !== '/config' && !e.path.startsWith('/config/'));
  const type = typeFor(ctx, req);
  const inside = type ? configErrors(ctx, type, req.body.config) : [];
  const untyped =
    req.method === 'POST' && req.body.type === undefined
      ? [{ path: '', message: "must have required property 'type'" }]
      : [];
  return contractViolation([...outside, ...untyped, ...inside]);
}

const queryProblem = (field: string, rule: 'is_number' | 'unknown_property'): InvalidParameter => ({
  field,
  rule,
  reason: rule === 'is_number' ? `"${field}" must be a number` : `"${field}" is not allowed`,
  source: 'query',
});

function pageOf(query: URLSearchParams): { size: number; number: number } | InvalidParameter[] {
  const problems: InvalidParameter[] = [];
  const read = (name: string, fallback: number) => {
    const raw = query.get(name);
    if (raw === null || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n)) problems.push(queryProblem(name, 'is_number'));
    // Below 1 is read as the default: a modelling choice, the document states no minimum.
    return Number.isInteger(n) && n >= 1 ? n : fallback;
  };
  const size = read('page[size]', PAGE_DEFAULT);
  const number = read('page[number]', 1);
  return problems.length > 0 ? problems : { size, number };
}

function listPortals(ctx: KonnectContext, req: SandboxRequest): SandboxResponse {
  const page = pageOf(req.query);
  const { filters, unknown } = filtersOf(req.query);
  const problems = [
    ...(Array.isArray(page) ? page : []),
    ...unknown.map((k) => queryProblem(k, 'unknown_property')),
  ];
  if (problems.length > 0 || Array.isArray(page)) return badRequest(problems);
  const grant = ctx.tokens.grantOf(req);
  // Roles decide what a list shows (assumption, as Kong's RBAC lists do): a token sees its portals only.
  const visible = ctx.portals
    .list()
    .filter((p) => grant !== undefined && ctx.tokens.canSee(grant, p.id) && matchesFilters(p, filters));
  const start = (page.number - 1) * page.size;
  return ok({
    data: visible.slice(start, start + page.size).map(renderPortal),
    meta: { page: { number: page.number, size: page.size, total: visible.length } },
  });
}

function patchPortal(ctx: KonnectContext, req: SandboxRequest): SandboxResponse {
  const current = ctx.portals.find(req.params.portalId ?? '');
  if (!current) return notFound();
  const body = isObj(req.body) ? req.body : {};
  const next: KonnectPortal = structuredClone(current);
  const writable: Obj = next as unknown as Obj;
  // readOnly fields in the body (id, default_domain, ...) are ignored, as the document marks them.
  for (const field of WRITABLE_FIELDS) if (field in body && field !== 'labels') writable[field] = body[field];
  if ('labels' in body) {
    // LabelsUpdate: null clears every label, a null value removes that one.
    const labels = isObj(body.labels) ? body.labels : null;
    const merged = Object.entries({ ...(current.labels ?? {}), ...(labels ?? {}) }).filter(
      ([, v]) => labels !== null && v !== null,
    );
    if (merged.length > 0) next.labels = Object.fromEntries(merged) as Record<string, string>;
    else delete next.labels;
  }
  const taken = ctx.portals.byName(next.name);
  // The document: "Name must be unique"; update-portal lists 409 Conflict.
  if (taken && taken.id !== next.id) return conflict(`A portal named "${next.name}" already exists`);
  next.updated_at = new Date().toISOString();
  return ok(renderPortal(ctx.portals.save(next)));
}

function enabledConflict(
  ctx: KonnectContext,
  portalId: string,
  enabling: boolean,
  self?: string,
): SandboxResponse | undefined {
  if (!enabling) return undefined;
  const active = ctx.idps.list(portalId).find((i) => i.enabled && i.id !== self);
  // Assumption (contracts/README.md): the document only says "Only one identity provider can be active at a time".
  return active
    ? conflict(
        `Only one identity provider can be active at a time: ${active.type} provider ${active.id} is enabled`,
      )
    : undefined;
}

function listIdentityProviders(ctx: KonnectContext, req: SandboxRequest): SandboxResponse {
  const portalId = req.params.portalId ?? '';
  if (!ctx.portals.find(portalId)) return { ...notFound(), undocumented: UNKNOWN_PORTAL_UNDOCUMENTED };
  const unknown = [...req.query.keys()].filter((k) => k.startsWith('filter[') && k !== 'filter[type][eq]');
  if (unknown.length > 0) return badRequest(unknown.map((k) => queryProblem(k, 'unknown_property')));
  const type = req.query.get('filter[type][eq]');
  const idps = ctx.idps.list(portalId).filter((i) => type === null || i.type === type);
  // A bare array: the document's PortalIdentityProviders is `type: array`, no data/meta.
  return ok(idps.map(renderIdentityProvider));
}

function createIdentityProvider(ctx: KonnectContext, req: SandboxRequest): SandboxResponse {
  const portalId = req.params.portalId ?? '';
  if (!ctx.portals.find(portalId)) return { ...notFound(), undocumented: UNKNOWN_PORTAL_UNDOCUMENTED };
  const body = isObj(req.body) ? req.body : {};
  // The document requires nothing here; kongctl's adapter requires type and config (RequiredFields).
  const missing: InvalidParameter[] = ['type', 'config']
    .filter((f) => body[f] === undefined)
    .map((field) => ({ field, rule: 'required', reason: `${field} is required`, source: 'body' }));
  if (missing.length > 0) return badRequest(missing);
  const type = body.type as IdentityProviderType; // the contract check admitted only oidc | saml
  const invalid = configErrors(ctx, type, body.config);
  if (invalid.length > 0) return contractViolation(invalid);
  const sameType = ctx.idps.list(portalId).find((i) => i.type === type);
  // Assumption (contracts/README.md): one provider of each type per portal.
  if (sameType) return conflict(`This portal already has an ${type} identity provider (${sameType.id})`);
  // kongctl#1780: production now accepts `enabled` on create.
  const enabled = body.enabled === true;
  const busy = enabledConflict(ctx, portalId, enabled);
  if (busy) return busy;
  const idp = newIdentityProvider(type, body.config as Obj, enabled);
  return ok(renderIdentityProvider(ctx.idps.save(portalId, idp)), 201);
}

function identityProviderOf(
  ctx: KonnectContext,
  req: SandboxRequest,
): StoredIdentityProvider | SandboxResponse {
  const portalId = req.params.portalId ?? '';
  if (!ctx.portals.find(portalId)) return notFound();
  return ctx.idps.find(portalId, req.params.id ?? '') ?? notFound();
}

const isAnswer = (v: StoredIdentityProvider | SandboxResponse): v is SandboxResponse => 'status' in v;

function patchIdentityProvider(ctx: KonnectContext, req: SandboxRequest): SandboxResponse {
  const found = identityProviderOf(ctx, req);
  if (isAnswer(found)) return found;
  const portalId = req.params.portalId ?? '';
  const body = isObj(req.body) ? req.body : {};
  const next = structuredClone(found);
  if (body.config !== undefined) {
    const invalid = configErrors(ctx, found.type, body.config);
    if (invalid.length > 0) return contractViolation(invalid);
    // Assumption: given keys replace the stored ones, others (e.g. a client_secret not sent again) stay.
    next.config = { ...next.config, ...structuredClone(body.config as Obj) };
  }
  if (typeof body.enabled === 'boolean') {
    const busy = enabledConflict(ctx, portalId, body.enabled, found.id);
    if (busy) return busy;
    next.enabled = body.enabled;
  }
  next.updated_at = new Date().toISOString();
  return ok(renderIdentityProvider(ctx.idps.save(portalId, next)));
}

export function konnectRoutes(ctx: KonnectContext): Route[] {
  const routes: Array<Omit<Route, 'contractTemplate'>> = [
    { method: 'GET', template: PORTALS, handler: (req) => listPortals(ctx, req) },
    {
      method: 'GET',
      template: PORTAL,
      handler: (req) => {
        const portal = ctx.portals.find(req.params.portalId ?? '');
        return portal ? ok(renderPortal(portal)) : notFound();
      },
    },
    { method: 'PATCH', template: PORTAL, handler: (req) => patchPortal(ctx, req) },
    { method: 'GET', template: IDPS, handler: (req) => listIdentityProviders(ctx, req) },
    { method: 'POST', template: IDPS, handler: (req) => createIdentityProvider(ctx, req) },
    {
      method: 'GET',
      template: IDP,
      handler: (req) => {
        const found = identityProviderOf(ctx, req);
        return isAnswer(found) ? found : ok(renderIdentityProvider(found));
      },
    },
    { method: 'PATCH', template: IDP, handler: (req) => patchIdentityProvider(ctx, req) },
    {
      method: 'DELETE',
      template: IDP,
      handler: (req) => {
        const found = identityProviderOf(ctx, req);
        if (isAnswer(found)) return found;
        ctx.idps.remove(req.params.portalId ?? '', found.id);
        return { status: 204 };
      },
    },
  ];
  return routes.map((r) => ({ ...r, contractTemplate: documentTemplate(r.template) }));
}

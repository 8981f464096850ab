/**
 * The Admin API operations the provisioner uses: node info (`/<workspace>/kong`) and the workspace
 * entity. Authentication, the workspace prefix and RBAC run first (see `authenticate`), then the
 * framework's contract check, then these handlers with Kong's own schema rules.
 */
import type { Route, SandboxRequest, SandboxResponse } from '../http-sandbox';
import { notFound, kongMessage, schemaViolation, uniqueViolation, type FieldViolation } from './errors';
import { nodeInfo, type NodeConfiguration } from './node-info';
import type { RbacTokens } from './rbac';
import {
  configViolations,
  mergeConfig,
  mergeMeta,
  nameViolations,
  newWorkspace,
  renderWorkspace,
  unknownFields,
  type Workspace,
  type WorkspaceStore,
} from './workspaces';

export interface KongContext {
  store: WorkspaceStore;
  rbac: RbacTokens;
  node(): NodeConfiguration;
  nodeId: string;
}

export const WORKSPACE = '/workspaces/{workspace_id_or_name}';
export const WORKSPACES = '/workspaces';
export const NODE_INFO = '/{workspace}/kong';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ok = (body: unknown): SandboxResponse => ({ status: 200, body });

/**
 * Kong's order: an invalid token is 401 whatever the path; an unknown workspace prefix is 404 before
 * any permission check; then RBAC decides 403. Runs before the contract check, as Kong's `before` filter does.
 */
export function authenticate(ctx: KongContext, req: SandboxRequest): SandboxResponse | undefined {
  const invalid = ctx.rbac.authenticate(req);
  if (invalid) return invalid;
  if (req.template === NODE_INFO) {
    const ws = ctx.store.find(req.params.workspace ?? '');
    // The prefix is a workspace *name*; ids are not accepted there.
    if (!ws || ws.name !== req.params.workspace) return notFound();
    return ctx.rbac.authorize(req, ws.name);
  }
  if (req.template === '/' || req.template === '/kong') return ctx.rbac.authorize(req, 'default');
  if (req.template === WORKSPACE) {
    const target = req.params.workspace_id_or_name ?? '';
    return ctx.rbac.authorize(req, ctx.store.find(target)?.name ?? target);
  }
  if (req.template === WORKSPACES && req.method === 'POST') {
    const name = isObj(req.body) && typeof req.body.name === 'string' ? req.body.name : undefined;
    return ctx.rbac.authorize(req, name);
  }
  return ctx.rbac.authorize(req, undefined);
}

/** Uniqueness is checked after the schema, as Kong's DAO does (a bad entity is 400 even if its name is taken). */
function conflict(ctx: KongContext, workspace: Workspace): SandboxResponse | undefined {
  const other = ctx.store.find(workspace.name);
  return other && other.id !== workspace.id ? uniqueViolation('name', workspace.name) : undefined;
}

function fail(violations: FieldViolation[]): SandboxResponse | undefined {
  return violations.length > 0 ? schemaViolation(violations) : undefined;
}

function listWorkspaces(ctx: KongContext, req: SandboxRequest): SandboxResponse {
  const visible = ctx.store.list().filter((w) => ctx.rbac.canSee(req, w.name));
  const size = Number(req.query.get('size') ?? 100);
  if (!Number.isInteger(size) || size < 1 || size > 1000) {
    return schemaViolation([{ path: ['size'], reason: 'must be an integer between 1 and 1000' }]);
  }
  // Kong's offsets are opaque; an index in base64 is enough to page a list that fits in memory.
  const start = Number(Buffer.from(req.query.get('offset') ?? '', 'base64').toString('utf8') || '0');
  if (!Number.isInteger(start) || start < 0) return kongMessage(400, 'invalid offset');
  const page = visible.slice(start, start + size);
  const more = start + size < visible.length;
  const offset = more ? Buffer.from(String(start + size)).toString('base64') : undefined;
  return ok({
    data: page.map(renderWorkspace),
    next: offset ? `/workspaces?offset=${encodeURIComponent(offset)}&size=${size}` : null,
    ...(offset ? { offset } : {}),
  });
}

function createWorkspace(ctx: KongContext, req: SandboxRequest): SandboxResponse {
  const body = isObj(req.body) ? req.body : {};
  const requested = isObj(body.config) ? body.config : {};
  const names = nameViolations(body.name);
  const workspace = newWorkspace(typeof body.name === 'string' ? body.name : '', {
    comment: typeof body.comment === 'string' ? body.comment : undefined,
    config: requested,
    meta: isObj(body.meta) ? body.meta : undefined,
  });
  const invalid = fail([
    ...unknownFields(body),
    ...names,
    ...configViolations(workspace.config, requested, ctx.node().portal === true),
  ]);
  if (invalid) return invalid;
  const taken = conflict(ctx, workspace);
  if (taken) return taken;
  // 201 as Kong sends it; the vendored contract carries that correction (scripts/trim-contracts.ts).
  return { status: 201, body: renderWorkspace(ctx.store.save(workspace)) };
}

function patchWorkspace(ctx: KongContext, req: SandboxRequest): SandboxResponse {
  const current = ctx.store.find(req.params.workspace_id_or_name ?? '');
  if (!current) return notFound();
  const body = isObj(req.body) ? req.body : {};
  const requested = isObj(body.config) ? body.config : {};
  const next: Workspace = {
    ...current,
    ...(typeof body.name === 'string' ? { name: body.name } : {}),
    config: mergeConfig(current.config, requested),
    meta: mergeMeta(current.meta, isObj(body.meta) ? body.meta : {}),
  };
  if (body.comment === null) delete next.comment;
  else if (typeof body.comment === 'string') next.comment = body.comment;
  const invalid = fail([
    ...unknownFields(body),
    ...(body.name === undefined ? [] : nameViolations(body.name)),
    ...configViolations(next.config, requested, ctx.node().portal === true),
  ]);
  if (invalid) return invalid;
  const taken = conflict(ctx, next);
  if (taken) return taken;
  return ok(renderWorkspace(ctx.store.save(next)));
}

/** PUT replaces the whole entity (unset fields take their defaults) or creates it under the given name/id. */
function putWorkspace(ctx: KongContext, req: SandboxRequest): SandboxResponse {
  const key = req.params.workspace_id_or_name ?? '';
  const current = ctx.store.find(key);
  const body = isObj(req.body) ? req.body : {};
  const requested = isObj(body.config) ? body.config : {};
  const keyIsId = UUID.test(key);
  const name = typeof body.name === 'string' ? body.name : keyIsId ? current?.name : key;
  const violations = [...unknownFields(body), ...nameViolations(name)];
  if (!keyIsId && body.name !== undefined && body.name !== key) {
    violations.push({ path: ['name'], reason: 'must match the name in the URL' });
  }
  const fresh = newWorkspace(name ?? '', {
    comment: typeof body.comment === 'string' ? body.comment : undefined,
    config: requested,
    meta: isObj(body.meta) ? body.meta : undefined,
  });
  const workspace: Workspace = {
    ...fresh,
    id: current?.id ?? (keyIsId ? key : fresh.id),
    created_at: current?.created_at ?? fresh.created_at,
  };
  const invalid = fail([
    ...violations,
    ...configViolations(workspace.config, requested, ctx.node().portal === true),
  ]);
  if (invalid) return invalid;
  const taken = conflict(ctx, workspace);
  if (taken) return taken;
  return ok(renderWorkspace(ctx.store.save(workspace)));
}

function deleteWorkspace(ctx: KongContext, req: SandboxRequest): SandboxResponse {
  const current = ctx.store.find(req.params.workspace_id_or_name ?? '');
  if (!current) return { status: 204 }; // Kong: deleting what is not there succeeds
  if (current.name === 'default') {
    return {
      ...kongMessage(400, 'Cannot delete default workspace'),
      undocumented: 'Kong protects the default workspace; the document lists only 204',
    };
  }
  ctx.store.remove(current.id);
  return { status: 204 };
}

export function kongRoutes(ctx: KongContext): Route[] {
  const info = () => ok(nodeInfo(ctx.node(), ctx.nodeId));
  return [
    // Workspace routes first: on a tie ("/workspaces/kong") the framework takes the first registered.
    { method: 'GET', template: WORKSPACES, handler: (req) => listWorkspaces(ctx, req) },
    { method: 'POST', template: WORKSPACES, handler: (req) => createWorkspace(ctx, req) },
    {
      method: 'GET',
      template: WORKSPACE,
      handler: (req) => {
        const ws = ctx.store.find(req.params.workspace_id_or_name ?? '');
        return ws ? ok(renderWorkspace(ws)) : notFound();
      },
    },
    { method: 'PATCH', template: WORKSPACE, handler: (req) => patchWorkspace(ctx, req) },
    { method: 'PUT', template: WORKSPACE, handler: (req) => putWorkspace(ctx, req) },
    { method: 'DELETE', template: WORKSPACE, handler: (req) => deleteWorkspace(ctx, req) },
    // Node info: `/` is the document's operation; `/kong` and `/<ws>/kong` are Kong EE's aliases for it.
    { method: 'GET', template: '/', contractTemplate: '/', handler: info },
    { method: 'GET', template: '/kong', contractTemplate: '/', handler: info },
    { method: 'GET', template: NODE_INFO, contractTemplate: '/', handler: info },
  ];
}

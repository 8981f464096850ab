/**
 * Workspace entities and the checks Kong's own schema makes beyond the OpenAPI document
 * (which only knows field types): unknown fields, name format, `portal_auth` values, the
 * JSON-in-a-string `portal_auth_conf`, and the node-wide `portal = on` prerequisite.
 */
import { randomUUID } from 'node:crypto';
import type { FieldViolation } from './errors';

export interface WorkspaceConfig {
  portal: boolean;
  meta?: Record<string, unknown>;
  portal_access_request_email?: boolean;
  portal_application_request_email?: boolean;
  portal_application_status_email?: boolean;
  portal_approved_email?: boolean;
  portal_auth?: string;
  /** A JSON-encoded object (the auth plugin's config), not an object. */
  portal_auth_conf?: string;
  portal_auto_approve?: boolean;
  portal_cors_origins?: string[];
  portal_developer_meta_fields?: string;
  portal_emails_from?: string;
  portal_emails_reply_to?: string;
  portal_invite_email?: boolean;
  portal_is_legacy?: boolean;
  portal_reset_email?: boolean;
  portal_reset_success_email?: boolean;
  portal_session_conf?: string;
  portal_smtp_admin_emails?: string[];
  portal_token_exp?: number;
}

export interface Workspace {
  id: string;
  name: string;
  comment?: string;
  created_at: number;
  config: WorkspaceConfig;
  meta: { color?: string; thumbnail?: string };
}

const CONFIG_KEYS: ReadonlySet<string> = new Set<keyof WorkspaceConfig>([
  'portal',
  'meta',
  'portal_access_request_email',
  'portal_application_request_email',
  'portal_application_status_email',
  'portal_approved_email',
  'portal_auth',
  'portal_auth_conf',
  'portal_auto_approve',
  'portal_cors_origins',
  'portal_developer_meta_fields',
  'portal_emails_from',
  'portal_emails_reply_to',
  'portal_invite_email',
  'portal_is_legacy',
  'portal_reset_email',
  'portal_reset_success_email',
  'portal_session_conf',
  'portal_smtp_admin_emails',
  'portal_token_exp',
]);
const ENTITY_KEYS: ReadonlySet<string> = new Set(['id', 'name', 'comment', 'created_at', 'config', 'meta']);
const META_KEYS: ReadonlySet<string> = new Set(['color', 'thumbnail']);

export const PORTAL_AUTH_TYPES = ['basic-auth', 'key-auth', 'openid-connect'] as const;
const DEFAULT_DEVELOPER_META_FIELDS =
  '[{"label":"Full Name","title":"full_name","validator":{"required":true,"type":"string"}}]';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Storage keeps unset fields absent; `null` in a write means "unset". */
function withoutNulls<T extends Obj>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as T;
}

export function newWorkspace(
  name: string,
  fields: { comment?: string; config?: Obj; meta?: Obj } = {},
): Workspace {
  const config = withoutNulls({
    portal: false,
    portal_developer_meta_fields: DEFAULT_DEVELOPER_META_FIELDS,
    ...fields.config,
  });
  return {
    id: randomUUID(),
    name,
    ...(fields.comment === undefined ? {} : { comment: fields.comment }),
    created_at: Math.floor(Date.now() / 1000),
    config: config as unknown as WorkspaceConfig,
    meta: withoutNulls(fields.meta ?? {}),
  };
}

/**
 * PATCH semantics of Kong records: given keys replace stored ones, `null` unsets a key,
 * everything else stays as it was.
 */
export function mergeConfig(stored: WorkspaceConfig, patch: Obj): WorkspaceConfig {
  const merged: Obj = { ...structuredClone(stored), ...structuredClone(patch) };
  return withoutNulls(merged) as unknown as WorkspaceConfig;
}

export function mergeMeta(stored: Workspace['meta'], patch: Obj): Workspace['meta'] {
  return withoutNulls({ ...stored, ...patch });
}

/**
 * A workspace as the Admin API shows it: Kong renders every unset config field as null (the sandbox
 * stores them absent, so its typed state stays null-free). Clients must cope with those nulls.
 */
export function renderWorkspace(workspace: Workspace): Obj {
  const nulls = Object.fromEntries([...CONFIG_KEYS].map((key) => [key, null]));
  return { ...workspace, config: { ...nulls, ...workspace.config } };
}

/** Fields Kong's schema does not know are rejected, at the top level and inside config/meta. */
export function unknownFields(body: Obj): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const key of Object.keys(body))
    if (!ENTITY_KEYS.has(key)) out.push({ path: [key], reason: 'unknown field' });
  for (const [section, known] of [
    ['config', CONFIG_KEYS],
    ['meta', META_KEYS],
  ] as const) {
    const value = body[section];
    if (!isObj(value)) continue;
    for (const key of Object.keys(value))
      if (!known.has(key)) out.push({ path: [section, key], reason: 'unknown field' });
  }
  return out;
}

export function nameViolations(name: unknown): FieldViolation[] {
  if (name === undefined || name === null || name === '')
    return [{ path: ['name'], reason: 'required field missing' }];
  if (typeof name !== 'string') return [{ path: ['name'], reason: 'expected a string' }];
  if (!/^[A-Za-z0-9._~-]+$/.test(name)) {
    return [{ path: ['name'], reason: "must only contain alphanumeric and '., -, _, ~' characters" }];
  }
  return [];
}

const stringOrStrings = (v: unknown) =>
  typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));

/** The openid-connect plugin fields the portal needs, with the types the plugin accepts for each. */
const OIDC_FIELDS: Array<{ key: string; required: boolean; ok: (v: unknown) => boolean; expected: string }> =
  [
    {
      key: 'issuer',
      required: true,
      ok: (v) => typeof v === 'string' && /^https?:\/\//.test(v),
      expected: 'expected a URL string',
    },
    ...['client_id', 'client_secret', 'redirect_uri'].map((key) => ({
      key,
      required: true,
      ok: stringOrStrings,
      expected: 'expected a string or an array of strings',
    })),
    ...[
      'login_redirect_uri',
      'logout_redirect_uri',
      'forbidden_redirect_uri',
      'consumer_claim',
      'consumer_by',
      'scopes',
      'logout_methods',
    ].map((key) => ({
      key,
      required: false,
      ok: stringOrStrings,
      expected: 'expected a string or an array of strings',
    })),
    { key: 'leeway', required: false, ok: (v) => typeof v === 'number', expected: 'expected a number' },
    { key: 'ssl_verify', required: false, ok: (v) => typeof v === 'boolean', expected: 'expected a boolean' },
    {
      key: 'logout_query_arg',
      required: false,
      ok: (v) => typeof v === 'string',
      expected: 'expected a string',
    },
    {
      key: 'login_action',
      required: false,
      ok: (v) => v === 'upstream' || v === 'response' || v === 'redirect',
      expected: 'expected one of: upstream, response, redirect',
    },
    {
      key: 'login_redirect_mode',
      required: false,
      ok: (v) => v === 'query' || v === 'fragment' || v === 'form_post',
      expected: 'expected one of: query, fragment, form_post',
    },
  ];

/** Parses a JSON-in-a-string config value; a reason when it is not a JSON object. */
function parseJsonObject(raw: string): Obj | string {
  try {
    const value: unknown = JSON.parse(raw);
    return isObj(value) ? value : 'expected a JSON-encoded object';
  } catch (err) {
    return `invalid JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function authConfViolations(auth: string | undefined, rawConf: string | undefined): FieldViolation[] {
  const at = ['config', 'portal_auth_conf'];
  if (rawConf === undefined || rawConf === '') {
    return auth === 'openid-connect'
      ? [{ path: at, reason: 'required when portal_auth is openid-connect' }]
      : [];
  }
  const conf = parseJsonObject(rawConf);
  if (typeof conf === 'string') return [{ path: at, reason: conf }];
  if (auth !== 'openid-connect') return [];
  const problems = OIDC_FIELDS.flatMap(({ key, required, ok, expected }) => {
    const value = conf[key];
    if (value === undefined || value === null) return required ? [`${key}: required field missing`] : [];
    return ok(value) ? [] : [`${key}: ${expected}`];
  });
  return problems.length > 0 ? [{ path: at, reason: problems.join('; ') }] : [];
}

/**
 * Checks a workspace config as it would be stored after the write (`merged`), plus the rules that only
 * apply to what this request sets (`requested`). `nodePortal` is kong.conf's `portal`.
 */
export function configViolations(
  merged: WorkspaceConfig,
  requested: Obj,
  nodePortal: boolean,
): FieldViolation[] {
  const out: FieldViolation[] = [];
  if (requested.portal === true && !nodePortal) {
    out.push({
      path: ['config', 'portal'],
      reason: 'the Dev Portal is disabled in kong.conf (portal = off); set portal = on on the node first',
    });
  }
  const auth = merged.portal_auth;
  if (auth !== undefined && auth !== '' && !(PORTAL_AUTH_TYPES as readonly string[]).includes(auth)) {
    out.push({ path: ['config', 'portal_auth'], reason: `expected one of: ${PORTAL_AUTH_TYPES.join(', ')}` });
  }
  out.push(...authConfViolations(auth, merged.portal_auth_conf));
  if (merged.portal_session_conf !== undefined) {
    const session = parseJsonObject(merged.portal_session_conf);
    if (typeof session === 'string') out.push({ path: ['config', 'portal_session_conf'], reason: session });
  }
  return out;
}

/** Workspaces by id, in creation order (Kong's list order is by primary key; stable is what tests need). */
export class WorkspaceStore {
  private readonly byId = new Map<string, Workspace>();

  /** Kong's `{workspace_id_or_name}`: an id first, then a name. */
  find(idOrName: string): Workspace | undefined {
    return this.byId.get(idOrName) ?? [...this.byId.values()].find((w) => w.name === idOrName);
  }

  list(): Workspace[] {
    return [...this.byId.values()];
  }

  save(workspace: Workspace): Workspace {
    this.byId.set(workspace.id, workspace);
    return workspace;
  }

  remove(id: string): void {
    this.byId.delete(id);
  }

  clear(): void {
    this.byId.clear();
  }
}

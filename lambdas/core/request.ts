/**
 * The provisioning request: what a user (or a ticket) asks for, validated before anything runs.
 * Limits mirror the vendors' own (Kong workspace names, Okta token lifetimes) so a request that
 * passes here is not rejected half-way through by Okta or Kong.
 */
import * as z from 'zod';
import {
  KONNECT_KEY_PREFIX,
  konnectKey,
  PORTAL_TARGETS,
  portalRefOf,
  type PortalTargetKind,
} from './portal-target';
import { ValidationError, type FieldIssue } from './errors';
import { resourceName } from './naming';

/** Kong refuses these as workspace names (they collide with Admin API routes). */
export const RESERVED_WORKSPACE_NAMES = new Set([
  'admins',
  'applications',
  'application_instances',
  'audit_objects',
  'audit_requests',
  'ca_certificates',
  'certificates',
  'clustering_data_planes',
  'consumer_group_consumers',
  'consumer_group_plugins',
  'consumer_groups',
  'consumer_reset_secrets',
  'consumers',
  'credentials',
  'developers',
  'document_objects',
  'event_hooks',
  'filter_chains',
  'files',
  'group_rbac_roles',
  'groups',
  'key_sets',
  'keyring_keys',
  'keyring_meta',
  'keys',
  'licenses',
  'legacy_files',
  'login_attempts',
  'parameters',
  'plugins',
  'rbac_role_endpoints',
  'rbac_role_entities',
  'rbac_roles',
  'rbac_user_groups',
  'rbac_user_roles',
  'rbac_users',
  'routes',
  'services',
  'snis',
  'tags',
  'targets',
  'upstreams',
  'vaults',
  'workspaces',
  'workspace_entity_counters',
]);

/**
 * Names Okta refuses for a custom ID-token claim (the provisioner's claim is one), so a request
 * that would fail at CreateClaim - after the app and the server exist - is refused up front.
 * Okta support, "OIDC Bearer Tokens: List of Reserved Claims": the ID-token table and the
 * both-tokens table verbatim; `exp` and `iat`, set in every token; and the scope-dependent
 * standard claims (OpenID Connect Core 5.4) the article says "can not be used as well". Names
 * reserved only in access tokens (`groups`, `acr`, ...) are allowed here.
 */
export const RESERVED_ID_TOKEN_CLAIMS: ReadonlySet<string> = new Set(
  (
    'iss jti token_type ver exp iat ' +
    'active aid aud app_id app_type at_hash auth_time client_id client_ip client_req_id client_type ' +
    'client_user_agent cnf c_hash device_compliance device_id device_known device_managed device_name ' +
    'device_trust did dst group hotk idp idp_iss mac_key may_act nonce oid okta_emailVerified ' +
    'okta_lastUpdated orig permissions purpose pwd_exp_days pwd_exp_time rid role scope scopes sid sub term ' +
    'user_ip name family_name given_name middle_name nickname preferred_username profile picture website ' +
    'gender birthdate zoneinfo locale updated_at email email_verified address phone_number phone_number_verified'
  ).split(' '),
);

export const OKTA_LIMITS = {
  accessTokenMinutes: { min: 5, max: 1440 },
  refreshTokenWindowMinutes: { min: 10, max: 2_628_000 },
} as const;

export const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

const workspace = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  // Kong allows alphanumerics and . - _ ~ (plus non-ASCII, which we refuse: the name is carried
  // into Okta labels, URLs and Secrets Manager names, where non-ASCII is not safe).
  .regex(
    /^[A-Za-z0-9._~-]+$/,
    "may contain only letters, digits and '.', '-', '_', '~' (Kong's workspace name rule, ASCII only)",
  )
  .refine(
    (name) => name !== '.' && name !== '..',
    "must not be '.' or '..' (a URL path would read it as this or the parent directory)",
  )
  .refine((name) => !RESERVED_WORKSPACE_NAMES.has(name), 'is a name Kong reserves for its own entities');

const environment = z
  .string({ error: 'must be a string' })
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/,
    'must be 1-20 lowercase letters, digits or inner hyphens (e.g. dev, prod)',
  );

const oktaGroup = z
  .string({ error: 'must be a group name or id' })
  .trim()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters');

const emailAttribute = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,99}$/, 'must be an Okta user profile attribute name (e.g. login, email)');

const claimName = z
  .string({ error: 'must be a string' })
  .regex(
    /^[A-Za-z0-9_.:-]{1,100}$/,
    "may contain only letters, digits and '.', '_', ':', '-' (1-100 characters)",
  )
  .refine((name) => !RESERVED_ID_TOKEN_CLAIMS.has(name), 'is a claim name Okta reserves for ID tokens');

const minutes = (limits: { min: number; max: number }, what: string) =>
  z
    .number({ error: 'must be a number of minutes' })
    .int('must be a whole number of minutes')
    .min(limits.min, `must be between ${limits.min} and ${limits.max} minutes (Okta's ${what} limit)`)
    .max(limits.max, `must be between ${limits.min} and ${limits.max} minutes (Okta's ${what} limit)`);

const tokenLifetimes = z
  .strictObject({
    accessTokenMinutes: minutes(OKTA_LIMITS.accessTokenMinutes, 'access token lifetime').default(60),
    refreshTokenWindowMinutes: minutes(OKTA_LIMITS.refreshTokenWindowMinutes, 'refresh token window').default(
      10_080,
    ),
  })
  .refine((t) => t.refreshTokenWindowMinutes >= t.accessTokenMinutes, {
    message: 'must not be shorter than accessTokenMinutes',
    path: ['refreshTokenWindowMinutes'],
  });

const scope = z.string().regex(/^[A-Za-z0-9_.:/-]{1,100}$/, 'must be an OAuth scope name');

/** Whether a (possibly invalid) body asks for a Konnect portal: `target`, or a `portal` without one. */
function isKonnect(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const target = 'target' in body ? body.target : undefined;
  if (target !== undefined) return target === 'konnect';
  // A `konnect.` key alone is not enough: a parsed request names its target.
  return 'portal' in body && body.portal !== undefined;
}

const isKonnectKey = (workspace: unknown): boolean =>
  typeof workspace === 'string' && workspace.startsWith(KONNECT_KEY_PREFIX);

/** A Konnect portal by id (a UUID) or by name; the name becomes part of the request's key. */
const konnectPortal = z
  .string({ error: 'must be a Konnect portal id or name' })
  .min(1, 'must not be empty')
  // The key `konnect.<portal>` must fit a 100-character workspace name.
  .max(92, 'must be at most 92 characters (give a portal with a longer name by its id)')
  .regex(
    /^[A-Za-z0-9._~-]+$/,
    "may contain only letters, digits and '.', '-', '_', '~': give a portal whose name has other characters by its id",
  );

export const provisioningRequestSchema = z
  .strictObject({
    target: z.enum(PORTAL_TARGETS, { error: `must be one of ${PORTAL_TARGETS.join(', ')}` }).optional(),
    /** Konnect only: the portal's id or name. */
    portal: konnectPortal.optional(),
    workspace: workspace.optional(),
    environment,
    oktaGroups: z
      .array(oktaGroup, { error: 'must be a list of Okta group names or ids' })
      .min(1, 'must name at least one Okta group')
      .max(20, 'must name at most 20 groups')
      .refine((groups) => new Set(groups).size === groups.length, 'must not repeat a group'),
    emailAttribute: emailAttribute.default('login'),
    claimName: claimName.optional(),
    audience: z.string().min(1, 'must not be empty').max(512, 'must be at most 512 characters').optional(),
    scopes: z
      .array(scope)
      .min(1)
      .refine((s) => s.includes('openid'), "must include 'openid'")
      .refine((s) => new Set(s).size === s.length, 'must not repeat a scope')
      .default([...DEFAULT_SCOPES]),
    autoApprove: z.boolean({ error: 'must be true or false' }).default(false),
    sslVerify: z.boolean({ error: 'must be true or false' }).default(true),
    tokenLifetimes: tokenLifetimes.default({ accessTokenMinutes: 60, refreshTokenWindowMinutes: 10_080 }),
    requestedBy: z.string({ error: 'must say who asked' }).trim().min(1, 'must say who asked').max(256),
    idempotencyKey: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, - or _')
      .optional(),
    dryRun: z.boolean({ error: 'must be true or false' }).default(false),
  })
  // Reported beside every other field's issue (a refinement alone runs only on an otherwise valid body).
  .refine((r) => !isKonnect(r) || r.portal !== undefined || isKonnectKey(r.workspace), {
    path: ['portal'],
    message: 'is required for target konnect',
    when: () => true,
  })
  .refine((r) => isKonnect(r) || r.workspace !== undefined, {
    path: ['workspace'],
    message: 'is required',
    when: () => true,
  })
  .superRefine((r, ctx) => {
    if (isKonnect(r)) {
      // The key itself (`konnect.<portal>`, as a parsed request carries it) names the portal too.
      const sameKey = r.portal === undefined || r.workspace === konnectKey(r.portal);
      if (r.workspace !== undefined && !(isKonnectKey(r.workspace) && sameKey))
        ctx.addIssue({
          code: 'custom',
          path: ['workspace'],
          message: "is for a Kong workspace portal; a Konnect portal is named by 'portal'",
        });
      // Konnect's OIDC identity provider has no TLS verification switch: it always verifies.
      if (!r.sslVerify)
        ctx.addIssue({
          code: 'custom',
          path: ['sslVerify'],
          message:
            "cannot be false for target konnect: Konnect's identity provider always verifies the issuer's certificate",
        });
    } else {
      if (r.portal !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['portal'],
          message: "is for target konnect; a Kong workspace portal is named by 'workspace'",
        });
      if (isKonnectKey(r.workspace))
        ctx.addIssue({
          code: 'custom',
          path: ['workspace'],
          message: `must not start with '${KONNECT_KEY_PREFIX}' (that prefix names Konnect portals)`,
        });
    }
  })
  .transform(({ portal, target: _target, workspace: ws, ...r }) => {
    // The request's key: the lock, the resource names' scope, the teardown path.
    const key = portal ? konnectKey(portal) : (ws ?? '');
    return {
      ...r,
      workspace: key,
      target: portalRefOf(key).kind,
      claimName: r.claimName ?? `user.${r.emailAttribute}`,
      audience: r.audience ?? `api://${resourceName({ environment: r.environment, workspace: key })}`,
    };
  });

export type ProvisioningRequestInput = z.input<typeof provisioningRequestSchema>;
export type ProvisioningRequest = z.output<typeof provisioningRequestSchema>;

function valueAt(body: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function issuesOf(error: z.ZodError, body: unknown): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    const field = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: field ? `${field}.${key}` : key,
        reason: 'is not a known field',
      }));
    }
    if (issue.code === 'invalid_type' && valueAt(body, issue.path) === undefined) {
      return [{ field, reason: 'is required' }];
    }
    return [{ field, reason: issue.message }];
  });
}

/** One reason per field: the first check that failed is the one worth reading. */
function firstIssuePerField(issues: FieldIssue[]): FieldIssue[] {
  const byField = new Map<string, FieldIssue>();
  for (const issue of issues) if (!byField.has(issue.field)) byField.set(issue.field, issue);
  return [...byField.values()];
}

export interface RequestDefaults {
  /** The environment a request that names none is for (a deployment serves exactly one). */
  environment?: string;
  /** Who asked, when the body does not say: the authenticated caller. */
  requestedBy?: string;
}

function withDefaults(body: object, defaults: RequestDefaults): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...body };
  if (fields.environment === undefined && defaults.environment !== undefined)
    fields.environment = defaults.environment;
  if (fields.requestedBy === undefined && defaults.requestedBy !== undefined)
    fields.requestedBy = defaults.requestedBy;
  return fields;
}

/** Parses a request body; throws a ValidationError naming every offending field. */
export function parseProvisioningRequest(body: unknown, defaults: RequestDefaults = {}): ProvisioningRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw ValidationError.of([{ field: '', reason: 'the request body must be a JSON object' }]);
  }
  const fields = withDefaults(body, defaults);
  const result = provisioningRequestSchema.safeParse(fields);
  if (!result.success) throw ValidationError.of(firstIssuePerField(issuesOf(result.error, fields)));
  return result.data;
}

/** Tearing down a workspace portal: which one, and who asked. */
export const teardownRequestSchema = z.strictObject({
  workspace,
  environment,
  requestedBy: z.string({ error: 'must say who asked' }).trim().min(1, 'must say who asked').max(256),
});

export type TeardownRequest = z.output<typeof teardownRequestSchema>;

export function parseTeardownRequest(body: unknown, defaults: RequestDefaults = {}): TeardownRequest {
  const fields = typeof body === 'object' && body !== null ? withDefaults(body, defaults) : body;
  const result = teardownRequestSchema.safeParse(fields);
  if (!result.success) throw ValidationError.of(firstIssuePerField(issuesOf(result.error, fields)));
  return result.data;
}

/**
 * A deployment serves the portal products it is configured for: a Konnect request where no Konnect
 * API and token are configured is refused up front, not half-way at ResolvePortal.
 */
export function assertServedTarget(
  target: PortalTargetKind,
  served: readonly PortalTargetKind[] | undefined,
): void {
  if (served && !served.includes(target)) {
    throw ValidationError.of([
      {
        field: 'target',
        reason:
          target === 'konnect'
            ? 'this deployment serves no Konnect portals (its stack sets no konnectApiUrl and konnectTokenSecretName)'
            : `this deployment does not serve target ${target}`,
      },
    ]);
  }
}

/**
 * A deployment serves one environment: its IAM only reaches that environment's secrets, so a
 * request for another is refused up front rather than failing half-way on AccessDenied.
 */
export function assertServedEnvironment(environment: string, served: string | undefined): void {
  if (served && environment !== served) {
    throw ValidationError.of([
      { field: 'environment', reason: `this deployment serves environment '${served}' only` },
    ]);
  }
}

/**
 * Okta Management API, through the official SDK. Every `ensure*` is find-or-create by a
 * deterministic name and reports `created`; every `remove*` only removes what the given request
 * owns and treats "already gone" as done. Retries are not done here: the SDK's 429 retry is off
 * and Step Functions is the single retry owner (errors carry the class and the reset time).
 */
import * as okta from '@okta/okta-sdk-nodejs';
import {
  ConflictError,
  PermanentError,
  ValidationError,
  type FieldIssue,
  type ProvisionerError,
} from '../core/errors';
import {
  describeWithMarker,
  ownershipOf,
  requestIdFromDescription,
  requestIdFromProfile,
  type Ownership,
} from '../core/naming';
import { isNetworkCode, toProvisionerError } from './http-errors';
import { logger } from './logger';

export interface OktaConfig {
  orgUrl: string;
  token: string;
  /** Per-request timeout; a timed-out call becomes a TransientError. */
  timeoutMs?: number;
}

export interface ResolvedGroup {
  ref: string;
  id: string;
  name: string;
}

export interface AppSpec {
  label: string;
  requestId: string;
  workspace: string;
  environment: string;
  redirectUri: string;
  /** Where Okta may send the browser after sign-out: Kong passes the portal GUI URL as post_logout_redirect_uri. */
  postLogoutRedirectUris: readonly string[];
  /** Refresh tokens are only granted when the portal asks for `offline_access`. */
  scopes: readonly string[];
}

export interface EnsuredApp {
  id: string;
  clientId: string;
  created: boolean;
  /** Present only when Okta just returned it (on create); otherwise use `readClientSecret`. */
  clientSecret?: string;
}

export interface Ensured {
  id: string;
  created: boolean;
}

export interface EnsuredAuthServer extends Ensured {
  issuer: string;
}

export interface AuthServerSpec {
  name: string;
  audience: string;
  description: string;
  requestId: string;
}

export interface ClaimSpec {
  name: string;
  /** Okta expression, e.g. `user.login`. */
  value: string;
}

export interface PolicySpec {
  name: string;
  description: string;
  clientId: string;
  requestId: string;
}

export interface RuleSpec {
  name: string;
  accessTokenMinutes: number;
  refreshTokenWindowMinutes: number;
}

export interface ExistingResource {
  id: string;
  managedByProvisioner: boolean;
}

/** What an earlier provisioning left in place: undo removes only what is not listed here. */
export interface ExistingResources {
  app?: ExistingResource & { groupIds: string[] };
  authServer?: ExistingResource & {
    claimNames: string[];
    policies: Array<{ id: string; name: string; ruleNames: string[] }>;
  };
}

export interface LeftAlone {
  id: string;
  reason: string;
}

/** What an undo did: removed ids, and resources it found but must not touch (with why). */
export interface UndoReport {
  removed: string[];
  leftAlone: LeftAlone[];
}

/** How to find the resource an undo is about: by id when the forward step recorded it, else by name. */
export interface ResourceRef {
  id?: string;
  name: string;
}

const GROUP_ID = /^00g[A-Za-z0-9]{17}$/;
const OKTA_HINTS = {
  unauthorized:
    'the Okta API token is invalid, expired or revoked; put a valid SSWS token in the configured secret',
  forbidden:
    'the Okta API token lacks the permission; its admin needs the Super Administrator role, or a custom role that can manage apps, groups assignments and authorization servers',
};

interface OktaErrorShape {
  status?: unknown;
  errorCode?: unknown;
  errorSummary?: unknown;
  errorCauses?: unknown;
  headers?: { get?: (name: string) => string | null };
  name?: unknown;
  type?: unknown;
  code?: unknown;
  message?: unknown;
}

function issuesFromCauses(causes: unknown): FieldIssue[] {
  if (!Array.isArray(causes)) return [];
  return causes.map((cause: { errorSummary?: unknown }) => {
    const text = String(cause?.errorSummary ?? '');
    // Okta causes read "field: reason" (e.g. "name: An object with this field already exists").
    const match = /^([A-Za-z0-9_.[\]]+):\s*(.*)$/.exec(text);
    return match ? { field: match[1] as string, reason: match[2] as string } : { field: '', reason: text };
  });
}

/** Turns anything the SDK (or node-fetch below it) throws into our taxonomy. */
export function mapOktaError(
  operation: string,
  err: unknown,
  secrets: ReadonlyArray<string | undefined> = [],
): ProvisionerError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as OktaErrorShape;
  if (e.name === 'FetchError' || e.name === 'AbortError' || isNetworkCode(e.code)) {
    const network = e.type === 'request-timeout' ? 'timed out' : String(e.code ?? e.type ?? 'network error');
    return toProvisionerError({ vendor: 'Okta', operation, summary: '', network }, OKTA_HINTS, secrets);
  }
  if (typeof e.status === 'number') {
    const reset = Number(e.headers?.get?.('x-rate-limit-reset'));
    return toProvisionerError(
      {
        vendor: 'Okta',
        operation,
        status: e.status,
        code: typeof e.errorCode === 'string' ? e.errorCode : undefined,
        summary: typeof e.errorSummary === 'string' ? e.errorSummary : `HTTP ${e.status}`,
        issues: issuesFromCauses(e.errorCauses),
        rateLimitReset: Number.isFinite(reset) && reset > 0 ? reset : undefined,
      },
      OKTA_HINTS,
      secrets,
    );
  }
  return new PermanentError(
    `Okta ${operation} failed unexpectedly: ${err instanceof Error ? err.name : typeof err}`,
  );
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

async function collect<T>(collection: AsyncIterable<T | null>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of collection) if (item !== null) items.push(item);
  return items;
}

export class OktaClient {
  private readonly sdk: okta.Client;
  readonly orgUrl: string;

  constructor(config: OktaConfig) {
    this.orgUrl = config.orgUrl.replace(/\/+$/, '');
    this.sdk = new okta.Client({
      orgUrl: this.orgUrl,
      token: config.token,
      // The default cache serves stale GETs right after our own writes.
      cacheMiddleware: null,
      requestExecutor: new okta.DefaultRequestExecutor({
        maxRetries: 0,
        requestTimeout: config.timeoutMs ?? 10_000,
      }),
    });
  }

  /** Runs one SDK call; every failure leaves as a taxonomy error without secrets or vendor payloads. */
  private async call<T>(
    operation: string,
    fn: () => Promise<T>,
    secrets: ReadonlyArray<string | undefined> = [],
  ): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const mapped = mapOktaError(operation, err, secrets);
      logger.warn('okta call failed', { operation, error: mapped.name, status: statusOf(err) });
      throw mapped;
    }
  }

  /** Like `call`, but a 404 means "not there" and yields undefined. */
  private async find<T>(operation: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw mapOktaError(operation, err);
    }
  }

  /** Undo helper: a 404 means someone (maybe an earlier attempt) already removed it. */
  private async gone(operation: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (statusOf(err) === 404) return;
      throw mapOktaError(operation, err);
    }
  }

  // ---- groups and user schema ----------------------------------------------------------------

  /** Resolves group names or ids; an unknown or ambiguous group is a ValidationError naming it. */
  async resolveGroups(refs: readonly string[]): Promise<ResolvedGroup[]> {
    const issues: FieldIssue[] = [];
    const resolved: ResolvedGroup[] = [];
    for (const [index, ref] of refs.entries()) {
      const field = `oktaGroups.${index}`;
      if (GROUP_ID.test(ref)) {
        const group = await this.find('getGroup', () => this.sdk.groupApi.getGroup({ groupId: ref }));
        if (group?.id) resolved.push({ ref, id: group.id, name: group.profile?.name ?? ref });
        else issues.push({ field, reason: `no Okta group has the id '${ref}'` });
        continue;
      }
      const search = `profile.name eq "${ref.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
      const groups = await this.call('listGroups', async () =>
        collect(await this.sdk.groupApi.listGroups({ search })),
      );
      const exact = groups.filter((g) => g.profile?.name === ref && g.id);
      if (exact.length === 1) resolved.push({ ref, id: exact[0]?.id as string, name: ref });
      else if (exact.length === 0) issues.push({ field, reason: `no Okta group is named '${ref}'` });
      else
        issues.push({
          field,
          reason: `${exact.length} Okta groups are named '${ref}'; give the group id instead`,
        });
    }
    if (issues.length) throw ValidationError.of(issues, 'Unknown Okta groups');
    return resolved;
  }

  /** The attribute that holds the developer's e-mail must exist in the default user profile. */
  async assertUserAttribute(attribute: string): Promise<void> {
    const schema = await this.call('getUserSchema', () =>
      this.sdk.schemaApi.getUserSchema({ schemaId: 'default' }),
    );
    const base = Object.keys(schema.definitions?.base?.properties ?? {});
    const custom = Object.keys(schema.definitions?.custom?.properties ?? {});
    if (![...base, ...custom].includes(attribute)) {
      throw ValidationError.of([
        {
          field: 'emailAttribute',
          reason: `the Okta default user profile has no attribute '${attribute}' (it has ${[...base, ...custom].join(', ')})`,
        },
      ]);
    }
  }

  // ---- the OIDC app ----------------------------------------------------------------------------

  private async findApps(label: string): Promise<okta.Application[]> {
    const apps = await this.call('listApplications', async () =>
      collect(await this.sdk.applicationApi.listApplications({ q: label })),
    );
    // `q` is a prefix match on name or label: keep exact labels only.
    return apps.filter((app) => app.label === label);
  }

  /**
   * Picks the app this request may adopt: one it created itself (an earlier attempt whose
   * response was lost), else one an earlier provisioner request created. An app with our label
   * that the provisioner did not create is someone else's: refuse rather than take it over.
   */
  private pickOwned<T>(
    candidates: T[],
    requestIdOf: (item: T) => string | undefined,
    requestId: string,
  ): { item: T; ownership: Ownership } | { foreign: T[] } | undefined {
    if (candidates.length === 0) return undefined;
    const withOwnership = candidates.map((item) => ({
      item,
      ownership: ownershipOf(requestIdOf(item), requestId),
    }));
    const mine = withOwnership.find((c) => c.ownership === 'this-request');
    if (mine) return mine;
    const managed = withOwnership.find((c) => c.ownership === 'other-request');
    if (managed) return managed;
    return { foreign: candidates };
  }

  async ensureApp(spec: AppSpec): Promise<EnsuredApp> {
    const existing = this.pickOwned(
      await this.findApps(spec.label),
      (a) => requestIdFromProfile(a.profile),
      spec.requestId,
    );
    if (existing && 'foreign' in existing) {
      throw foreignResource(
        'app',
        spec.label,
        existing.foreign.map((a) => a.id ?? '?'),
      );
    }
    if (existing) {
      const app = existing.item as okta.OpenIdConnectApplication;
      const redirects = app.settings?.oauthClient?.redirect_uris ?? [];
      if (!redirects.includes(spec.redirectUri)) {
        throw drift(
          'app',
          spec.label,
          `its sign-in redirect URIs are ${JSON.stringify(redirects)}, not '${spec.redirectUri}'`,
        );
      }
      logger.info('okta app adopted', { appId: app.id, ownership: existing.ownership });
      return {
        id: app.id as string,
        clientId: app.credentials?.oauthClient?.client_id ?? (app.id as string),
        created: existing.ownership === 'this-request',
      };
    }
    const offline = spec.scopes.includes('offline_access');
    const body = {
      name: 'oidc_client',
      label: spec.label,
      signOnMode: 'OPENID_CONNECT',
      profile: {
        managedBy: 'kong-portal-provisioner',
        requestId: spec.requestId,
        workspace: spec.workspace,
        environment: spec.environment,
      },
      credentials: {
        oauthClient: { token_endpoint_auth_method: 'client_secret_basic', autoKeyRotation: true },
      },
      settings: {
        oauthClient: {
          application_type: 'web',
          redirect_uris: [spec.redirectUri],
          post_logout_redirect_uris: [...spec.postLogoutRedirectUris],
          response_types: ['code'],
          grant_types: offline ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
          consent_method: 'TRUSTED',
        },
      },
    } as unknown as okta.OpenIdConnectApplication;
    const created = (await this.call('createApplication', () =>
      this.sdk.applicationApi.createApplication({ application: body, activate: true }),
    )) as okta.OpenIdConnectApplication;
    logger.info('okta app created', { appId: created.id });
    return {
      id: created.id as string,
      clientId: created.credentials?.oauthClient?.client_id ?? (created.id as string),
      created: true,
      clientSecret: created.credentials?.oauthClient?.client_secret,
    };
  }

  /** Okta returns a secret only on create; an adopted app's secret is read from its credentials. */
  async readClientSecret(appId: string): Promise<string> {
    const secrets = await this.call('listOAuth2ClientSecrets', async () =>
      collect(await this.sdk.applicationSSOPublicKeysApi.listOAuth2ClientSecrets({ appId })),
    );
    const active = secrets.find((s) => s.status === 'ACTIVE' && s.client_secret);
    if (!active?.client_secret) throw new PermanentError(`Okta app ${appId} has no active client secret`);
    return active.client_secret;
  }

  async removeApp(ref: ResourceRef, requestId: string): Promise<UndoReport> {
    const report: UndoReport = { removed: [], leftAlone: [] };
    const candidates = ref.id
      ? [
          await this.find('getApplication', () =>
            this.sdk.applicationApi.getApplication({ appId: ref.id as string }),
          ),
        ].filter((a): a is okta.Application => a !== undefined)
      : await this.findApps(ref.name);
    for (const app of candidates) {
      const id = app.id as string;
      const ownership = ownershipOf(requestIdFromProfile(app.profile), requestId);
      if (ownership !== 'this-request') {
        report.leftAlone.push({ id, reason: ownershipReason(ownership) });
        continue;
      }
      // Okta refuses to delete an active app (403 E0000056).
      if (app.status !== 'INACTIVE')
        await this.gone('deactivateApplication', () =>
          this.sdk.applicationApi.deactivateApplication({ appId: id }),
        );
      await this.gone('deleteApplication', () => this.sdk.applicationApi.deleteApplication({ appId: id }));
      report.removed.push(id);
    }
    logUndo('okta app', report);
    return report;
  }

  /** What already exists under our name, and whether the provisioner made it (for dry-run plans). */
  async lookupExisting(name: string): Promise<ExistingResources> {
    const [app] = await this.findApps(name);
    const [server] = await this.findAuthServers(name);
    const existing: ExistingResources = {};
    if (app?.id) {
      const appId = app.id;
      const assigned = await this.call('listApplicationGroupAssignments', async () =>
        collect(await this.sdk.applicationApi.listApplicationGroupAssignments({ appId })),
      );
      existing.app = {
        id: appId,
        managedByProvisioner: requestIdFromProfile(app.profile) !== undefined,
        groupIds: assigned.flatMap((a) => (a.id ? [a.id] : [])),
      };
    }
    if (server?.id) {
      const authServerId = server.id;
      const claims = await this.call('listOAuth2Claims', async () =>
        collect(await this.sdk.authorizationServerApi.listOAuth2Claims({ authServerId })),
      );
      const policies = await this.call('listAuthorizationServerPolicies', async () =>
        collect(await this.sdk.authorizationServerApi.listAuthorizationServerPolicies({ authServerId })),
      );
      existing.authServer = {
        id: authServerId,
        managedByProvisioner: requestIdFromDescription(server.description) !== undefined,
        claimNames: claims.filter((c) => c.claimType === 'IDENTITY').flatMap((c) => (c.name ? [c.name] : [])),
        policies: await Promise.all(
          policies.map(async (p) => ({
            id: p.id as string,
            name: p.name ?? '',
            ruleNames: (await this.findRules(authServerId, p.id as string)).flatMap((r) =>
              r.name ? [r.name] : [],
            ),
          })),
        ),
      };
    }
    return existing;
  }

  private async findRules(
    authServerId: string,
    policyId: string,
  ): Promise<okta.AuthorizationServerPolicyRule[]> {
    return this.call('listAuthorizationServerPolicyRules', async () =>
      collect(
        await this.sdk.authorizationServerApi.listAuthorizationServerPolicyRules({ authServerId, policyId }),
      ),
    );
  }

  /** Ids by name inside a server, for undoing what a request added to a server it did not create. */
  async findInServer(
    authServerId: string,
    names: { claim: string; policy: string; rule: string },
  ): Promise<{ claimId?: string; policyId?: string; ruleId?: string }> {
    const claims = await this.call('listOAuth2Claims', async () =>
      collect(await this.sdk.authorizationServerApi.listOAuth2Claims({ authServerId })),
    );
    const policies = await this.call('listAuthorizationServerPolicies', async () =>
      collect(await this.sdk.authorizationServerApi.listAuthorizationServerPolicies({ authServerId })),
    );
    const claimId = claims.find((c) => c.name === names.claim && c.claimType === 'IDENTITY')?.id;
    const policyId = policies.find((p) => p.name === names.policy)?.id;
    const ruleId = policyId
      ? (await this.findRules(authServerId, policyId)).find((r) => r.name === names.rule)?.id
      : undefined;
    return {
      ...(claimId ? { claimId } : {}),
      ...(policyId ? { policyId } : {}),
      ...(ruleId ? { ruleId } : {}),
    };
  }

  // ---- group assignments -----------------------------------------------------------------------

  async ensureGroupAssignments(
    appId: string,
    groupIds: readonly string[],
  ): Promise<Array<{ groupId: string; created: boolean }>> {
    const assigned = await this.call('listApplicationGroupAssignments', async () =>
      collect(await this.sdk.applicationApi.listApplicationGroupAssignments({ appId })),
    );
    const present = new Set(assigned.map((a) => a.id));
    const results: Array<{ groupId: string; created: boolean }> = [];
    for (const groupId of groupIds) {
      if (present.has(groupId)) {
        results.push({ groupId, created: false });
        continue;
      }
      await this.call('assignGroupToApplication', () =>
        this.sdk.applicationApi.assignGroupToApplication({ appId, groupId }),
      );
      results.push({ groupId, created: true });
    }
    return results;
  }

  async removeGroupAssignments(appId: string, groupIds: readonly string[]): Promise<UndoReport> {
    const report: UndoReport = { removed: [], leftAlone: [] };
    for (const groupId of groupIds) {
      await this.gone('unassignApplicationFromGroup', () =>
        this.sdk.applicationApi.unassignApplicationFromGroup({ appId, groupId }),
      );
      report.removed.push(groupId);
    }
    return report;
  }

  // ---- authorization server --------------------------------------------------------------------

  private async findAuthServers(name: string): Promise<okta.AuthorizationServer[]> {
    const servers = await this.call('listAuthorizationServers', async () =>
      collect(await this.sdk.authorizationServerApi.listAuthorizationServers({ q: name })),
    );
    return servers.filter((s) => s.name === name);
  }

  async ensureAuthServer(spec: AuthServerSpec): Promise<EnsuredAuthServer> {
    const existing = this.pickOwned(
      await this.findAuthServers(spec.name),
      (s) => requestIdFromDescription(s.description),
      spec.requestId,
    );
    if (existing && 'foreign' in existing) {
      throw foreignResource(
        'authorization server',
        spec.name,
        existing.foreign.map((s) => s.id ?? '?'),
      );
    }
    if (existing) {
      const server = existing.item;
      if (!server.audiences?.includes(spec.audience)) {
        throw drift(
          'authorization server',
          spec.name,
          `its audiences are ${JSON.stringify(server.audiences ?? [])}, not '${spec.audience}'`,
        );
      }
      return {
        id: server.id as string,
        issuer: server.issuer as string,
        created: existing.ownership === 'this-request',
      };
    }
    const server = await this.call('createAuthorizationServer', () =>
      this.sdk.authorizationServerApi.createAuthorizationServer({
        authorizationServer: {
          name: spec.name,
          audiences: [spec.audience],
          description: describeWithMarker(spec.description, spec.requestId),
        } as okta.AuthorizationServer,
      }),
    );
    logger.info('okta authorization server created', { authServerId: server.id });
    return { id: server.id as string, issuer: server.issuer as string, created: true };
  }

  /** Removes the server (and with it its claims, policies and rules) when this request owns it. */
  async removeAuthServer(ref: ResourceRef, requestId: string): Promise<UndoReport> {
    const report: UndoReport = { removed: [], leftAlone: [] };
    const candidates = ref.id
      ? [
          await this.find('getAuthorizationServer', () =>
            this.sdk.authorizationServerApi.getAuthorizationServer({ authServerId: ref.id as string }),
          ),
        ].filter((s): s is okta.AuthorizationServer => s !== undefined)
      : await this.findAuthServers(ref.name);
    for (const server of candidates) {
      const id = server.id as string;
      const ownership = ownershipOf(requestIdFromDescription(server.description), requestId);
      if (ownership !== 'this-request') {
        report.leftAlone.push({ id, reason: ownershipReason(ownership) });
        continue;
      }
      if (server.status !== 'INACTIVE') {
        await this.gone('deactivateAuthorizationServer', () =>
          this.sdk.authorizationServerApi.deactivateAuthorizationServer({ authServerId: id }),
        );
      }
      await this.gone('deleteAuthorizationServer', () =>
        this.sdk.authorizationServerApi.deleteAuthorizationServer({ authServerId: id }),
      );
      report.removed.push(id);
    }
    logUndo('okta authorization server', report);
    return report;
  }

  // ---- claim, access policy, rule --------------------------------------------------------------

  async ensureClaim(authServerId: string, spec: ClaimSpec): Promise<Ensured> {
    const claims = await this.call('listOAuth2Claims', async () =>
      collect(await this.sdk.authorizationServerApi.listOAuth2Claims({ authServerId })),
    );
    const found = claims.find((c) => c.name === spec.name && c.claimType === 'IDENTITY');
    if (found?.id) {
      if (found.value !== spec.value)
        throw drift('claim', spec.name, `its value is '${String(found.value)}', not '${spec.value}'`);
      return { id: found.id, created: false };
    }
    const claim = await this.call('createOAuth2Claim', () =>
      this.sdk.authorizationServerApi.createOAuth2Claim({
        authServerId,
        oAuth2Claim: {
          name: spec.name,
          status: 'ACTIVE',
          claimType: 'IDENTITY',
          valueType: 'EXPRESSION',
          value: spec.value,
          alwaysIncludeInToken: true,
          conditions: { scopes: [] },
        } as okta.OAuth2Claim,
      }),
    );
    return { id: claim.id as string, created: true };
  }

  async removeClaim(authServerId: string, claimId: string): Promise<void> {
    await this.gone('deleteOAuth2Claim', () =>
      this.sdk.authorizationServerApi.deleteOAuth2Claim({ authServerId, claimId }),
    );
  }

  async ensureAccessPolicy(authServerId: string, spec: PolicySpec): Promise<Ensured> {
    const policies = await this.call('listAuthorizationServerPolicies', async () =>
      collect(await this.sdk.authorizationServerApi.listAuthorizationServerPolicies({ authServerId })),
    );
    const found = policies.find((p) => p.name === spec.name);
    if (found?.id) {
      const clients = found.conditions?.clients?.include ?? [];
      if (!clients.includes(spec.clientId) && !clients.includes('ALL_CLIENTS')) {
        throw drift(
          'access policy',
          spec.name,
          `it applies to clients ${JSON.stringify(clients)}, not to '${spec.clientId}'`,
        );
      }
      return {
        id: found.id,
        created: ownershipOf(requestIdFromDescription(found.description), spec.requestId) === 'this-request',
      };
    }
    const policy = await this.call('createAuthorizationServerPolicy', () =>
      this.sdk.authorizationServerApi.createAuthorizationServerPolicy({
        authServerId,
        policy: {
          type: 'OAUTH_AUTHORIZATION_POLICY',
          name: spec.name,
          description: describeWithMarker(spec.description, spec.requestId),
          priority: 1,
          status: 'ACTIVE',
          conditions: { clients: { include: [spec.clientId] } },
        } as okta.AuthorizationServerPolicy,
      }),
    );
    return { id: policy.id as string, created: true };
  }

  async removeAccessPolicy(authServerId: string, policyId: string): Promise<void> {
    await this.gone('deleteAuthorizationServerPolicy', () =>
      this.sdk.authorizationServerApi.deleteAuthorizationServerPolicy({ authServerId, policyId }),
    );
  }

  async ensurePolicyRule(authServerId: string, policyId: string, spec: RuleSpec): Promise<Ensured> {
    const rules = await this.call('listAuthorizationServerPolicyRules', async () =>
      collect(
        await this.sdk.authorizationServerApi.listAuthorizationServerPolicyRules({ authServerId, policyId }),
      ),
    );
    const found = rules.find((r) => r.name === spec.name);
    if (found?.id) {
      const token = found.actions?.token;
      if (
        token?.accessTokenLifetimeMinutes !== spec.accessTokenMinutes ||
        token?.refreshTokenWindowMinutes !== spec.refreshTokenWindowMinutes
      ) {
        throw drift('policy rule', spec.name, 'its token lifetimes differ from the request');
      }
      return { id: found.id, created: false };
    }
    const rule = await this.call('createAuthorizationServerPolicyRule', () =>
      this.sdk.authorizationServerApi.createAuthorizationServerPolicyRule({
        authServerId,
        policyId,
        policyRule: {
          type: 'RESOURCE_ACCESS',
          name: spec.name,
          priority: 1,
          status: 'ACTIVE',
          conditions: {
            grantTypes: { include: ['authorization_code'] },
            people: { groups: { include: ['EVERYONE'] } },
            scopes: { include: ['*'] },
          },
          actions: {
            token: {
              accessTokenLifetimeMinutes: spec.accessTokenMinutes,
              refreshTokenLifetimeMinutes: 0,
              refreshTokenWindowMinutes: spec.refreshTokenWindowMinutes,
            },
          },
        } as unknown as okta.AuthorizationServerPolicyRuleRequest,
      }),
    );
    return { id: rule.id as string, created: true };
  }

  async removePolicyRule(authServerId: string, policyId: string, ruleId: string): Promise<void> {
    await this.gone('deleteAuthorizationServerPolicyRule', () =>
      this.sdk.authorizationServerApi.deleteAuthorizationServerPolicyRule({ authServerId, policyId, ruleId }),
    );
  }
}

function ownershipReason(ownership: Ownership): string {
  return ownership === 'other-request'
    ? 'created by another provisioner request: not this request to remove'
    : 'not created by kong-portal-provisioner: never removed automatically';
}

function logUndo(what: string, report: UndoReport): void {
  logger.info(`${what} undo`, { removed: report.removed, leftAlone: report.leftAlone });
}

/**
 * A resource an earlier provisioning made no longer matches this request (Kong's ports changed,
 * another e-mail attribute...). Rewriting it in place could not be rolled back, so say so instead.
 */
function drift(kind: string, name: string, difference: string): ConflictError {
  return new ConflictError(
    `The Okta ${kind} '${name}' from an earlier provisioning differs from this request: ${difference}. ` +
      'Tear down the workspace portal, then provision it again',
    { kind, name },
  );
}

/** A resource with our deterministic name exists but the provisioner did not create it. */
function foreignResource(kind: string, name: string, ids: string[]): ConflictError {
  return new ConflictError(
    `An Okta ${kind} named '${name}' already exists (${ids.join(', ')}) and was not created by kong-portal-provisioner: ` +
      'rename or remove it, then retry',
    { kind, name, ids },
  );
}

/**
 * Kong Enterprise Admin API (Gateway EE <= 3.4 workspace Dev Portal), over axios with RBAC.
 * Reads where a workspace's portal lives, snapshots its `config.portal*` values, turns the portal
 * on with OpenID Connect, restores a snapshot exactly (writing only what differs), and reads back
 * what a developer's sign-in will use.
 */
import axios, { type AxiosInstance, isAxiosError } from 'axios';
import { isDeepStrictEqual } from 'node:util';
import { PermanentError, ValidationError, type ProvisionerError } from '../core/errors';
import { discoveryUrl, type PortalAuthConf } from '../core/portal-auth-conf';
import { hiddenValuesIn } from '../core/settings-mask';
import type { KongPortalConfiguration } from '../core/portal-urls';
import type { StoredSignIn } from '../core/portal-target';
import { mapAxiosError } from './axios-errors';
import { logger } from './logger';

export interface KongConfig {
  adminUrl: string;
  token: string;
  timeoutMs?: number;
  /** kong.conf `rbac_auth_header`: the header the Admin API reads the RBAC token from. */
  rbacHeader?: string;
}

export const DEFAULT_RBAC_HEADER = 'Kong-Admin-Token';

/** The workspace `config` keys the provisioner writes; undo restores exactly these. */
export const PORTAL_KEYS = ['portal', 'portal_auth', 'portal_auth_conf', 'portal_auto_approve'] as const;
export type PortalKey = (typeof PORTAL_KEYS)[number];

export type PortalSettings = Partial<Record<PortalKey, unknown>>;

export interface PortalEnvironment {
  workspaceId: string;
  configuration: KongPortalConfiguration;
  /** The workspace's portal settings as they are now: the snapshot undo restores. */
  settings: PortalSettings;
}

export interface PortalAuthApplication {
  authConf: PortalAuthConf;
  autoApprove: boolean;
}

export interface VerifyExpectation {
  issuer: string;
  clientId: string;
  redirectUri: string;
}

export type { StoredSignIn } from '../core/portal-target';

const kongHints = (rbacHeader: string) => ({
  unauthorized: `Kong rejected the RBAC token sent in ${rbacHeader}; put a valid admin token in the configured secret, and if kong.conf sets rbac_auth_header, set KONG_RBAC_HEADER to the same name`,
  forbidden:
    "the RBAC user behind the Kong token may not do this; it needs read and update on '/workspaces/*' and read on '/<workspace>/kong'",
});

export function mapKongError(
  operation: string,
  err: unknown,
  secrets: ReadonlyArray<string | undefined> = [],
  rbacHeader = DEFAULT_RBAC_HEADER,
): ProvisionerError {
  return mapAxiosError('Kong', operation, err, kongHints(rbacHeader), secrets);
}

/** Kong's answers here are a workspace and a node configuration: a few KB. */
const MAX_KONG_ANSWER_BYTES = 1024 * 1024;

/** Kong returns portal_auth_conf as the string it stored: compare what it encodes, not its spacing. */
function sameSetting(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') {
    try {
      return isDeepStrictEqual(JSON.parse(a), JSON.parse(b));
    } catch {
      return a === b;
    }
  }
  return isDeepStrictEqual(a, b);
}

function pickPortalSettings(config: Record<string, unknown> | undefined): PortalSettings {
  const settings: PortalSettings = {};
  for (const key of PORTAL_KEYS) settings[key] = config?.[key] ?? null;
  return settings;
}

export class KongClient {
  private readonly http: AxiosInstance;
  private readonly rbacHeader: string;

  constructor(config: KongConfig) {
    this.rbacHeader = config.rbacHeader ?? DEFAULT_RBAC_HEADER;
    this.http = axios.create({
      baseURL: config.adminUrl.replace(/\/+$/, ''),
      timeout: config.timeoutMs ?? 10_000,
      // The admin token (and, in a PATCH, the client secret) goes to this Kong and nowhere else:
      // a redirect is refused, not followed, and no answer may grow without bound.
      maxRedirects: 0,
      maxContentLength: MAX_KONG_ANSWER_BYTES,
      maxBodyLength: MAX_KONG_ANSWER_BYTES,
      headers: { [this.rbacHeader]: config.token, Accept: 'application/json' },
      // Our own mapping decides what an HTTP status means.
      validateStatus: (status) => status >= 200 && status < 300,
    });
  }

  private async request<T>(
    operation: string,
    fn: (http: AxiosInstance) => Promise<{ data: T }>,
    secrets: ReadonlyArray<string | undefined> = [],
  ): Promise<T> {
    try {
      return (await fn(this.http)).data;
    } catch (err) {
      const mapped = mapKongError(operation, err, secrets, this.rbacHeader);
      logger.warn('kong call failed', {
        operation,
        error: mapped.name,
        status: isAxiosError(err) ? err.response?.status : undefined,
      });
      throw mapped;
    }
  }

  /** Where the workspace's portal lives and its current settings; refuses a node without the portal. */
  /** The node's configuration and the workspace, read at the same time (neither needs the other). */
  async readPortalEnvironment(workspace: string): Promise<PortalEnvironment> {
    const ws = encodeURIComponent(workspace);
    const [info, record] = await Promise.allSettled([
      this.requestWorkspace(workspace, 'readNodeInfo', (http) =>
        http.get<{ configuration?: KongPortalConfiguration }>(`/${ws}/kong`),
      ),
      this.requestWorkspace(workspace, 'readWorkspace', (http) =>
        http.get<{ id: string; config?: Record<string, unknown> }>(`/workspaces/${ws}`),
      ),
    ]);
    // The node's answer first, as if read first: a portal that is off node-wide is the thing to fix.
    if (info.status === 'rejected') throw info.reason;
    const configuration = info.value.configuration ?? {};
    if (configuration.portal !== true) {
      throw new PermanentError(
        "Kong's Dev Portal is disabled node-wide (portal = off in kong.conf): enable it and restart Kong before provisioning a workspace portal",
        { workspace },
      );
    }
    if (record.status === 'rejected') throw record.reason;
    return { workspaceId: record.value.id, configuration, settings: pickPortalSettings(record.value.config) };
  }

  /** An unknown workspace is the requester's mistake: say so with the field, not as a 404. */
  private async requestWorkspace<T>(
    workspace: string,
    operation: string,
    fn: (http: AxiosInstance) => Promise<{ data: T }>,
  ): Promise<T> {
    try {
      return (await fn(this.http)).data;
    } catch (err) {
      if (isAxiosError(err) && err.response?.status === 404) {
        throw ValidationError.of([
          { field: 'workspace', reason: `Kong has no workspace named '${workspace}'` },
        ]);
      }
      const mapped = mapKongError(operation, err, [], this.rbacHeader);
      logger.warn('kong call failed', { operation, error: mapped.name });
      throw mapped;
    }
  }

  async readPortalSettings(workspace: string): Promise<PortalSettings> {
    const record = await this.requestWorkspace(workspace, 'readWorkspace', (http) =>
      http.get<{ config?: Record<string, unknown> }>(`/workspaces/${encodeURIComponent(workspace)}`),
    );
    return pickPortalSettings(record.config);
  }

  /** Turns the portal on with OpenID Connect. Idempotent: PATCH sets, it does not toggle. */
  /**
   * Turns the portal on with OpenID Connect, and checks the workspace Kong answers the PATCH with
   * (the Admin API returns the updated Workspace): it must name our issuer, client and redirect URI.
   * Returns what Kong will send to Okta when a developer signs in.
   */
  async applyPortalAuth(
    workspace: string,
    application: PortalAuthApplication,
    expected: VerifyExpectation,
  ): Promise<StoredSignIn> {
    const config: PortalSettings = {
      portal: true,
      portal_auth: 'openid-connect',
      portal_auth_conf: JSON.stringify(application.authConf),
      portal_auto_approve: application.autoApprove,
    };
    const answered = await this.patchPortal(
      workspace,
      config,
      'applyPortalAuth',
      application.authConf.client_secret,
    );
    logger.info('kong portal configured', {
      workspace,
      portalAuth: 'openid-connect',
      autoApprove: application.autoApprove,
    });
    return storedSignIn(workspace, answered, expected);
  }

  /**
   * Puts back exactly the settings a snapshot recorded (null clears a value that was unset). Reads
   * first and writes only the keys that differ: when the workspace already equals the snapshot
   * (the forward write never landed) nothing is written. Returns whether anything was.
   */
  async restorePortalSettings(workspace: string, snapshot: PortalSettings): Promise<{ changed: boolean }> {
    const current = await this.readPortalSettings(workspace);
    const config: PortalSettings = {};
    for (const key of PORTAL_KEYS) {
      const wanted = snapshot[key] ?? null;
      if (!sameSetting(current[key] ?? null, wanted)) config[key] = wanted;
    }
    if (Object.keys(config).length === 0) {
      logger.info('kong portal settings already as recorded: nothing to restore', { workspace });
      return { changed: false };
    }
    // The snapshot can hold an earlier client secret inside portal_auth_conf.
    await this.patchPortal(workspace, config, 'restorePortalSettings', hiddenValuesIn(snapshot));
    logger.info('kong portal settings restored', { workspace, keys: Object.keys(config) });
    return { changed: true };
  }

  /** Returns the portal settings of the workspace Kong answers with. */
  private async patchPortal(
    workspace: string,
    config: PortalSettings,
    operation: string,
    secrets: ReadonlyArray<string | undefined>,
  ): Promise<PortalSettings> {
    try {
      const answer = await this.http.patch<{ config?: Record<string, unknown> }>(
        `/workspaces/${encodeURIComponent(workspace)}`,
        { config },
      );
      return pickPortalSettings(answer.data?.config);
    } catch (err) {
      if (isAxiosError(err) && err.response?.status === 404) {
        throw ValidationError.of([
          { field: 'workspace', reason: `Kong has no workspace named '${workspace}'` },
        ]);
      }
      const mapped = mapKongError(operation, err, secrets, this.rbacHeader);
      logger.warn('kong call failed', { operation, error: mapped.name });
      throw mapped;
    }
  }
}

/**
 * What a developer's sign-in depends on on Kong's side: the portal is on with OpenID Connect and the
 * stored conf names our issuer, client and redirect URI. Returns what Kong will send to Okta.
 */
function storedSignIn(
  workspace: string,
  settings: PortalSettings,
  expected: VerifyExpectation,
): StoredSignIn {
  const problems: string[] = [];
  if (settings.portal !== true) problems.push('portal is not enabled');
  if (settings.portal_auth !== 'openid-connect')
    problems.push(`portal_auth is '${String(settings.portal_auth)}', not 'openid-connect'`);
  const url = discoveryUrl(expected.issuer);
  let conf: Partial<PortalAuthConf> = {};
  try {
    conf =
      typeof settings.portal_auth_conf === 'string'
        ? (JSON.parse(settings.portal_auth_conf) as Partial<PortalAuthConf>)
        : {};
  } catch {
    problems.push('portal_auth_conf is not valid JSON');
  }
  if (conf.issuer !== url)
    problems.push(`portal_auth_conf.issuer is '${String(conf.issuer)}', expected '${url}'`);
  if (conf.client_id?.[0] !== expected.clientId)
    problems.push(`portal_auth_conf.client_id is not '${expected.clientId}'`);
  if (conf.redirect_uri?.[0] !== expected.redirectUri)
    problems.push(
      `portal_auth_conf.redirect_uri is '${String(conf.redirect_uri?.[0])}', expected '${expected.redirectUri}'`,
    );
  if (problems.length) {
    throw new PermanentError(
      `Kong workspace '${workspace}' portal is not configured as written: ${problems.join('; ')}`,
      { workspace },
    );
  }
  return { discoveryUrl: url, redirectUri: expected.redirectUri, scopes: conf.scopes ?? [] };
}

/**
 * Kong Konnect Portal Management API v3 (the Konnect Dev Portal), over axios with a Bearer token
 * (personal `kpat_...` or system account `spat_...`). Finds a portal, reads and writes its OIDC
 * identity provider (created disabled, then enabled with a PATCH: that works whether or not the
 * backend accepts `enabled` on create, Kong/kongctl#1780) and its authentication settings. Never
 * sends `login_path` (not part of a portal identity provider) nor the deprecated
 * authentication-settings `oidc_*` fields. The client secret goes out in request bodies only: it is
 * never logged, never in an error, never in a returned object (Konnect marks it writeOnly).
 */
import axios, { type AxiosInstance, isAxiosError } from 'axios';
import * as z from 'zod';
import { PermanentError, type ProvisionerError } from '../core/errors';
import { mapAxiosError } from './axios-errors';
import { logger } from './logger';

export interface KonnectConfig {
  /** The regional API origin, e.g. https://us.api.konghq.com (no /v3). */
  baseUrl: string;
  token: string;
  timeoutMs?: number;
}

export interface KonnectPortal {
  id: string;
  name: string;
  defaultDomain: string;
  canonicalDomain: string;
  authenticationEnabled: boolean;
  autoApproveDevelopers: boolean;
}

export interface KonnectIdentityProvider {
  id: string;
  type: 'oidc' | 'saml';
  enabled: boolean;
  /** As Konnect returns it: never a secret. */
  config: Record<string, unknown>;
}

export interface OidcProviderConfig {
  issuer_url: string;
  client_id: string;
  client_secret: string;
  scopes: string[];
  claim_mappings: { name: string; email: string; groups: string };
}

/** Konnect's answers here are a portal, a page of portals or a portal's few identity providers. */
const MAX_KONNECT_ANSWER_BYTES = 1024 * 1024;
/** Portals asked for per page while looking one up by name. */
const PORTAL_PAGE_SIZE = 100;
/** A bound on paging, so a misbehaving `meta.page.total` cannot keep us looping. */
const MAX_PORTAL_PAGES = 50;

const portalSchema = z.object({
  id: z.string(),
  name: z.string(),
  default_domain: z.string(),
  canonical_domain: z.string(),
  authentication_enabled: z.boolean(),
  auto_approve_developers: z.boolean(),
});

const portalPageSchema = z.object({
  data: z.array(portalSchema),
  meta: z.object({ page: z.object({ number: z.number(), size: z.number(), total: z.number() }) }),
});

const identityProviderSchema = z.object({
  id: z.string(),
  type: z.enum(['oidc', 'saml']),
  // The document's IdentityProviderEnabled default.
  enabled: z.boolean().default(false),
  config: z.record(z.string(), z.unknown()).default({}),
});

/** Config fields Konnect marks writeOnly: dropped should an answer ever carry one. */
const WRITE_ONLY_CONFIG = new Set(['client_secret']);

/** What a 403 means for each call: the permission the token's owner lacks. */
const PERMISSIONS: Record<string, string> = {
  getPortal: 'to read the portal',
  findPortalByName: 'to list portals',
  listIdentityProviders: "to read the portal's identity providers",
  createOidcProvider: 'to create identity providers',
  setProviderEnabled: 'to update identity providers',
  updateOidcProvider: 'to update identity providers',
  deleteProvider: 'to delete identity providers',
  updatePortal: 'to update the portal',
};

const konnectHints = (operation: string, portalId: string | undefined) => ({
  unauthorized:
    'Konnect rejected the token (missing, malformed, expired or revoked): put a valid personal access token (kpat_...) or system account token (spat_...) in the configured secret',
  forbidden:
    `the token's owner lacks permission ${PERMISSIONS[operation] ?? 'for this call'} ` +
    `${portalId === undefined ? 'in this region' : `on portal ${portalId}`}: ` +
    'add the user or system account to the Portal Admin team, or give it a role on this portal that allows it',
});

export function mapKonnectError(
  operation: string,
  err: unknown,
  portalId: string | undefined,
  secrets: ReadonlyArray<string | undefined> = [],
): ProvisionerError {
  return mapAxiosError('Konnect', operation, err, konnectHints(operation, portalId), secrets);
}

const isNotFound = (err: unknown) => isAxiosError(err) && err.response?.status === 404;

function toPortal(raw: z.infer<typeof portalSchema>): KonnectPortal {
  return {
    id: raw.id,
    name: raw.name,
    defaultDomain: raw.default_domain,
    canonicalDomain: raw.canonical_domain,
    authenticationEnabled: raw.authentication_enabled,
    autoApproveDevelopers: raw.auto_approve_developers,
  };
}

function toIdentityProvider(raw: z.infer<typeof identityProviderSchema>): KonnectIdentityProvider {
  const config = Object.fromEntries(
    Object.entries(raw.config).filter(([key]) => !WRITE_ONLY_CONFIG.has(key)),
  );
  return { id: raw.id, type: raw.type, enabled: raw.enabled, config };
}

/** Exactly the OIDC fields Konnect's OIDCIdentityProviderConfig knows, whatever else the object holds. */
/** A provider's config as written back by an undo: Konnect keeps the stored secret when none is sent. */
export type OidcProviderSettings = Omit<OidcProviderConfig, 'client_secret'> & { client_secret?: string };

function oidcBody(config: OidcProviderSettings): OidcProviderSettings {
  return {
    issuer_url: config.issuer_url,
    client_id: config.client_id,
    ...(config.client_secret !== undefined ? { client_secret: config.client_secret } : {}),
    scopes: [...config.scopes],
    claim_mappings: {
      name: config.claim_mappings.name,
      email: config.claim_mappings.email,
      groups: config.claim_mappings.groups,
    },
  };
}

interface Call {
  operation: string;
  portalId?: string;
  /** Values to scrub from anything Konnect echoes back (the token is always scrubbed). */
  secrets?: ReadonlyArray<string | undefined>;
}

export class KonnectClient {
  private readonly http: AxiosInstance;
  private readonly token: string;
  private readonly origin: string;

  constructor(config: KonnectConfig) {
    this.token = config.token;
    // Accept the origin with or without a trailing /v3: the API's own paths start there.
    this.origin = config.baseUrl.replace(/\/+$/, '').replace(/\/v3$/, '');
    this.http = axios.create({
      baseURL: `${this.origin}/v3`,
      timeout: config.timeoutMs ?? 10_000,
      // The token (and, in a write, the client secret) goes to this origin and nowhere else: a
      // redirect is refused, not followed, and no answer may grow without bound.
      maxRedirects: 0,
      maxContentLength: MAX_KONNECT_ANSWER_BYTES,
      maxBodyLength: MAX_KONNECT_ANSWER_BYTES,
      headers: {
        Authorization: `Bearer ${config.token}`,
        Accept: 'application/json, application/problem+json',
      },
      // Our own mapping decides what an HTTP status means.
      validateStatus: (status) => status >= 200 && status < 300,
    });
  }

  /** Runs one call; failures are mapped (404 first to `onNotFound` when given), logged and thrown. */
  private async request<T>(
    call: Call,
    fn: (http: AxiosInstance) => Promise<{ data: unknown }>,
    parse: (data: unknown) => T,
    onNotFound?: () => T | never,
  ): Promise<T> {
    let data: unknown;
    try {
      data = (await fn(this.http)).data;
    } catch (err) {
      if (onNotFound && isNotFound(err)) return onNotFound();
      const mapped = mapKonnectError(call.operation, err, call.portalId, [
        this.token,
        ...(call.secrets ?? []),
      ]);
      logger.warn('konnect call failed', {
        operation: call.operation,
        portalId: call.portalId,
        error: mapped.name,
        status: isAxiosError(err) ? err.response?.status : undefined,
      });
      throw mapped;
    }
    return parse(data);
  }

  /** An answer that is not what the document promises: name the fields, never their values. */
  private parser<S extends z.ZodType>(operation: string, schema: S): (data: unknown) => z.infer<S> {
    return (data) => {
      const parsed = schema.safeParse(data);
      if (parsed.success) return parsed.data;
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(body)'))].join(', ');
      logger.warn('konnect answer unexpected', { operation, fields });
      throw new PermanentError(`Konnect ${operation} answered with an unexpected body (at: ${fields})`, {
        vendor: 'Konnect',
        operation,
      });
    };
  }

  private portalMissing(portalId: string): never {
    throw new PermanentError(
      `Konnect has no portal '${portalId}' at ${this.origin}: check the portal id and that the API URL is the portal's region`,
      { vendor: 'Konnect', portalId },
    );
  }

  async getPortal(portalId: string): Promise<KonnectPortal> {
    const raw = await this.request(
      { operation: 'getPortal', portalId },
      (http) => http.get(`/portals/${encodeURIComponent(portalId)}`),
      this.parser('getPortal', portalSchema),
      () => this.portalMissing(portalId),
    );
    return toPortal(raw);
  }

  /** The portal, or undefined when Konnect has none by that id (deleted since). */
  async findPortal(portalId: string): Promise<KonnectPortal | undefined> {
    const raw = await this.request(
      { operation: 'getPortal', portalId },
      (http) => http.get(`/portals/${encodeURIComponent(portalId)}`),
      (data) => this.parser('getPortal', portalSchema)(data),
      () => undefined,
    );
    return raw === undefined ? undefined : toPortal(raw);
  }

  /** The portal whose name is exactly `name` (Konnect names are unique), through every page. */
  async findPortalByName(name: string): Promise<KonnectPortal | undefined> {
    const parse = this.parser('findPortalByName', portalPageSchema);
    for (let number = 1; number <= MAX_PORTAL_PAGES; number++) {
      const page = await this.request(
        { operation: 'findPortalByName' },
        (http) =>
          http.get('/portals', {
            params: { 'filter[name][eq]': name, 'page[size]': PORTAL_PAGE_SIZE, 'page[number]': number },
          }),
        parse,
      );
      const match = page.data.find((p) => p.name === name);
      if (match) return toPortal(match);
      const seen = (number - 1) * page.meta.page.size + page.data.length;
      if (page.data.length === 0 || seen >= page.meta.page.total) return undefined;
    }
    throw new PermanentError(
      `Konnect findPortalByName: no answer after ${MAX_PORTAL_PAGES} pages of portals named '${name}'`,
      { vendor: 'Konnect', operation: 'findPortalByName' },
    );
  }

  async listIdentityProviders(portalId: string): Promise<KonnectIdentityProvider[]> {
    const raw = await this.request(
      { operation: 'listIdentityProviders', portalId },
      (http) => http.get(`/portals/${encodeURIComponent(portalId)}/identity-providers`),
      this.parser('listIdentityProviders', z.array(identityProviderSchema)),
      () => this.portalMissing(portalId),
    );
    return raw.map(toIdentityProvider);
  }

  /** Creates the OIDC provider disabled (no `enabled` sent: Konnect's default is false). */
  async createOidcProvider(portalId: string, config: OidcProviderConfig): Promise<KonnectIdentityProvider> {
    const raw = await this.request(
      { operation: 'createOidcProvider', portalId, secrets: [config.client_secret] },
      (http) =>
        http.post(`/portals/${encodeURIComponent(portalId)}/identity-providers`, {
          type: 'oidc',
          config: oidcBody(config),
        }),
      this.parser('createOidcProvider', identityProviderSchema),
      () => this.portalMissing(portalId),
    );
    logger.info('konnect identity provider created', { portalId, id: raw.id, type: raw.type });
    return toIdentityProvider(raw);
  }

  async setProviderEnabled(portalId: string, id: string, enabled: boolean): Promise<KonnectIdentityProvider> {
    const raw = await this.request(
      { operation: 'setProviderEnabled', portalId },
      (http) => http.patch(this.providerPath(portalId, id), { enabled }),
      this.parser('setProviderEnabled', identityProviderSchema),
      () => this.providerMissing(portalId, id),
    );
    logger.info('konnect identity provider switched', { portalId, id, enabled: raw.enabled });
    return toIdentityProvider(raw);
  }

  /** Replaces the provider's OIDC config (secret included); `enabled` is left as it is. */
  async updateOidcProvider(
    portalId: string,
    id: string,
    config: OidcProviderSettings,
  ): Promise<KonnectIdentityProvider> {
    const raw = await this.request(
      { operation: 'updateOidcProvider', portalId, secrets: [config.client_secret] },
      (http) => http.patch(this.providerPath(portalId, id), { config: oidcBody(config) }),
      this.parser('updateOidcProvider', identityProviderSchema),
      () => this.providerMissing(portalId, id),
    );
    logger.info('konnect identity provider updated', { portalId, id });
    return toIdentityProvider(raw);
  }

  /** 'absent' when Konnect has no such provider (already deleted, or never made). */
  async deleteProvider(portalId: string, id: string): Promise<'deleted' | 'absent'> {
    const outcome = await this.request<'deleted' | 'absent'>(
      { operation: 'deleteProvider', portalId },
      (http) => http.delete(this.providerPath(portalId, id)),
      () => 'deleted',
      () => 'absent',
    );
    logger.info('konnect identity provider delete', { portalId, id, outcome });
    return outcome;
  }

  async updatePortal(
    portalId: string,
    patch: { authentication_enabled?: boolean; auto_approve_developers?: boolean },
  ): Promise<KonnectPortal> {
    // Only the keys given (an explicit undefined is not a change).
    const body: Record<string, boolean> = {};
    if (patch.authentication_enabled !== undefined)
      body.authentication_enabled = patch.authentication_enabled;
    if (patch.auto_approve_developers !== undefined)
      body.auto_approve_developers = patch.auto_approve_developers;
    const raw = await this.request(
      { operation: 'updatePortal', portalId },
      (http) => http.patch(`/portals/${encodeURIComponent(portalId)}`, body),
      this.parser('updatePortal', portalSchema),
      () => this.portalMissing(portalId),
    );
    logger.info('konnect portal updated', { portalId, ...body });
    return toPortal(raw);
  }

  private providerPath(portalId: string, id: string): string {
    return `/portals/${encodeURIComponent(portalId)}/identity-providers/${encodeURIComponent(id)}`;
  }

  private providerMissing(portalId: string, id: string): never {
    throw new PermanentError(
      `Konnect has no identity provider '${id}' on portal '${portalId}' (or no such portal) at ${this.origin}`,
      { vendor: 'Konnect', portalId, identityProviderId: id },
    );
  }
}

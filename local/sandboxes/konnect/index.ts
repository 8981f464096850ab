/**
 * A stateful loopback stand-in for the Kong Konnect Portal Management API v3 (Dev Portal), limited to
 * what the provisioner needs: portals and their identity providers. Every request and response body
 * is checked against Konnect's own OpenAPI document (contracts/konnect-portal-management-v3.trimmed.yaml);
 * faults (5xx, 429, latency, lost responses) can be injected per route. Test equipment only.
 */
import { randomUUID } from 'node:crypto';
import { konnectContract } from '../../contracts/validator';
import { startHttpSandbox, type SandboxControl, type SandboxFlavour } from '../http-sandbox';
import { frameworkError, rateLimited } from './errors';
import {
  IdentityProviderStore,
  type IdentityProviderType,
  type StoredIdentityProvider,
} from './identity-providers';
import { newPortal, PortalStore, type KonnectPortal } from './portals';
import { authenticate, invalidRequest, konnectRoutes, type KonnectContext } from './routes';
import { KonnectTokens, type KonnectGrant } from './tokens';

export type { KonnectGrant } from './tokens';
export type { KonnectPortal } from './portals';
export type { IdentityProviderType, StoredIdentityProvider } from './identity-providers';
export { IDP, IDPS, PORTAL, PORTALS } from './routes';

export interface KonnectSandboxControl {
  /** Adds a portal as-is (defaults for what is left out) and returns it as stored. */
  addPortal(partial?: Partial<KonnectPortal>): KonnectPortal;
  /** Sets (or, with null, removes) the portal's custom domain: canonical_domain follows it. */
  setCustomDomain(portalId: string, hostname: string | null): KonnectPortal;
  /** Stores an identity provider as given (no checks, no defaults), secrets included; returns it. */
  addIdentityProvider(
    portalId: string,
    idp: { type: IdentityProviderType; config: Record<string, unknown>; enabled?: boolean; id?: string },
  ): StoredIdentityProvider;
  /** Another accepted token, optionally limited to some portals (`portals: []`: none) or to reading. */
  addToken(token: string, grant?: KonnectGrant): void;
  /**
   * Back to a fresh organisation: one portal (`developer-portal`, new id and domain), no identity
   * providers, only the main token, no faults, no latency, no recorded calls. Contract violations are
   * kept: they are sandbox bugs a test must still see.
   */
  reset(): void;
}

export interface SignInExpectation {
  issuerUrl?: string;
  clientId?: string;
}

export interface KonnectSandbox {
  /** http://127.0.0.1:<port>: the API base without /v3 (like https://us.api.konghq.com). */
  url: string;
  /** Accepted as `Authorization: Bearer <token>`, with a role on every portal. */
  token: string;
  control: SandboxControl & KonnectSandboxControl;
  state: {
    portal(id: string): KonnectPortal | undefined;
    portals(): KonnectPortal[];
    /** As stored: client secrets included (the API never returns them). */
    identityProviders(portalId: string): StoredIdentityProvider[];
    /** Why a developer could not sign in to the portal with OIDC as configured now (none: it would work). */
    signInProblems(portalId: string, expect?: SignInExpectation): string[];
  };
  close(): Promise<void>;
}

export interface KonnectSandboxOptions {
  port?: number;
  host?: string;
  token?: string;
  /** The region in default domains (`<hex>.<region>.kongportals.com`). */
  region?: string;
}

/** Fixed so the local demo can print one value; it only ever unlocks this loopback server. */
export const DEFAULT_KONNECT_SANDBOX_TOKEN = 'kpat_konnect-sandbox-token-0123456789';

function signInProblems(
  portal: KonnectPortal | undefined,
  idps: StoredIdentityProvider[],
  expect: SignInExpectation = {},
): string[] {
  if (!portal) return ['no such portal'];
  const problems: string[] = [];
  if (!portal.authentication_enabled)
    problems.push('authentication_enabled is false: developers cannot sign in at all');
  const active = idps.filter((i) => i.enabled);
  const oidc = active.find((i) => i.type === 'oidc');
  if (!oidc) {
    problems.push(
      active.length > 0
        ? 'the enabled identity provider is SAML, not OIDC'
        : 'no identity provider is enabled',
    );
    return problems;
  }
  const config = oidc.config;
  if (typeof config.client_secret !== 'string' || config.client_secret === '')
    problems.push('the OIDC provider has no client secret');
  if (expect.issuerUrl !== undefined && config.issuer_url !== expect.issuerUrl)
    problems.push(`issuer_url is '${String(config.issuer_url)}', expected '${expect.issuerUrl}'`);
  if (expect.clientId !== undefined && config.client_id !== expect.clientId)
    problems.push(`client_id is '${String(config.client_id)}', expected '${expect.clientId}'`);
  return problems;
}

export async function startKonnectSandbox(options: KonnectSandboxOptions = {}): Promise<KonnectSandbox> {
  const token = options.token ?? DEFAULT_KONNECT_SANDBOX_TOKEN;
  const region = options.region ?? 'us';
  const ctx: KonnectContext = {
    portals: new PortalStore(),
    idps: new IdentityProviderStore(),
    tokens: new KonnectTokens(),
    contract: konnectContract(),
  };
  const initialise = () => {
    ctx.portals.clear();
    ctx.idps.clear();
    ctx.tokens.clear();
    ctx.tokens.add(token);
    ctx.portals.save(newPortal({ name: 'developer-portal', display_name: 'Developer Portal' }, region));
  };
  initialise();

  const flavour: SandboxFlavour = {
    authenticate: (req) => authenticate(ctx, req),
    error: frameworkError,
    invalidRequest: (errors, req) => invalidRequest(ctx, errors, req),
    rateLimited,
    contract: ctx.contract,
  };
  const sandbox = await startHttpSandbox(konnectRoutes(ctx), flavour, {
    port: options.port,
    host: options.host,
  });

  const requirePortal = (id: string) => {
    const portal = ctx.portals.find(id);
    if (!portal) throw new Error(`no portal ${id}`);
    return portal;
  };

  const konnectControl: KonnectSandboxControl = {
    addPortal(partial = {}) {
      if (partial.name !== undefined && ctx.portals.byName(partial.name))
        throw new Error(`a portal named ${partial.name} already exists`);
      const name = partial.name ?? `portal-${ctx.portals.list().length + 1}`;
      return structuredClone(ctx.portals.save(newPortal({ ...partial, name }, region)));
    },
    setCustomDomain(portalId, hostname) {
      const portal = requirePortal(portalId);
      if (hostname === null) delete portal.custom_domain;
      else portal.custom_domain = hostname;
      portal.canonical_domain = portal.custom_domain ?? portal.default_domain;
      return structuredClone(portal);
    },
    addIdentityProvider(portalId, idp) {
      requirePortal(portalId);
      const now = new Date().toISOString();
      const stored: StoredIdentityProvider = {
        id: idp.id ?? randomUUID(),
        type: idp.type,
        enabled: idp.enabled ?? false,
        config: structuredClone(idp.config),
        created_at: now,
        updated_at: now,
      };
      return structuredClone(ctx.idps.save(portalId, stored));
    },
    addToken: (extra, grant) => ctx.tokens.add(extra, grant),
    reset() {
      initialise();
      sandbox.control.resetTraffic();
    },
  };

  return {
    url: sandbox.url,
    token,
    // Keep the framework's getters (calls, contractViolations) live by extending, not copying, its control.
    control: Object.assign(sandbox.control, konnectControl),
    state: {
      portal: (id) => structuredClone(ctx.portals.find(id)),
      portals: () => structuredClone(ctx.portals.list()),
      identityProviders: (portalId) => structuredClone(ctx.idps.list(portalId)),
      signInProblems: (portalId, expect) =>
        signInProblems(ctx.portals.find(portalId), ctx.idps.list(portalId), expect),
    },
    close: () => sandbox.close(),
  };
}

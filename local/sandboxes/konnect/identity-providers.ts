/**
 * A portal's identity providers (the document's PortalIdentityProvider). What the document says and
 * the sandbox keeps: `type` is oidc | saml and cannot change (PortalUpdateIdentityProvider has no
 * `type`); `enabled` defaults to false; the OIDC config requires issuer_url and client_id, defaults
 * scopes to [email, openid, profile] and claim_mappings to name/email/groups; `client_secret` is
 * writeOnly: stored, never shown. What it adds (contracts/README.md lists each with its source or
 * as an assumption): one provider of a type per portal, one enabled provider per portal.
 */
import { randomUUID } from 'node:crypto';

export type IdentityProviderType = 'oidc' | 'saml';

export interface StoredIdentityProvider {
  id: string;
  type: IdentityProviderType;
  enabled: boolean;
  /** As stored, writeOnly fields (the OIDC client_secret) included. */
  config: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** The config schema of each type in the document. */
export const CONFIG_SCHEMAS: Record<IdentityProviderType, string> = {
  oidc: 'OIDCIdentityProviderConfig',
  saml: 'PortalSAMLIdentityProviderConfig',
};

/** Config fields the document marks writeOnly: accepted and stored, never returned. */
const WRITE_ONLY: Record<IdentityProviderType, readonly string[]> = {
  oidc: ['client_secret'],
  saml: [],
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The document's defaults for what a create leaves out. */
export function withDefaults(type: IdentityProviderType, config: Obj): Obj {
  if (type !== 'oidc') return structuredClone(config);
  const mappings = isObj(config.claim_mappings) ? config.claim_mappings : {};
  return {
    ...structuredClone(config),
    scopes: Array.isArray(config.scopes) ? [...(config.scopes as unknown[])] : ['email', 'openid', 'profile'],
    claim_mappings: { name: 'name', email: 'email', groups: 'groups', ...mappings },
  };
}

export function newIdentityProvider(
  type: IdentityProviderType,
  config: Obj,
  enabled = false,
  id: string = randomUUID(),
): StoredIdentityProvider {
  const now = new Date().toISOString();
  return { id, type, enabled, config: withDefaults(type, config), created_at: now, updated_at: now };
}

/** As the API returns it: writeOnly config fields left out. */
export function renderIdentityProvider(idp: StoredIdentityProvider): Obj {
  const config = Object.fromEntries(
    Object.entries(idp.config).filter(([key]) => !WRITE_ONLY[idp.type].includes(key)),
  );
  return { ...structuredClone(idp), config: structuredClone(config) };
}

/** Identity providers per portal, in creation order. */
export class IdentityProviderStore {
  private readonly byPortal = new Map<string, StoredIdentityProvider[]>();

  list(portalId: string): StoredIdentityProvider[] {
    return this.byPortal.get(portalId) ?? [];
  }

  find(portalId: string, id: string): StoredIdentityProvider | undefined {
    return this.list(portalId).find((idp) => idp.id === id);
  }

  save(portalId: string, idp: StoredIdentityProvider): StoredIdentityProvider {
    const others = this.list(portalId).filter((i) => i.id !== idp.id);
    const index = this.list(portalId).findIndex((i) => i.id === idp.id);
    const next = [...others];
    next.splice(index < 0 ? next.length : index, 0, idp);
    this.byPortal.set(portalId, next);
    return idp;
  }

  remove(portalId: string, id: string): boolean {
    const before = this.list(portalId);
    this.byPortal.set(
      portalId,
      before.filter((i) => i.id !== id),
    );
    return before.some((i) => i.id === id);
  }

  clear(): void {
    this.byPortal.clear();
  }
}

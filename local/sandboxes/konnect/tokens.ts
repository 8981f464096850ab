/**
 * Konnect's API authentication: a personal access token (`kpat_...`) or a system account token
 * (`spat_...`) as `Authorization: Bearer <token>` (the document's securitySchemes personalAccessToken
 * and systemAccountAccessToken, both `http` `bearer`). A missing or unknown token is 401; a valid
 * token whose owner has no role allowing the action on the portal is 403 (trufflehog's Konnect
 * detector, trufflesecurity/trufflehog PR #5305, reads 403 as "valid token, lacking permission").
 * The sandbox models the two limits a provisioner meets: roles on some portals only, and viewer
 * (read-only) roles.
 */
import type { SandboxRequest } from '../http-sandbox';

export interface KonnectGrant {
  /** Portal ids the token's owner has roles on; every portal when omitted; `[]`: no portal role at all. */
  portals?: string[];
  /** Viewer roles only: reads pass, any write is 403. */
  readOnly?: boolean;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class KonnectTokens {
  private readonly grants = new Map<string, KonnectGrant>();

  add(token: string, grant: KonnectGrant = {}): void {
    this.grants.set(token, structuredClone(grant));
  }

  clear(): void {
    this.grants.clear();
  }

  /** The grant of the request's bearer token; undefined when it has none Konnect knows. */
  grantOf(req: SandboxRequest): KonnectGrant | undefined {
    const header = req.headers.authorization;
    const value = Array.isArray(header) ? header[0] : header;
    // The auth scheme is case-insensitive (RFC 9110 11.1); the token itself is not.
    const m = /^bearer +(\S+)\s*$/i.exec(value ?? '');
    return m?.[1] === undefined ? undefined : this.grants.get(m[1]);
  }

  /** May this grant see the portal at all (lists show only those)? */
  canSee(grant: KonnectGrant, portalId: string): boolean {
    return grant.portals === undefined || grant.portals.includes(portalId);
  }

  /** May this grant perform the request's method on the portal? */
  allows(grant: KonnectGrant, method: string, portalId: string | undefined): boolean {
    if (grant.readOnly && !READS.has(method)) return false;
    return portalId === undefined || this.canSee(grant, portalId);
  }
}

/**
 * Where a developer portal lives, as one interface for every portal product: the Kong Enterprise
 * workspace Dev Portal (Gateway EE <= 3.4) and the Konnect Dev Portal (Portal Management API v3).
 * The steps resolve, snapshot, apply, restore and verify through it; only the adapters in
 * clients/portals/ know a vendor.
 *
 * A request names its portal by a key that is also the lock and the resource names' scope: a Kong
 * workspace name, or `konnect.<portal id or name>` for a Konnect portal, so the two products never
 * share a lock or an Okta app.
 */
import type { PortalUrls } from './portal-urls';

export const PORTAL_TARGETS = ['kong-ee-workspace', 'konnect'] as const;
export type PortalTargetKind = (typeof PORTAL_TARGETS)[number];

export const KONNECT_KEY_PREFIX = 'konnect.';

export type PortalRef =
  { kind: 'kong-ee-workspace'; workspace: string } | { kind: 'konnect'; portal: string };

/** The portal a request's key names. */
export function portalRefOf(key: string): PortalRef {
  return key.startsWith(KONNECT_KEY_PREFIX)
    ? { kind: 'konnect', portal: key.slice(KONNECT_KEY_PREFIX.length) }
    : { kind: 'kong-ee-workspace', workspace: key };
}

/** How undo reports and leftovers name the portal and its sign-in settings. */
export function portalResourceId(key: string, part?: 'settings'): string {
  const ref = portalRefOf(key);
  const base = ref.kind === 'konnect' ? `konnect-portal:${ref.portal}` : `kong-workspace:${ref.workspace}`;
  if (!part) return base;
  return ref.kind === 'konnect' ? `${base}:sign-in-settings` : `${base}:portal-settings`;
}

export const konnectKey = (portal: string): string => `${KONNECT_KEY_PREFIX}${portal}`;

/** What a portal step needs to know of the request (the key, and how the sign-in is wanted). */
export interface PortalRequest {
  /** The request's key: a Kong workspace, or `konnect.<portal>`. */
  workspace: string;
  scopes: readonly string[];
  claimName: string;
  autoApprove: boolean;
  sslVerify: boolean;
  /** A plan only: nothing is written, not even a write that changes nothing. */
  dryRun: boolean;
}

export interface PortalLocation {
  /** The Kong workspace id or the Konnect portal id. */
  portalId: string;
  urls: PortalUrls;
  /** The portal's sign-in settings as found, as JSON: what an undo puts back. May hold a secret. */
  snapshot: string;
  /** The same settings for a plan: masked by allow-list, never a secret. */
  masked: Record<string, unknown>;
  /** Security-relevant changes the request makes to the portal as found. */
  warnings: string[];
  /** Other request keys that name this same portal (a Konnect portal by id and by name). */
  aliases: string[];
  /**
   * What stands in the way unless it is the provisioner's own from an earlier run (a Konnect
   * identity provider): refused at once when no run of ours has touched the portal before.
   */
  occupiedBy?: string;
}

/** Where a located portal is, as the apply needs it. */
export interface PortalPlace {
  portalId: string;
  urls: PortalUrls;
}

/** What the portal is given to sign developers in through Okta. */
export interface SignInSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** What the portal will send to Okta when a developer signs in, as the portal answered the write. */
export interface StoredSignIn {
  discoveryUrl: string;
  redirectUri: string;
  scopes: string[];
}

/** A plan's view of the portal: its settings now and after a provisioning, secrets masked. */
export interface PortalPlan {
  target: PortalTargetKind;
  /** The Kong workspace or Konnect portal, as the request named it. */
  portal: string;
  portalUrl: string;
  redirectUri: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

export interface PortalTarget {
  readonly kind: PortalTargetKind;
  /** Where the portal lives, the URLs Okta must allow, and its sign-in settings as they are now. */
  locate(request: PortalRequest): Promise<PortalLocation>;
  /**
   * Turns sign-in through Okta on and checks the portal's answer names our issuer, client and
   * redirect URI. Idempotent.
   */
  apply(request: PortalRequest, place: PortalPlace, signIn: SignInSettings): Promise<StoredSignIn>;
  /**
   * Puts the sign-in settings back exactly as a snapshot recorded them, changing only what
   * differs. `ours` names the clients the provisioner configured, so only what it made is removed.
   */
  restore(
    key: string,
    snapshot: string,
    ours: { clientIds: readonly string[] },
  ): Promise<{ changed: boolean }>;
  /**
   * Teardown without a snapshot: back to the product's defaults, but only if the portal signs in
   * through this client now; otherwise nothing is touched.
   */
  resetIfSignsInWith(key: string, clientIds: readonly string[]): Promise<'reset' | 'unchanged' | 'not-ours'>;
}

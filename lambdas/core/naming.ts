/**
 * Deterministic names and the ownership marker. Every step finds its resource by name before
 * creating it; a resource is ours for (environment, workspace) only when its marker says exactly
 * that, and undo removes only what the marker says the given request made.
 */

export const PRODUCT = 'kong-portal-provisioner';

export interface Scope {
  environment: string;
  workspace: string;
}

/**
 * `kong-portal-<env>.<workspace>`: the label / name of every Okta resource we create. Environment
 * names cannot contain '.', so the first '.' ends the environment: `dev` + `eu-web` and `dev-eu` +
 * `web` get different names (a hyphen there would make them the same).
 */
export function resourceName({ environment, workspace }: Scope): string {
  return `kong-portal-${environment}.${workspace}`;
}

/**
 * Secrets Manager names allow [A-Za-z0-9/_+=.@-]; Kong workspace names may contain `~`, which
 * Secrets Manager refuses. `+` is not allowed in workspace names, so the mapping stays one-to-one.
 */
export function secretNameSegment(workspace: string): string {
  return workspace.replace(/~/g, '+');
}

/** What the provisioner keeps per workspace: the app's client secret, Kong before the first provisioning, Kong before the current run. */
export type SecretKind = 'client-secret' | 'kong-baseline' | 'kong-rollback';
export const SECRET_KINDS: readonly SecretKind[] = ['client-secret', 'kong-baseline', 'kong-rollback'];

/** `kong-portal-provisioner/<env>/<workspace>/<kind>`: IAM policies grant by this shape. */
export function secretName(scope: Scope, kind: SecretKind): string {
  return `${secretNamePrefix(scope.environment)}${secretNameSegment(scope.workspace)}/${kind}`;
}

export function secretNamePrefix(environment: string): string {
  return `${PRODUCT}/${environment}/`;
}

/** Who made a resource, as recorded on it. A marker without environment/workspace is never ours. */
export interface Marker {
  requestId: string;
  environment?: string;
  workspace?: string;
}

/** Whom an operation acts for: one request of one (environment, workspace), or any request of it. */
export interface Owner {
  scope: Scope;
  requestId: string;
}

/** Teardown removes what any provisioner request made for the workspace, never anything else. */
export const ANY_REQUEST = '*';

const MARKER_PATTERN =
  /\[managed-by=kong-portal-provisioner environment=([a-z0-9-]+) workspace=([A-Za-z0-9._~+-]+) request=([A-Za-z0-9_.:-]+)\]/;

/** For resources whose only free-text field is a description (auth servers, policies). */
export function describeWithMarker(text: string, owner: Owner): string {
  const { environment, workspace } = owner.scope;
  return `${text} [managed-by=${PRODUCT} environment=${environment} workspace=${workspace} request=${owner.requestId}]`;
}

export function markerFromDescription(description: string | undefined | null): Marker | undefined {
  const match = description ? MARKER_PATTERN.exec(description) : null;
  if (!match) return undefined;
  const [, environment, workspace, requestId] = match;
  return requestId ? { requestId, environment, workspace } : undefined;
}

/** The app profile carries the marker as fields. */
export function profileMarker(owner: Owner): Record<string, string> {
  return { managedBy: PRODUCT, requestId: owner.requestId, ...owner.scope };
}

export function markerFromProfile(profile: unknown): Marker | undefined {
  if (typeof profile !== 'object' || profile === null) return undefined;
  const { managedBy, requestId, environment, workspace } = profile as Record<string, unknown>;
  if (managedBy !== PRODUCT || typeof requestId !== 'string') return undefined;
  return {
    requestId,
    ...(typeof environment === 'string' ? { environment } : {}),
    ...(typeof workspace === 'string' ? { workspace } : {}),
  };
}

export type Ownership = 'this-request' | 'other-request' | 'other-scope' | 'not-managed';

export function ownershipOf(marker: Marker | undefined, owner: Owner): Ownership {
  if (marker === undefined) return 'not-managed';
  if (marker.environment !== owner.scope.environment || marker.workspace !== owner.scope.workspace)
    return 'other-scope';
  return marker.requestId === owner.requestId || owner.requestId === ANY_REQUEST
    ? 'this-request'
    : 'other-request';
}

/** Made by the provisioner for exactly this (environment, workspace), by any request. */
export const isOurs = (marker: Marker | undefined, scope: Scope): boolean =>
  ownershipOf(marker, { scope, requestId: ANY_REQUEST }) === 'this-request';

export function ownershipReason(ownership: Ownership): string {
  switch (ownership) {
    case 'other-request':
      return 'created by another provisioner request: not this request to remove';
    case 'other-scope':
      return 'created by kong-portal-provisioner for another environment or workspace: never removed from here';
    default:
      return 'not created by kong-portal-provisioner: never removed automatically';
  }
}

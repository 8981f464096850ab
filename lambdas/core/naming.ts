/**
 * Deterministic names and the ownership marker. Every step finds its resource by name before
 * creating it, and undo only removes resources whose marker names the request that made them.
 */

export const PRODUCT = 'kong-portal-provisioner';

export interface Scope {
  environment: string;
  workspace: string;
}

/** `kong-portal-<env>-<workspace>`: the label / name of every Okta resource we create. */
export function resourceName({ environment, workspace }: Scope): string {
  return `kong-portal-${environment}-${workspace}`;
}

/**
 * Secrets Manager names allow [A-Za-z0-9/_+=.@-]; Kong workspace names may contain `~`, which
 * Secrets Manager refuses. `+` is not allowed in workspace names, so the mapping stays one-to-one.
 */
export function secretNameSegment(workspace: string): string {
  return workspace.replace(/~/g, '+');
}

export type SecretKind = 'client-secret' | 'kong-snapshot';

/** `kong-portal-provisioner/<env>/<workspace>/<kind>`: IAM policies grant by this prefix. */
export function secretName(scope: Scope, kind: SecretKind): string {
  return `${secretNamePrefix(scope.environment)}${secretNameSegment(scope.workspace)}/${kind}`;
}

export function secretNamePrefix(environment: string): string {
  return `${PRODUCT}/${environment}/`;
}

export interface OwnershipMarker {
  managedBy: typeof PRODUCT;
  requestId: string;
}

export function ownershipMarker(requestId: string): OwnershipMarker {
  return { managedBy: PRODUCT, requestId };
}

const MARKER_PATTERN = /\[managed-by=kong-portal-provisioner request=([A-Za-z0-9_.:-]+)\]/;

/** For resources whose only free-text field is a description (auth servers, policies). */
export function describeWithMarker(text: string, requestId: string): string {
  return `${text} [managed-by=${PRODUCT} request=${requestId}]`;
}

/** The request id recorded in a description, or undefined when the resource is not ours. */
export function requestIdFromDescription(description: string | undefined | null): string | undefined {
  return description ? MARKER_PATTERN.exec(description)?.[1] : undefined;
}

/** The request id recorded in an app profile, or undefined when the app is not ours. */
export function requestIdFromProfile(profile: unknown): string | undefined {
  if (typeof profile !== 'object' || profile === null) return undefined;
  const { managedBy, requestId } = profile as Record<string, unknown>;
  return managedBy === PRODUCT && typeof requestId === 'string' ? requestId : undefined;
}

export type Ownership = 'this-request' | 'other-request' | 'not-managed';

/** Teardown removes what any provisioner request made for the workspace, never anything else. */
export const ANY_REQUEST = '*';

export function ownershipOf(recordedRequestId: string | undefined, requestId: string): Ownership {
  if (recordedRequestId === undefined) return 'not-managed';
  return recordedRequestId === requestId || requestId === ANY_REQUEST ? 'this-request' : 'other-request';
}

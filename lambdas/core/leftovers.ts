/** How a leftover reads for a person cleaning up: what it is, and where to find it. */
import { portalResourceId } from './portal-target';
import { resourceName, secretName, type Scope } from './naming';

export type LeftoverKind =
  | 'kong-portal-settings'
  | 'kong-rollback'
  | 'okta-app'
  | 'client-secret'
  | 'okta-group-assignments'
  | 'okta-authorization-server';

export function describeLeftover(kind: LeftoverKind, scope: Scope, requestId: string): string {
  const name = resourceName(scope);
  switch (kind) {
    case 'kong-portal-settings':
      return `${portalResourceId(scope.workspace, 'settings')} (possibly half-applied; the settings before request ${requestId} are in secret ${secretName(scope, 'kong-rollback')})`;
    case 'kong-rollback':
      return `secret:${secretName(scope, 'kong-rollback')}`;
    case 'okta-app':
      return `okta-app:${name} (if request ${requestId} created it)`;
    case 'client-secret':
      return `secret:${secretName(scope, 'client-secret')}`;
    case 'okta-group-assignments':
      return `okta-group-assignments:${name} (groups request ${requestId} assigned)`;
    case 'okta-authorization-server':
      return `okta-authorization-server:${name} (if request ${requestId} created it, or its claim, policy and rule)`;
  }
}

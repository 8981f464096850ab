/** The portal a request's key names, behind the one interface every portal step uses. */
import { KongWorkspacePortal } from '../clients/portals/kong-workspace';
import { KonnectDevPortal } from '../clients/portals/konnect-portal';
import { portalRefOf, type PortalTarget } from '../core/portal-target';
import type { StepContext } from './context';

export function portalOf(
  ctx: Pick<StepContext, 'kong' | 'konnect' | 'portalUrls'>,
  key: string,
): PortalTarget {
  const ref = portalRefOf(key);
  return ref.kind === 'konnect'
    ? new KonnectDevPortal(ctx.konnect, ref.portal)
    : new KongWorkspacePortal(ctx.kong, ctx.portalUrls);
}

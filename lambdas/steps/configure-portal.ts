/**
 * ConfigurePortal and its undo RevertPortal. The client secret is read from Secrets Manager by
 * ARN inside the invocation and written to the portal; it never enters the state. What the portal
 * answers the write with is checked by its adapter (it names our issuer, client and redirect URI),
 * so no later step has to read it back.
 */
import { portalResourceId } from '../core/portal-target';
import type { UndoReport } from '../core/undo-report';
import { logger } from '../clients/logger';
import type { StepContext } from './context';
import { portalOf } from './portal';
import { requireResource } from './scope';
import type { PortalAuthResource, WorkflowState } from './state';

export async function configurePortal(
  state: WorkflowState,
  ctx: Pick<StepContext, 'kong' | 'konnect' | 'secrets' | 'portalUrls'>,
): Promise<PortalAuthResource> {
  const { workspace, sslVerify, autoApprove } = state.request;
  const portal = requireResource(state.resources.portal, 'portal');
  const app = requireResource(state.resources.oktaApp, 'oktaApp');
  const server = requireResource(state.resources.authServer, 'authServer');
  if (!sslVerify)
    logger.warn('ssl_verify disabled for the portal by explicit request', {
      workspace,
      requestId: state.requestId,
    });
  const place = { portalId: portal.workspaceId, urls: portal.urls };
  const signIn = await portalOf(ctx, workspace).apply(state.request, place, {
    issuer: server.issuer,
    clientId: app.clientId,
    clientSecret: await ctx.secrets.get(app.clientSecretArn),
  });
  return { applied: true, autoApprove, signIn };
}

export async function revertPortal(
  state: WorkflowState,
  ctx: Pick<StepContext, 'kong' | 'konnect' | 'secrets' | 'portalUrls'>,
): Promise<UndoReport> {
  const arn = state.resources.portal?.snapshotArn;
  // No snapshot means ResolvePortal never finished, so nothing was written to the portal either.
  if (!arn) return { removed: [], leftAlone: [] };
  const { changed } = await portalOf(ctx, state.request.workspace).restore(
    state.request.workspace,
    await ctx.secrets.get(arn),
    { clientIds: state.resources.oktaApp ? [state.resources.oktaApp.clientId] : [] },
  );
  return {
    removed: changed ? [portalResourceId(state.request.workspace, 'settings')] : [],
    leftAlone: [],
  };
}

/**
 * ConfigurePortal and its undo RevertPortal, plus VerifyPortal. The client secret is read from
 * Secrets Manager by ARN inside the invocation and written to Kong; it never enters the state.
 */
import { buildPortalAuthConf } from '../core/portal-auth-conf';
import type { PortalSettings } from '../clients/kong';
import { logger } from '../clients/logger';
import type { StepContext } from './context';
import { requireResource } from './scope';
import type { PortalAuthResource, UndoResult, VerificationResource, WorkflowState } from './state';

export async function configurePortal(
  state: WorkflowState,
  { kong, secrets }: StepContext,
): Promise<PortalAuthResource> {
  const { workspace, claimName, scopes, sslVerify, autoApprove } = state.request;
  const portal = requireResource(state.resources.portal, 'portal');
  const app = requireResource(state.resources.oktaApp, 'oktaApp');
  const server = requireResource(state.resources.authServer, 'authServer');
  if (!sslVerify)
    logger.warn('ssl_verify disabled for the portal by explicit request', {
      workspace,
      requestId: state.requestId,
    });
  const authConf = buildPortalAuthConf({
    issuer: server.issuer,
    clientId: app.clientId,
    clientSecret: await secrets.get(app.clientSecretArn),
    urls: portal.urls,
    claimName,
    scopes,
    sslVerify,
  });
  await kong.applyPortalAuth(workspace, { authConf, autoApprove });
  return { applied: true, autoApprove };
}

export async function revertPortal(
  state: WorkflowState,
  { kong, secrets }: StepContext,
): Promise<UndoResult> {
  const arn = state.resources.portal?.snapshotArn;
  // No snapshot means ResolvePortal never finished, so nothing was written to Kong either.
  if (!arn) return { removed: [], leftAlone: [] };
  const snapshot = JSON.parse(await secrets.get(arn)) as PortalSettings;
  await kong.restorePortalSettings(state.request.workspace, snapshot);
  return { removed: [`kong-workspace:${state.request.workspace}:portal-settings`], leftAlone: [] };
}

export async function verifyPortal(
  state: WorkflowState,
  { kong }: StepContext,
): Promise<VerificationResource> {
  const app = requireResource(state.resources.oktaApp, 'oktaApp');
  const server = requireResource(state.resources.authServer, 'authServer');
  return kong.verifyPortal(state.request.workspace, { issuer: server.issuer, clientId: app.clientId });
}

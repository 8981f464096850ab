/**
 * ConfigurePortal and its undo RevertPortal. The client secret is read from Secrets Manager by
 * ARN inside the invocation and written to Kong; it never enters the state. What Kong answers the
 * write with is checked here (it names our issuer, client and redirect URI), so no later step has
 * to read the workspace back.
 */
import { buildPortalAuthConf } from '../core/portal-auth-conf';
import type { UndoReport } from '../core/undo-report';
import type { PortalSettings } from '../clients/kong';
import { logger } from '../clients/logger';
import type { StepContext } from './context';
import { requireResource } from './scope';
import type { PortalAuthResource, WorkflowState } from './state';

export async function configurePortal(
  state: WorkflowState,
  { kong, secrets }: Pick<StepContext, 'kong' | 'secrets'>,
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
  const signIn = await kong.applyPortalAuth(
    workspace,
    { authConf, autoApprove },
    { issuer: server.issuer, clientId: app.clientId, redirectUri: portal.urls.redirectUri },
  );
  return { applied: true, autoApprove, signIn };
}

export async function revertPortal(
  state: WorkflowState,
  { kong, secrets }: Pick<StepContext, 'kong' | 'secrets'>,
): Promise<UndoReport> {
  const arn = state.resources.portal?.snapshotArn;
  // No snapshot means ResolvePortal never finished, so nothing was written to Kong either.
  if (!arn) return { removed: [], leftAlone: [] };
  const snapshot = JSON.parse(await secrets.get(arn)) as PortalSettings;
  const { changed } = await kong.restorePortalSettings(state.request.workspace, snapshot);
  return {
    removed: changed ? [`kong-workspace:${state.request.workspace}:portal-settings`] : [],
    leftAlone: [],
  };
}

/**
 * CreateOktaApp and its undos DeleteOktaApp and DeleteClientSecret. The client secret goes
 * straight from Okta's answer into Secrets Manager in the same invocation; only its ARN leaves.
 */
import type { StepContext } from './context';
import { clientSecretName, nameOf, requireResource } from './scope';
import type { OktaAppResource, UndoResult, WorkflowState } from './state';

export async function createOktaApp(
  state: WorkflowState,
  { okta, secrets }: StepContext,
): Promise<OktaAppResource> {
  const { workspace, environment, scopes } = state.request;
  const portal = requireResource(state.resources.portal, 'portal');
  const app = await okta.ensureApp({
    label: nameOf(state),
    requestId: state.requestId,
    workspace,
    environment,
    redirectUri: portal.urls.redirectUri,
    postLogoutRedirectUris: [portal.urls.redirectUri, portal.urls.portalGuiUrl],
    scopes,
  });
  // An adopted app (earlier run, or a create whose answer was lost) has no secret in hand.
  const secret = app.clientSecret ?? (await okta.readClientSecret(app.id));
  const stored = await secrets.put(clientSecretName(state), secret, {
    requestId: state.requestId,
    description: `Okta client secret of app ${app.id} for Kong workspace '${workspace}' (${environment})`,
  });
  return {
    appId: app.id,
    clientId: app.clientId,
    clientSecretArn: stored.arn,
    created: app.created,
    secretCreated: stored.created,
  };
}

export async function deleteOktaApp(state: WorkflowState, { okta }: StepContext): Promise<UndoResult> {
  return okta.removeApp({ id: state.resources.oktaApp?.appId, name: nameOf(state) }, state.requestId);
}

export async function deleteClientSecret(
  state: WorkflowState,
  { secrets }: StepContext,
): Promise<UndoResult> {
  const arn = state.resources.oktaApp?.clientSecretArn ?? (await secrets.arnOf(clientSecretName(state)));
  if (!arn) return { removed: [], leftAlone: [] };
  const result = await secrets.deleteOwned(arn, state.requestId);
  return {
    removed: result.deleted ? [arn] : [],
    leftAlone: result.leftAlone ? [{ id: arn, reason: result.leftAlone }] : [],
  };
}

/**
 * CreateOktaApp and its undos DeleteOktaApp and DeleteClientSecret. The client secret goes
 * straight from Okta's answer into Secrets Manager in the same invocation; only its ARN leaves.
 */
import type { UndoReport } from '../core/undo-report';
import { isFirstAttempt, type StepContext } from './context';
import { clientSecretName, nameOf, ownerOf, requireResource } from './scope';
import type { OktaAppResource, WorkflowState } from './state';

export async function createOktaApp(
  state: WorkflowState,
  { okta, secrets, attempt }: Pick<StepContext, 'okta' | 'secrets' | 'attempt'>,
): Promise<OktaAppResource> {
  const { workspace, environment, scopes } = state.request;
  const portal = requireResource(state.resources.portal, 'portal');
  const inputs = requireResource(state.resources.oktaInputs, 'oktaInputs');
  const app = await okta.apps.ensure(
    {
      label: nameOf(state),
      owner: ownerOf(state),
      redirectUri: portal.urls.redirectUri,
      ...(portal.urls.otherRedirectUris ? { otherRedirectUris: portal.urls.otherRedirectUris } : {}),
      postLogoutRedirectUris: [
        portal.urls.redirectUri,
        ...(portal.urls.otherRedirectUris ?? []),
        portal.urls.portalGuiUrl,
      ],
      scopes,
    },
    // ResolveOktaInputs looked moments ago, under the workspace lock: nothing to look for again.
    { knownAbsent: isFirstAttempt({ attempt }) && !inputs.existing.app },
  );
  // An adopted app (earlier run, or a create whose answer was lost) has no secret in hand.
  const secret = app.clientSecret ?? (await okta.apps.readClientSecret(app.id));
  const stored = await secrets.put(clientSecretName(state), secret, {
    owner: ownerOf(state),
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

/**
 * An app the forward step recorded as adopted is not this request's to remove: nothing to read or
 * write. Without a record (the step failed, or its answer was lost) it is looked up by name and
 * removed only if this request's marker is on it.
 */
export async function deleteOktaApp(
  state: WorkflowState,
  { okta }: Pick<StepContext, 'okta'>,
): Promise<UndoReport> {
  const app = state.resources.oktaApp;
  if (app && !app.created) return { removed: [], leftAlone: [] };
  return okta.apps.remove({ id: app?.appId, name: nameOf(state) }, ownerOf(state));
}

export async function deleteClientSecret(
  state: WorkflowState,
  { secrets }: Pick<StepContext, 'secrets'>,
): Promise<UndoReport> {
  const app = state.resources.oktaApp;
  // A secret the forward step found written by an earlier request stays (its value is that app's secret).
  if (app && !app.secretCreated) return { removed: [], leftAlone: [] };
  const arn = app?.clientSecretArn ?? (await secrets.arnOf(clientSecretName(state)));
  if (!arn) return { removed: [], leftAlone: [] };
  const result = await secrets.deleteOwned(arn, ownerOf(state));
  return {
    removed: result.deleted ? [arn] : [],
    leftAlone: result.leftAlone ? [{ id: arn, reason: result.leftAlone }] : [],
  };
}

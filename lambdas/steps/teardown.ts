/**
 * Teardown: the undo halves again, for a workspace provisioned earlier by any request. Resources
 * are found by their deterministic names and removed only when the provisioner made them; the
 * Kong portal settings go back to the baseline saved before the first provisioning.
 */
import { ValidationError } from '../core/errors';
import { ANY_REQUEST } from '../core/naming';
import { assertServedEnvironment, parseTeardownRequest, type TeardownRequest } from '../core/request';
import type { PortalSettings } from '../clients/kong';
import type { StepContext } from './context';
import { baselineSnapshotName, clientSecretName, nameOf } from './scope';
import type { UndoResult, WorkflowState } from './state';

export interface TeardownState {
  requestId: string;
  request: TeardownRequest;
  resources: {
    removed?: Record<string, UndoResult>;
  };
}

const REQUEST_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** The provisioning helpers read `state.request.workspace/environment` only: a teardown state fits. */
const asWorkflow = (state: TeardownState) => state as unknown as WorkflowState;

export async function validateTeardown(input: {
  requestId?: unknown;
  request?: unknown;
}): Promise<TeardownState> {
  if (typeof input.requestId !== 'string' || !REQUEST_ID.test(input.requestId)) {
    throw ValidationError.of([{ field: 'requestId', reason: 'must be 1-80 letters, digits, - or _' }]);
  }
  const request = parseTeardownRequest(input.request);
  assertServedEnvironment(request.environment, process.env.PROVISIONER_ENVIRONMENT);
  return { requestId: input.requestId, request, resources: {} };
}

const KONG_DEFAULTS: PortalSettings = {
  portal: false,
  portal_auth: null,
  portal_auth_conf: null,
  portal_auto_approve: null,
};

export async function restorePortal(
  state: TeardownState,
  { kong, secrets, okta }: StepContext,
): Promise<UndoResult> {
  const { workspace } = state.request;
  const baselineArn = await secrets.arnOf(baselineSnapshotName(asWorkflow(state)));
  if (baselineArn) {
    await kong.restorePortalSettings(workspace, JSON.parse(await secrets.get(baselineArn)) as PortalSettings);
    return { removed: [`kong-workspace:${workspace}:portal-settings`], leftAlone: [] };
  }
  // No baseline: put Kong back to its defaults only if the portal still signs in through our app.
  const existing = await okta.lookupExisting(nameOf(asWorkflow(state)));
  const current = await kong.readPortalSettings(workspace);
  const conf = typeof current.portal_auth_conf === 'string' ? current.portal_auth_conf : '';
  if (existing.app?.managedByProvisioner && conf.includes(`"${existing.app.id}"`)) {
    await kong.restorePortalSettings(workspace, KONG_DEFAULTS);
    return { removed: [`kong-workspace:${workspace}:portal-settings`], leftAlone: [] };
  }
  return {
    removed: [],
    leftAlone: [
      { id: `kong-workspace:${workspace}`, reason: 'no baseline saved and the portal does not use our app' },
    ],
  };
}

export async function removeAuthServer(state: TeardownState, { okta }: StepContext): Promise<UndoResult> {
  return okta.removeAuthServer({ name: nameOf(asWorkflow(state)) }, ANY_REQUEST);
}

export async function removeOktaApp(state: TeardownState, { okta }: StepContext): Promise<UndoResult> {
  return okta.removeApp({ name: nameOf(asWorkflow(state)) }, ANY_REQUEST);
}

export async function removeSecrets(state: TeardownState, { secrets }: StepContext): Promise<UndoResult> {
  const result: UndoResult = { removed: [], leftAlone: [] };
  for (const name of [clientSecretName(asWorkflow(state)), baselineSnapshotName(asWorkflow(state))]) {
    const arn = await secrets.arnOf(name);
    if (!arn) continue;
    const deleted = await secrets.deleteOwned(arn, ANY_REQUEST);
    if (deleted.deleted) result.removed.push(arn);
    if (deleted.leftAlone) result.leftAlone.push({ id: arn, reason: deleted.leftAlone });
  }
  return result;
}

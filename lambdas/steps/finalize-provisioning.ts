/**
 * FinalizeProvisioning (states FinalizePlan, FinalizeSucceeded, FinalizeFailed): the run's
 * outcome in one place. On success it drops the run's rollback point once the outcome is
 * recorded (the teardown baseline was kept by ResolvePortal); on failure it lists every resource
 * an undo could not remove; for a dry run it returns the plan.
 */
import { portalResourceId } from '../core/portal-target';
import { buildPlan, type Plan } from '../core/plan';
import { logger } from '../clients/logger';
import { compensationChain } from './catalogue';
import type { StepContext } from './context';
import { describeFailure, recordOutcome } from './record-outcome';
import {
  baselineSnapshotName,
  clientSecretName,
  nameOf,
  requireResource,
  ownerOf,
  rollbackSnapshotName,
} from './scope';
import type { WorkflowState } from './state';

export interface FinalizeProvisioningInput {
  outcome: 'SUCCEEDED' | 'FAILED' | 'PLANNED';
  state: WorkflowState;
}

export interface SucceededOutput {
  status: 'SUCCEEDED';
  requestId: string;
  workspace: string;
  environment: string;
  issuer: string;
  clientId: string;
  portalUrl: string;
  redirectUri: string;
  clientSecretArn: string;
  created: Record<string, boolean>;
  /** Security-relevant changes made to the portal as found. */
  warnings?: string[];
}

export interface FailedOutput {
  status: 'FAILED' | 'CLEANUP_INCOMPLETE';
  requestId: string;
  error: { name: string; message: string };
  leftovers: string[];
  /** JSON of this output without `cause`, for the Fail state's Cause. */
  cause: string;
}

export interface PlannedOutput {
  status: 'PLANNED';
  requestId: string;
  plan: Plan;
}

export type ProvisioningOutput = SucceededOutput | FailedOutput | PlannedOutput;

type Ctx = Pick<StepContext, 'secrets' | 'requests'>;

/** What each undo would have removed, for the ones that failed. */
export function leftoversOf(state: WorkflowState): string[] {
  const failed = new Set(Object.keys(state.cleanupErrors ?? {}));
  const r = state.resources;
  const byUndo: Record<string, () => string[]> = {
    RevertPortal: () => [
      `${portalResourceId(state.request.workspace, 'settings')} (snapshot ${r.portal?.snapshotArn ?? rollbackSnapshotName(state)})`,
    ],
    DeleteAuthServer: () => [`okta-authorization-server:${r.authServer?.authServerId ?? nameOf(state)}`],
    UnassignGroups: () =>
      (r.groupAssignments?.assignments ?? [])
        .filter((a) => a.created)
        .map((a) => `okta-group-assignment:${r.oktaApp?.appId}/${a.groupId}`),
    DeleteOktaApp: () => [`okta-app:${r.oktaApp?.appId ?? nameOf(state)}`],
    DeleteClientSecret: () => [`secret:${r.oktaApp?.clientSecretArn ?? clientSecretName(state)}`],
    DeletePortalSnapshot: () => [`secret:${r.portal?.snapshotArn ?? rollbackSnapshotName(state)}`],
  };
  return compensationChain()
    .filter((undo) => failed.has(undo))
    .flatMap((undo) => byUndo[undo]?.() ?? [`${undo}: see execution history`]);
}

function planned(state: WorkflowState): PlannedOutput {
  const portal = requireResource(state.resources.portal, 'portal');
  const inputs = requireResource(state.resources.oktaInputs, 'oktaInputs');
  const plan = buildPlan({
    request: state.request,
    name: nameOf(state),
    urls: portal.urls,
    groups: inputs.groups,
    existing: inputs.existing,
    currentSettings: portal.currentSettingsMasked ?? {},
    secretNames: [clientSecretName(state), baselineSnapshotName(state)],
    warnings: portal.warnings,
  });
  return { status: 'PLANNED', requestId: state.requestId, plan };
}

function succeeded(state: WorkflowState): SucceededOutput {
  const r = state.resources;
  const app = requireResource(r.oktaApp, 'oktaApp');
  const server = requireResource(r.authServer, 'authServer');
  const portal = requireResource(r.portal, 'portal');
  return {
    status: 'SUCCEEDED',
    requestId: state.requestId,
    workspace: state.request.workspace,
    environment: state.request.environment,
    issuer: server.issuer,
    clientId: app.clientId,
    portalUrl: portal.urls.portalGuiUrl,
    redirectUri: portal.urls.redirectUri,
    clientSecretArn: app.clientSecretArn,
    created: {
      oktaApp: app.created,
      clientSecret: app.secretCreated,
      authServer: server.created,
      claim: r.authorization?.claim?.created ?? false,
      accessPolicy: r.authorization?.accessPolicy?.created ?? false,
      policyRule: r.authorization?.policyRule?.created ?? false,
      groupAssignments: (r.groupAssignments?.assignments ?? []).some((a) => a.created),
    },
    ...(portal.warnings?.length ? { warnings: portal.warnings } : {}),
  };
}

function failed(state: WorkflowState): FailedOutput {
  const leftovers = leftoversOf(state);
  const status = leftovers.length ? 'CLEANUP_INCOMPLETE' : 'FAILED';
  const body = {
    status,
    requestId: state.requestId,
    error: describeFailure(state.failure),
    leftovers,
  } as const;
  logger.error('provisioning failed', {
    requestId: state.requestId,
    status,
    error: body.error.name,
    leftovers,
  });
  return { ...body, cause: JSON.stringify(body) };
}

export async function finalizeProvisioning(
  { outcome, state }: FinalizeProvisioningInput,
  ctx: Ctx,
): Promise<ProvisioningOutput> {
  if (outcome === 'PLANNED') {
    const output = planned(state);
    await recordOutcome(
      state,
      { status: 'PLANNED', outputs: { requestId: output.requestId, plan: output.plan } },
      ctx,
    );
    return output;
  }
  if (outcome === 'FAILED') {
    const output = failed(state);
    await recordOutcome(
      state,
      { status: output.status, error: output.error, leftovers: output.leftovers },
      ctx,
    );
    return output;
  }
  const output = succeeded(state);
  logger.info('provisioning succeeded', { requestId: state.requestId, workspace: state.request.workspace });
  const { status, warnings, ...outputs } = output;
  await recordOutcome(state, { status, outputs, ...(warnings ? { warnings } : {}) }, ctx);
  // Recorded: this run will not roll back any more, so its rollback point can go.
  const rollbackArn = state.resources.portal?.snapshotArn;
  if (rollbackArn) await ctx.secrets.deleteOwned(rollbackArn, ownerOf(state));
  return output;
}

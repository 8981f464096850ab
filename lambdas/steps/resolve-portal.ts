/**
 * ResolvePortal and its undo DeletePortalSnapshot. Learns where the workspace's portal lives and
 * keeps its current `config.portal*` values in Secrets Manager (they can hold an earlier client
 * secret): as this run's rollback point, and - when no run has touched the workspace before - as
 * the teardown baseline, written before anything changes, whatever later happens to this run.
 */
import { derivePortalUrls } from '../core/portal-urls';
import { maskedSettings } from '../core/settings-mask';
import { weakeningsOf } from '../core/weakenings';
import type { UndoReport } from '../core/undo-report';
import type { StepContext } from './context';
import { baselineSnapshotName, ownerOf, rollbackSnapshotName } from './scope';
import type { PortalResource, WorkflowState } from './state';

export async function resolvePortal(
  state: WorkflowState,
  { kong, secrets, portalUrls }: Pick<StepContext, 'kong' | 'secrets' | 'portalUrls'>,
): Promise<PortalResource> {
  const { workspace, dryRun } = state.request;
  const env = await kong.readPortalEnvironment(workspace);
  const urls = derivePortalUrls(workspace, env.configuration, portalUrls);
  const warnings = weakeningsOf(env.settings, state.request);
  const resource: PortalResource = {
    workspaceId: env.workspaceId,
    urls,
    ...(warnings.length ? { warnings } : {}),
  };
  // Only a plan shows the settings as found, and never with a secret in them.
  if (dryRun) return { ...resource, currentSettingsMasked: maskedSettings(env.settings) };
  const snapshot = JSON.stringify(env.settings);
  const owner = ownerOf(state);
  const [rollback, baseline] = await Promise.all([
    // A rollback point a dead run left here is taken over: this run holds the workspace now.
    secrets.put(rollbackSnapshotName(state), snapshot, {
      owner,
      takeOver: true,
      description: `Kong workspace '${workspace}' portal settings before request ${state.requestId}`,
    }),
    secrets.createIfAbsent(baselineSnapshotName(state), snapshot, {
      owner,
      description: `Kong workspace '${workspace}' portal settings before kong-portal-provisioner first configured it`,
    }),
  ]);
  return {
    ...resource,
    snapshotArn: rollback.arn,
    snapshotCreated: rollback.created,
    baselineCreated: baseline.created,
  };
}

/** Removes this run's rollback point, and the baseline if this run was the one that wrote it. */
export async function deletePortalSnapshot(
  state: WorkflowState,
  { secrets }: Pick<StepContext, 'secrets'>,
): Promise<UndoReport> {
  const result: UndoReport = { removed: [], leftAlone: [] };
  const rollbackArn =
    state.resources.portal?.snapshotArn ?? (await secrets.arnOf(rollbackSnapshotName(state)));
  const baselineArn = await secrets.arnOf(baselineSnapshotName(state));
  for (const arn of [rollbackArn, baselineArn]) {
    if (!arn) continue;
    const deleted = await secrets.deleteOwned(arn, ownerOf(state));
    if (deleted.deleted) result.removed.push(arn);
  }
  return result;
}

/**
 * ResolvePortal and its undo DeletePortalSnapshot. Learns where the workspace's portal lives and
 * keeps its current `config.portal*` values in Secrets Manager (they can hold an earlier client
 * secret), so RevertPortal can put them back exactly.
 */
import { derivePortalUrls } from '../core/portal-urls';
import type { UndoReport } from '../core/undo-report';
import type { PortalSettings } from '../clients/kong';
import type { StepContext } from './context';
import { baselineSnapshotName, rollbackSnapshotName } from './scope';
import type { PortalResource, WorkflowState } from './state';

/** The settings with any client secret masked, for plans and diffs. */
export function maskSettings(settings: PortalSettings): PortalSettings {
  if (typeof settings.portal_auth_conf !== 'string') return settings;
  try {
    const conf = JSON.parse(settings.portal_auth_conf) as Record<string, unknown>;
    if ('client_secret' in conf)
      conf.client_secret = Array.isArray(conf.client_secret) ? conf.client_secret.map(() => '***') : '***';
    return { ...settings, portal_auth_conf: JSON.stringify(conf) };
  } catch {
    return { ...settings, portal_auth_conf: '***' };
  }
}

export async function resolvePortal(
  state: WorkflowState,
  { kong, secrets }: Pick<StepContext, 'kong' | 'secrets'>,
): Promise<PortalResource> {
  const { workspace, dryRun } = state.request;
  const env = await kong.readPortalEnvironment(workspace);
  const urls = derivePortalUrls(workspace, env.configuration);
  const resource: PortalResource = {
    workspaceId: env.workspaceId,
    urls,
    currentSettingsMasked: maskSettings(env.settings),
  };
  if (dryRun) return resource;
  const snapshot = await secrets.put(rollbackSnapshotName(state), JSON.stringify(env.settings), {
    requestId: state.requestId,
    description: `Kong workspace '${workspace}' portal settings before request ${state.requestId}`,
  });
  return { ...resource, snapshotArn: snapshot.arn, snapshotCreated: snapshot.created };
}

export async function deletePortalSnapshot(
  state: WorkflowState,
  { secrets }: Pick<StepContext, 'secrets'>,
): Promise<UndoReport> {
  const result: UndoReport = { removed: [], leftAlone: [] };
  const rollbackArn =
    state.resources.portal?.snapshotArn ?? (await secrets.arnOf(rollbackSnapshotName(state)));
  // A baseline this request wrote (Finalize failed after writing it) goes too; an earlier one stays.
  const baselineArn = await secrets.arnOf(baselineSnapshotName(state));
  for (const arn of [rollbackArn, baselineArn]) {
    if (!arn) continue;
    const deleted = await secrets.deleteOwned(arn, state.requestId);
    if (deleted.deleted) result.removed.push(arn);
  }
  return result;
}

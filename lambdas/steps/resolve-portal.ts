/**
 * ResolvePortal and its undo DeletePortalSnapshot. Learns where the portal lives (a Kong workspace
 * or a Konnect portal) and keeps its current sign-in settings in Secrets Manager (a Kong workspace's
 * can hold an earlier client secret): as this run's rollback point, and - when no run has touched
 * the portal before - as the teardown baseline, written before anything changes, whatever later
 * happens to this run.
 */
import type { UndoReport } from '../core/undo-report';
import { PermanentError } from '../core/errors';
import type { StepContext } from './context';
import { portalOf } from './portal';
import { baselineSnapshotName, ownerOf, rollbackSnapshotName } from './scope';
import type { PortalResource, WorkflowState } from './state';

export async function resolvePortal(
  state: WorkflowState,
  ctx: Pick<StepContext, 'kong' | 'konnect' | 'secrets' | 'portalUrls'>,
): Promise<PortalResource> {
  const { workspace, dryRun } = state.request;
  const { secrets } = ctx;
  const found = await portalOf(ctx, workspace).locate(state.request);
  const resource: PortalResource = {
    workspaceId: found.portalId,
    urls: found.urls,
    ...(found.warnings.length ? { warnings: found.warnings } : {}),
  };
  const [touchedBefore, aliasInUse] = await Promise.all([
    // Asked only where it matters (a Kong workspace never has an occupant).
    found.occupiedBy ? secrets.arnOf(baselineSnapshotName(state)).then(Boolean) : false,
    firstAliasInUse(state, found.aliases, ctx),
  ]);
  if (aliasInUse)
    throw new PermanentError(
      `this portal is also named '${aliasInUse}', and a request by that name has configured it or is configuring it: use the same name as that request (one lock per portal name)`,
      { workspace },
    );
  // A portal no run of ours has touched that signs in through someone else's provider: refused
  // before anything is made in Okta (a later run of ours may find its own provider there).
  if (found.occupiedBy && !touchedBefore) {
    if (!dryRun) throw new PermanentError(found.occupiedBy, { workspace });
    resource.warnings = [...(resource.warnings ?? []), `the run would be refused: ${found.occupiedBy}`];
  }
  // Only a plan shows the settings as found, and never with a secret in them.
  if (dryRun) return { ...resource, currentSettingsMasked: found.masked };
  const owner = ownerOf(state);
  const [rollback, baseline] = await Promise.all([
    // A rollback point a dead run left here is taken over: this run holds the workspace now.
    secrets.put(rollbackSnapshotName(state), found.snapshot, {
      owner,
      takeOver: true,
      description: `Portal '${workspace}' sign-in settings before request ${state.requestId}`,
    }),
    secrets.createIfAbsent(baselineSnapshotName(state), found.snapshot, {
      owner,
      description: `Portal '${workspace}' sign-in settings before kong-portal-provisioner first configured it`,
    }),
  ]);
  return {
    ...resource,
    snapshotArn: rollback.arn,
    snapshotCreated: rollback.created,
    baselineCreated: baseline.created,
  };
}

/** The first other key of this portal under which a run of ours has left a snapshot (it holds it). */
async function firstAliasInUse(
  state: WorkflowState,
  aliases: readonly string[],
  { secrets }: Pick<StepContext, 'secrets'>,
): Promise<string | undefined> {
  const found = await Promise.all(
    aliases.map(async (alias) => {
      const other = { ...state, request: { ...state.request, workspace: alias } };
      const arns = await Promise.all([
        secrets.arnOf(baselineSnapshotName(other)),
        secrets.arnOf(rollbackSnapshotName(other)),
      ]);
      return arns.some(Boolean) ? alias : undefined;
    }),
  );
  return found.find((alias) => alias !== undefined);
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

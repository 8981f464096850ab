/**
 * RestorePortal (teardown): the portal's sign-in settings go back to the baseline saved before the
 * first provisioning. Without a baseline, the product's defaults - but only if the portal still
 * signs in through the provisioner's app.
 */
import { portalResourceId } from '../core/portal-target';
import type { UndoReport } from '../core/undo-report';
import type { StepContext } from './context';
import { portalOf } from './portal';
import { anyRunOf, baselineSnapshotName, nameOf } from './scope';
import type { TeardownState } from './teardown-state';

export async function restorePortal(
  state: TeardownState,
  ctx: Pick<StepContext, 'kong' | 'konnect' | 'secrets' | 'okta' | 'portalUrls'>,
): Promise<UndoReport> {
  const { workspace } = state.request;
  const { secrets, okta } = ctx;
  const portal = portalOf(ctx, workspace);
  const restored = (changed: boolean): UndoReport => ({
    removed: changed ? [portalResourceId(workspace, 'settings')] : [],
    leftAlone: [],
  });
  const baselineArn = await secrets.arnOf(baselineSnapshotName(state));
  // Kong settings are values, put back whoever set them; a Konnect identity provider is a resource,
  // removed only when it is our app's - and without a baseline, only a portal using our app is reset.
  const needsOurs = !baselineArn || portal.kind === 'konnect';
  // Our app, whichever run made it (an Okta OIDC app's client id is its id).
  const located = needsOurs ? await okta.apps.locate(nameOf(state), anyRunOf(state)) : [];
  // Every app of ours: a lost answer may once have made two, and the portal may use either.
  const ours = located.filter((app) => app.ownership === 'this-request').map((app) => app.id);
  if (baselineArn) {
    const snapshot = await secrets.get(baselineArn);
    return restored((await portal.restore(workspace, snapshot, { clientIds: ours })).changed);
  }
  if (ours.length) {
    const outcome = await portal.resetIfSignsInWith(workspace, ours);
    if (outcome !== 'not-ours') return restored(outcome === 'reset');
  }
  return {
    removed: [],
    leftAlone: [
      { id: portalResourceId(workspace), reason: 'no baseline saved and the portal does not use our app' },
    ],
  };
}

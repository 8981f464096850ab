/**
 * RestorePortal (teardown): the Kong portal settings go back to the baseline saved before the
 * first provisioning. Without a baseline, Kong's defaults - but only if the portal still signs in
 * through the provisioner's app.
 */
import type { UndoReport } from '../core/undo-report';
import type { PortalSettings } from '../clients/kong';
import type { StepContext } from './context';
import { baselineSnapshotName, nameOf, scopeOf } from './scope';
import type { TeardownState } from './teardown-state';

const KONG_DEFAULTS: PortalSettings = {
  portal: false,
  portal_auth: null,
  portal_auth_conf: null,
  portal_auto_approve: null,
};

export async function restorePortal(
  state: TeardownState,
  { kong, secrets, okta }: Pick<StepContext, 'kong' | 'secrets' | 'okta'>,
): Promise<UndoReport> {
  const { workspace } = state.request;
  const restored = (changed: boolean): UndoReport => ({
    removed: changed ? [`kong-workspace:${workspace}:portal-settings`] : [],
    leftAlone: [],
  });
  const baselineArn = await secrets.arnOf(baselineSnapshotName(state));
  if (baselineArn) {
    const baseline = JSON.parse(await secrets.get(baselineArn)) as PortalSettings;
    return restored((await kong.restorePortalSettings(workspace, baseline)).changed);
  }
  const [existing, current] = await Promise.all([
    okta.lookupExisting(nameOf(state), scopeOf(state)),
    kong.readPortalSettings(workspace),
  ]);
  const conf = typeof current.portal_auth_conf === 'string' ? current.portal_auth_conf : '';
  if (existing.app?.managedByProvisioner && conf.includes(`"${existing.app.id}"`)) {
    return restored((await kong.restorePortalSettings(workspace, KONG_DEFAULTS)).changed);
  }
  return {
    removed: [],
    leftAlone: [
      { id: `kong-workspace:${workspace}`, reason: 'no baseline saved and the portal does not use our app' },
    ],
  };
}

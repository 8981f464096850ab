/** What the run lifecycle works with: the request log and lock, the executions, and the rules of this deployment. */
import type { Executions } from '../clients/executions';
import type { RequestStore } from '../clients/requests';
import type { PortalTargetKind } from '../core/portal-target';

export interface RunDeps {
  store: RequestStore;
  executions: Executions;
  /** The one environment a deployment serves; absent locally (any environment). */
  servedEnvironment?: string;
  /** The portal products this deployment serves; absent locally (both). */
  servedTargets?: readonly PortalTargetKind[];
  /** Where the API lives (`/v1` deployed, empty locally): status URLs start with it. */
  basePath: string;
  /** How long a workspace lock lives if its run never releases it (crashed, killed). */
  lockTtlSeconds: number;
  now(): Date;
}

export const statusUrl = (deps: Pick<RunDeps, 'basePath'>, id: string): string =>
  `${deps.basePath}/provisionings/${id}`;

/** What the run lifecycle works with: the request log and lock, the executions, and the rules of this deployment. */
import type { Executions } from '../clients/executions';
import type { RequestStore } from '../clients/requests';

export interface RunDeps {
  store: RequestStore;
  executions: Executions;
  /** The one environment a deployment serves; absent locally (any environment). */
  servedEnvironment?: string;
  /** Where the API lives (`/v1` deployed, empty locally): status URLs start with it. */
  basePath: string;
  /** How long a workspace lock lives if its run never releases it (crashed, killed). */
  lockTtlSeconds: number;
  now(): Date;
}

export const statusUrl = (deps: Pick<RunDeps, 'basePath'>, id: string): string =>
  `${deps.basePath}/provisionings/${id}`;

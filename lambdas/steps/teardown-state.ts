/** The document a teardown execution carries: which workspace, and what each step removed. */
import type { Located } from '../clients/okta';
import type { TeardownRequest } from '../core/request';
import type { UndoReport } from '../core/undo-report';
import type { CaughtError } from './state';

export interface LocatedResources {
  apps: Located[];
  authServers: Located[];
}

export interface TeardownState {
  requestId: string;
  request: TeardownRequest;
  resources: {
    /** What LocateOktaResources found, for the removals' first attempt (a retry looks again). */
    located?: LocatedResources;
    removed?: Partial<
      Record<'RestorePortal' | 'RemoveAuthServer' | 'RemoveOktaApp' | 'RemoveSecrets', UndoReport>
    >;
  };
  failure?: CaughtError;
}

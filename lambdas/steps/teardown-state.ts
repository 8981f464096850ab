/** The document a teardown execution carries: which workspace, and what each step removed. */
import type { TeardownRequest } from '../core/request';
import type { UndoReport } from '../core/undo-report';
import type { CaughtError } from './state';

export interface TeardownState {
  requestId: string;
  request: TeardownRequest;
  resources: {
    removed?: Partial<
      Record<'RestorePortal' | 'RemoveAuthServer' | 'RemoveOktaApp' | 'RemoveSecrets', UndoReport>
    >;
  };
  failure?: CaughtError;
}

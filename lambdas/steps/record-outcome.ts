/** What both Finalize handlers do last: record the outcome and free the workspace for the next request. */
import type { RequestChanges } from '../clients/requests';
import type { StepContext } from './context';
import type { RunScope } from './scope';

export async function recordOutcome(
  state: RunScope,
  changes: RequestChanges,
  { requests }: Pick<StepContext, 'requests'>,
): Promise<void> {
  // Workflow tests run without a request log.
  if (!requests) return;
  await requests.update(state.requestId, changes);
  // A request that failed validation may not name a workspace: then it never took a lock.
  const { environment, workspace } = state.request ?? {};
  if (typeof environment === 'string' && typeof workspace === 'string')
    await requests.releaseLock({ environment, workspace }, state.requestId);
}

/** Step Functions gives a Lambda failure's Cause as JSON {errorType, errorMessage, trace}; keep name + message. */
export function describeFailure(failure: { Error: string; Cause?: string } | undefined): {
  name: string;
  message: string;
} {
  if (!failure) return { name: 'Unknown', message: 'no failure recorded' };
  try {
    const cause = JSON.parse(failure.Cause ?? '{}') as { errorMessage?: unknown };
    return {
      name: failure.Error,
      message: typeof cause.errorMessage === 'string' ? cause.errorMessage : (failure.Cause ?? ''),
    };
  } catch {
    return { name: failure.Error, message: failure.Cause ?? '' };
  }
}

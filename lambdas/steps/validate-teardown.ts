/** ValidateTeardown: the execution input becomes the teardown state, or the run stops with a ValidationError. */
import { assertServedEnvironment, parseTeardownRequest } from '../core/request';
import type { StepContext } from './context';
import { validRequestId } from './request-id';
import type { TeardownState } from './teardown-state';

export async function validateTeardown(
  input: { requestId?: unknown; request?: unknown },
  { servedEnvironment }: Pick<StepContext, 'servedEnvironment'>,
): Promise<TeardownState> {
  const requestId = validRequestId(input.requestId);
  const request = parseTeardownRequest(input.request);
  assertServedEnvironment(request.environment, servedEnvironment);
  return { requestId, request, resources: {} };
}

/** ValidatePlan: the execution input becomes the workflow state, or the run stops with a ValidationError. */
import { ValidationError } from '../core/errors';
import { assertServedEnvironment, parseProvisioningRequest } from '../core/request';
import type { StepContext } from './context';
import type { WorkflowState } from './state';

export const REQUEST_ID = /^[A-Za-z0-9_-]{1,80}$/;

export function validRequestId(requestId: unknown): string {
  if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId))
    throw ValidationError.of([{ field: 'requestId', reason: 'must be 1-80 letters, digits, - or _' }]);
  return requestId;
}

export async function validatePlan(
  input: { requestId?: unknown; request?: unknown },
  { servedEnvironment }: Pick<StepContext, 'servedEnvironment'>,
): Promise<WorkflowState> {
  const requestId = validRequestId(input.requestId);
  const request = parseProvisioningRequest(input.request);
  assertServedEnvironment(request.environment, servedEnvironment);
  return { requestId, request, resources: {} };
}

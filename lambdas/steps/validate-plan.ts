/** ValidatePlan: the execution input becomes the workflow state, or the run stops with a ValidationError. */
import { ValidationError } from '../core/errors';
import { assertServedEnvironment, parseProvisioningRequest } from '../core/request';
import type { WorkflowState } from './state';

const REQUEST_ID = /^[A-Za-z0-9_-]{1,80}$/;

export async function validatePlan(input: {
  requestId?: unknown;
  request?: unknown;
}): Promise<WorkflowState> {
  if (typeof input.requestId !== 'string' || !REQUEST_ID.test(input.requestId)) {
    throw ValidationError.of([{ field: 'requestId', reason: 'must be 1-80 letters, digits, - or _' }]);
  }
  const request = parseProvisioningRequest(input.request);
  assertServedEnvironment(request.environment, process.env.PROVISIONER_ENVIRONMENT);
  return { requestId: input.requestId, request, resources: {} };
}

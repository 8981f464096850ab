/** ValidatePlan: the execution input becomes the workflow state, or the run stops with a ValidationError. */
import { assertServedEnvironment, parseProvisioningRequest } from '../core/request';
import type { StepContext } from './context';
import { validRequestId } from './request-id';
import type { WorkflowState } from './state';

export async function validatePlan(
  input: { requestId?: unknown; request?: unknown },
  { servedEnvironment }: Pick<StepContext, 'servedEnvironment'>,
): Promise<WorkflowState> {
  const requestId = validRequestId(input.requestId);
  const request = parseProvisioningRequest(input.request);
  assertServedEnvironment(request.environment, servedEnvironment);
  return { requestId, request, resources: {} };
}

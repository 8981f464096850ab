/** ResolveOktaInputs: everything Okta must already have, checked before anything is created. */
import type { StepContext } from './context';
import { nameOf, scopeOf } from './scope';
import type { OktaInputsResource, WorkflowState } from './state';

export async function resolveOktaInputs(
  state: WorkflowState,
  { okta }: Pick<StepContext, 'okta'>,
): Promise<OktaInputsResource> {
  const { oktaGroups, emailAttribute } = state.request;
  const groups = await okta.directory.resolveGroups(oktaGroups);
  await okta.directory.assertUserAttribute(emailAttribute);
  // For the plan and for undo: what already exists under our names (an earlier provisioning, or a conflict).
  const existing = await okta.lookupExisting(nameOf(state), scopeOf(state));
  return { groups, existing };
}

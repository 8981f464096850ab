/**
 * ResolveOktaInputs: everything Okta must already have, checked before anything is created - the
 * groups, the e-mail attribute and what already exists under our names, all asked at once. When
 * both the groups and the attribute are wrong, the refusal names every field.
 */
import { ValidationError } from '../core/errors';
import type { StepContext } from './context';
import { nameOf, scopeOf } from './scope';
import type { OktaInputsResource, WorkflowState } from './state';

export async function resolveOktaInputs(
  state: WorkflowState,
  { okta }: Pick<StepContext, 'okta'>,
): Promise<OktaInputsResource> {
  const { oktaGroups, emailAttribute } = state.request;
  const [groups, attribute, existing] = await Promise.allSettled([
    okta.directory.resolveGroups(oktaGroups),
    okta.directory.assertUserAttribute(emailAttribute),
    // For the plan and for undo: what already exists under our names (an earlier provisioning, or a conflict).
    okta.lookupExisting(nameOf(state), scopeOf(state)),
  ]);
  const refusals = [groups, attribute].flatMap((r) =>
    r.status === 'rejected' && r.reason instanceof ValidationError ? [r.reason] : [],
  );
  if (refusals.length) throw ValidationError.of(refusals.flatMap((e) => e.issues));
  valueOf(attribute);
  return { groups: valueOf(groups), existing: valueOf(existing) };
}

function valueOf<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

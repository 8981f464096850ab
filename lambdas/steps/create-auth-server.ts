/**
 * CreateAuthServer and its undo DeleteAuthServer: a server this request created goes with
 * everything in it; in a server that existed before, only the claim / policy / rule this request
 * created are removed (CreateClaim, CreateAccessPolicy and CreatePolicyRule have no undo of their own).
 */
import type { UndoReport } from '../core/undo-report';
import { isFirstAttempt, type StepContext } from './context';
import { describeServer, nameOf, ownerOf, requireResource } from './scope';
import type { AuthServerResource, WorkflowState } from './state';

export async function createAuthServer(
  state: WorkflowState,
  { okta, attempt }: Pick<StepContext, 'okta' | 'attempt'>,
): Promise<AuthServerResource> {
  const inputs = requireResource(state.resources.oktaInputs, 'oktaInputs');
  const server = await okta.authServers.ensure(
    {
      name: nameOf(state),
      audience: state.request.audience,
      description: describeServer(state),
      owner: ownerOf(state),
    },
    // ResolveOktaInputs looked moments ago, under the workspace lock: nothing to look for again.
    { knownAbsent: isFirstAttempt({ attempt }) && !inputs.existing.authServer },
  );
  return { authServerId: server.id, issuer: server.issuer, created: server.created };
}

export async function deleteAuthServer(
  state: WorkflowState,
  { okta }: Pick<StepContext, 'okta'>,
): Promise<UndoReport> {
  const server = state.resources.authServer;
  if (!server || server.created) {
    return okta.authServers.remove({ id: server?.authServerId, name: nameOf(state) }, ownerOf(state));
  }
  // The server existed before this request: remove what this request added inside it, judged
  // against what was there before (a failed or lost-response step records nothing).
  const before = state.resources.oktaInputs?.existing.authServer;
  const names = { claim: state.request.claimName, policy: nameOf(state), rule: nameOf(state) };
  const found = await okta.authorization.find(server.authServerId, names);
  const policyBefore = before?.policies.find((p) => p.name === names.policy);
  const removed: string[] = [];
  if (found.policyId && !policyBefore) {
    // Its rules go with it.
    await okta.authorization.removeAccessPolicy(server.authServerId, found.policyId);
    removed.push(found.policyId);
  } else if (found.policyId && found.ruleId && !policyBefore?.ruleNames.includes(names.rule)) {
    await okta.authorization.removePolicyRule(server.authServerId, found.policyId, found.ruleId);
    removed.push(found.ruleId);
  }
  if (found.claimId && !before?.claimNames.includes(names.claim)) {
    await okta.authorization.removeClaim(server.authServerId, found.claimId);
    removed.push(found.claimId);
  }
  return { removed, leftAlone: [{ id: server.authServerId, reason: 'existed before this request' }] };
}

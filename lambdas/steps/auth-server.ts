/**
 * CreateAuthServer, CreateClaim, CreateAccessPolicy, CreatePolicyRule, and their undo
 * DeleteAuthServer: a server this request created goes with everything in it; in a server that
 * existed before, only the claim / policy / rule this request created are removed.
 */
import type { StepContext } from './context';
import { nameOf, requireResource } from './scope';
import type { AuthServerResource, SimpleResource, UndoResult, WorkflowState } from './state';

const describe = (state: WorkflowState) =>
  `Kong Dev Portal sign-in for workspace '${state.request.workspace}' (${state.request.environment})`;

export async function createAuthServer(
  state: WorkflowState,
  { okta }: StepContext,
): Promise<AuthServerResource> {
  const server = await okta.ensureAuthServer({
    name: nameOf(state),
    audience: state.request.audience,
    description: describe(state),
    requestId: state.requestId,
  });
  return { authServerId: server.id, issuer: server.issuer, created: server.created };
}

export async function createClaim(state: WorkflowState, { okta }: StepContext): Promise<SimpleResource> {
  const server = requireResource(state.resources.authServer, 'authServer');
  return okta.ensureClaim(server.authServerId, {
    name: state.request.claimName,
    value: `user.${state.request.emailAttribute}`,
  });
}

export async function createAccessPolicy(
  state: WorkflowState,
  { okta }: StepContext,
): Promise<SimpleResource> {
  const server = requireResource(state.resources.authServer, 'authServer');
  const app = requireResource(state.resources.oktaApp, 'oktaApp');
  return okta.ensureAccessPolicy(server.authServerId, {
    name: nameOf(state),
    description: describe(state),
    clientId: app.clientId,
    requestId: state.requestId,
  });
}

export async function createPolicyRule(state: WorkflowState, { okta }: StepContext): Promise<SimpleResource> {
  const server = requireResource(state.resources.authServer, 'authServer');
  const policy = requireResource(state.resources.accessPolicy, 'accessPolicy');
  return okta.ensurePolicyRule(server.authServerId, policy.id, {
    name: nameOf(state),
    accessTokenMinutes: state.request.tokenLifetimes.accessTokenMinutes,
    refreshTokenWindowMinutes: state.request.tokenLifetimes.refreshTokenWindowMinutes,
  });
}

export async function deleteAuthServer(state: WorkflowState, { okta }: StepContext): Promise<UndoResult> {
  const server = state.resources.authServer;
  if (!server || server.created) {
    return okta.removeAuthServer({ id: server?.authServerId, name: nameOf(state) }, state.requestId);
  }
  // The server existed before this request: remove what this request added inside it, judged
  // against what was there before (a failed or lost-response step records nothing).
  const before = state.resources.oktaInputs?.existing.authServer;
  const names = { claim: state.request.claimName, policy: nameOf(state), rule: nameOf(state) };
  const found = await okta.findInServer(server.authServerId, names);
  const policyBefore = before?.policies.find((p) => p.name === names.policy);
  const removed: string[] = [];
  if (found.policyId && !policyBefore) {
    // Its rules go with it.
    await okta.removeAccessPolicy(server.authServerId, found.policyId);
    removed.push(found.policyId);
  } else if (found.policyId && found.ruleId && !policyBefore?.ruleNames.includes(names.rule)) {
    await okta.removePolicyRule(server.authServerId, found.policyId, found.ruleId);
    removed.push(found.ruleId);
  }
  if (found.claimId && !before?.claimNames.includes(names.claim)) {
    await okta.removeClaim(server.authServerId, found.claimId);
    removed.push(found.claimId);
  }
  return { removed, leftAlone: [{ id: server.authServerId, reason: 'existed before this request' }] };
}

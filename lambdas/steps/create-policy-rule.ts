/** CreatePolicyRule: authorization code only, any user, any scope. Undone with its server (DeleteAuthServer). */
import { isFirstAttempt, type StepContext } from './context';
import { whileFresh } from './fresh';
import { nameOf, requireResource } from './scope';
import type { SimpleResource, WorkflowState } from './state';

export function createPolicyRule(
  state: WorkflowState,
  { okta, attempt }: Pick<StepContext, 'okta' | 'attempt'>,
): Promise<SimpleResource> {
  const server = requireResource(state.resources.authServer, 'authServer');
  const policy = requireResource(state.resources.authorization?.accessPolicy, 'authorization.accessPolicy');
  return whileFresh(server.created, 'the authorization server', () =>
    okta.authorization.ensurePolicyRule(
      server.authServerId,
      policy.id,
      {
        name: nameOf(state),
        accessTokenMinutes: state.request.tokenLifetimes.accessTokenMinutes,
        refreshTokenWindowMinutes: state.request.tokenLifetimes.refreshTokenWindowMinutes,
      },
      // A policy this request made has no rules before this step's first attempt.
      { knownAbsent: policy.created && isFirstAttempt({ attempt }) },
    ),
  );
}

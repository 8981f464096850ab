/** CreateClaim: the ID-token claim user.<attribute>, always included. Undone with its server (DeleteAuthServer). */
import { isFirstAttempt, type StepContext } from './context';
import { whileFresh } from './fresh';
import { requireResource } from './scope';
import type { SimpleResource, WorkflowState } from './state';

export function createClaim(
  state: WorkflowState,
  { okta, attempt }: Pick<StepContext, 'okta' | 'attempt'>,
): Promise<SimpleResource> {
  const server = requireResource(state.resources.authServer, 'authServer');
  return whileFresh(server.created, 'the authorization server', () =>
    okta.authorization.ensureClaim(
      server.authServerId,
      { name: state.request.claimName, value: `user.${state.request.emailAttribute}` },
      // A server this request made holds no claim of that name before this step's first attempt:
      // only this step adds one, and the standard claims a new server has are reserved names the
      // request refuses.
      { knownAbsent: server.created && isFirstAttempt({ attempt }) },
    ),
  );
}

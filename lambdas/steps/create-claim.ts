/** CreateClaim: the ID-token claim user.<attribute>, always included. Undone with its server (DeleteAuthServer). */
import type { StepContext } from './context';
import { whileFresh } from './fresh';
import { requireResource } from './scope';
import type { SimpleResource, WorkflowState } from './state';

export function createClaim(
  state: WorkflowState,
  { okta }: Pick<StepContext, 'okta'>,
): Promise<SimpleResource> {
  const server = requireResource(state.resources.authServer, 'authServer');
  return whileFresh(server.created, 'the authorization server', () =>
    okta.authorization.ensureClaim(server.authServerId, {
      name: state.request.claimName,
      value: `user.${state.request.emailAttribute}`,
    }),
  );
}

/** CreateAccessPolicy: the server's access policy for the portal's app. Undone with its server (DeleteAuthServer). */
import { isFirstAttempt, type StepContext } from './context';
import { whileFresh } from './fresh';
import { describeServer, nameOf, ownerOf, requireResource } from './scope';
import type { SimpleResource, WorkflowState } from './state';

export function createAccessPolicy(
  state: WorkflowState,
  { okta, attempt }: Pick<StepContext, 'okta' | 'attempt'>,
): Promise<SimpleResource> {
  const server = requireResource(state.resources.authServer, 'authServer');
  const app = requireResource(state.resources.oktaApp, 'oktaApp');
  return whileFresh(server.created, 'the authorization server', () =>
    okta.authorization.ensureAccessPolicy(
      server.authServerId,
      {
        name: nameOf(state),
        description: describeServer(state),
        clientId: app.clientId,
        owner: ownerOf(state),
      },
      // A server this request made has no policy of ours before this step's first attempt.
      { knownAbsent: server.created && isFirstAttempt({ attempt }) },
    ),
  );
}

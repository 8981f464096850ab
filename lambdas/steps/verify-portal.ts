/** VerifyPortal: reads the workspace back and fetches the issuer's discovery document. Nothing to undo. */
import type { StepContext } from './context';
import { requireResource } from './scope';
import type { VerificationResource, WorkflowState } from './state';

export function verifyPortal(
  state: WorkflowState,
  { kong }: Pick<StepContext, 'kong'>,
): Promise<VerificationResource> {
  const app = requireResource(state.resources.oktaApp, 'oktaApp');
  const server = requireResource(state.resources.authServer, 'authServer');
  return kong.verifyPortal(state.request.workspace, { issuer: server.issuer, clientId: app.clientId });
}

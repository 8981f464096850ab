/**
 * VerifyPortal: what the first developer will do, checked before anyone does it. Kong's stored
 * conf names our issuer, client and redirect URI; the issuer's discovery document answers; and
 * Okta's authorization endpoint, asked with exactly what Kong will send, would start sign-in
 * rather than refuse it (a redirect URI that does not match is the runbook's most common failure).
 * Nothing to undo.
 */
import { fetchDiscovery, probeSignIn } from '../clients/oidc';
import { PermanentError } from '../core/errors';
import type { StepContext } from './context';
import { whileFresh } from './fresh';
import { requireResource } from './scope';
import type { VerificationResource, WorkflowState } from './state';

export async function verifyPortal(
  state: WorkflowState,
  { kong, okta }: Pick<StepContext, 'kong' | 'okta'>,
): Promise<VerificationResource> {
  const app = requireResource(state.resources.oktaApp, 'oktaApp');
  const server = requireResource(state.resources.authServer, 'authServer');
  const portal = requireResource(state.resources.portal, 'portal');
  const stored = await kong.verifyPortal(state.request.workspace, {
    issuer: server.issuer,
    clientId: app.clientId,
    redirectUri: portal.urls.redirectUri,
  });
  // The server was just made (or reactivated): Okta may not serve it for a moment.
  const fresh = <T>(fn: () => Promise<T>) => whileFresh(server.created, 'the authorization server', fn);
  const discovery = await fresh(() => fetchDiscovery(server.issuer));
  const verdict = await fresh(() =>
    probeSignIn({
      authorizationEndpoint: discovery.authorizationEndpoint,
      clientId: app.clientId,
      redirectUri: stored.redirectUri,
      scopes: stored.scopes,
    }),
  );
  if (verdict.accepted) return { discoveryUrl: stored.discoveryUrl };
  // Name both sides of a redirect URI mismatch: what Kong sends, and what the app allows now.
  const detail = verdict.redirectUriRefused
    ? `Kong will send redirect_uri '${stored.redirectUri}', but the app ${app.appId} allows ${JSON.stringify(await okta.apps.redirectUris(app.appId))} (${verdict.why})`
    : verdict.why;
  throw new PermanentError(`Okta would refuse the first developer's sign-in to the portal: ${detail}`, {
    workspace: state.request.workspace,
  });
}

/**
 * VerifyPortal: what the first developer will do, checked before anyone does it. The issuer's
 * discovery document answers; and
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
  { okta }: Pick<StepContext, 'okta'>,
): Promise<VerificationResource> {
  const app = requireResource(state.resources.oktaApp, 'oktaApp');
  const server = requireResource(state.resources.authServer, 'authServer');
  // ConfigurePortal checked what Kong stored, from Kong's answer to the write.
  const stored = requireResource(state.resources.portalAuth, 'portalAuth').signIn;
  // The server was just made (or reactivated): Okta may not serve it for a moment.
  const fresh = <T>(fn: () => Promise<T>) => whileFresh(server.created, 'the authorization server', fn);
  const probe = (authorizationEndpoint: string) =>
    fresh(() =>
      probeSignIn({
        authorizationEndpoint,
        clientId: app.clientId,
        redirectUri: stored.redirectUri,
        scopes: stored.scopes,
      }),
    );
  // A custom authorization server's authorize endpoint is <issuer>/v1/authorize (Okta's OpenID
  // Connect API reference), so it is asked at the same time as the discovery document - which must
  // agree, or the endpoint it names is asked instead.
  const expectedEndpoint = `${server.issuer}/v1/authorize`;
  const [discovery, early] = await Promise.all([
    fresh(() => fetchDiscovery(server.issuer)),
    probe(expectedEndpoint),
  ]);
  const verdict =
    discovery.authorizationEndpoint === expectedEndpoint
      ? early
      : await probe(discovery.authorizationEndpoint);
  if (verdict.accepted) return { discoveryUrl: stored.discoveryUrl };
  // Name both sides of a redirect URI mismatch: what Kong sends, and what the app allows now.
  const detail = verdict.redirectUriRefused
    ? `Kong will send redirect_uri '${stored.redirectUri}', but the app ${app.appId} allows ${JSON.stringify(await okta.apps.redirectUris(app.appId))} (${verdict.why})`
    : verdict.why;
  throw new PermanentError(`Okta would refuse the first developer's sign-in to the portal: ${detail}`, {
    workspace: state.request.workspace,
  });
}

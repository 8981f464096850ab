/**
 * Okta's public OIDC endpoints, as a developer's browser meets them: the issuer's discovery
 * document, and the authorization endpoint asked whether it would accept the portal's sign-in
 * request. No token is sent; no redirect is followed; answers are bounded.
 */
import axios from 'axios';
import { randomBytes } from 'node:crypto';
import { PermanentError } from '../core/errors';
import { discoveryUrl } from '../core/portal-auth-conf';
import { mapAxiosError, mapHttpAnswer } from './axios-errors';

/** A discovery document is a few KB (Okta's are under 5 KB); the sign-in page is HTML of some tens. */
const MAX_ANSWER_BYTES = 256 * 1024;
const HINTS = { unauthorized: 'the endpoint should be public', forbidden: 'the endpoint should be public' };

export interface Discovery {
  issuer: string;
  authorizationEndpoint: string;
}

export async function fetchDiscovery(issuer: string, timeoutMs = 10_000): Promise<Discovery> {
  const url = discoveryUrl(issuer);
  let body: { issuer?: unknown; authorization_endpoint?: unknown };
  try {
    body = (
      await axios.get<typeof body>(url, {
        timeout: timeoutMs,
        headers: { Accept: 'application/json' },
        maxRedirects: 0,
        maxContentLength: MAX_ANSWER_BYTES,
      })
    ).data;
  } catch (err) {
    const mapped = mapAxiosError('Okta', 'fetchDiscoveryDocument', err, HINTS);
    if (mapped.retryable) throw mapped;
    throw new PermanentError(
      `The issuer's discovery document ${url} does not answer: ${mapped.message}`,
      mapped.details,
    );
  }
  const expected = issuer.replace(/\/+$/, '');
  if (body.issuer !== expected)
    throw new PermanentError(
      `The discovery document at ${url} names issuer '${String(body.issuer)}', expected '${expected}'`,
    );
  if (typeof body.authorization_endpoint !== 'string')
    throw new PermanentError(`The discovery document at ${url} names no authorization_endpoint`);
  return { issuer: expected, authorizationEndpoint: body.authorization_endpoint };
}

/** The words of Okta's HTML error page, short: enough for a person to recognise the refusal. */
function pageText(html: unknown): string {
  const text = String(html ?? '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

export interface SignInRequest {
  authorizationEndpoint: string;
  clientId: string;
  /** Exactly what Kong will send (read back from the workspace). */
  redirectUri: string;
  scopes: readonly string[];
}

/** What Okta would do with the request: start sign-in, or refuse it (and why). */
export type SignInVerdict =
  { accepted: true } | { accepted: false; redirectUriRefused: boolean; why: string };

/**
 * Asks Okta what it would do with the first developer's sign-in, without following it. Okta
 * answers an acceptable request with its sign-in flow (a redirect to the sign-in page, or the
 * page itself), a request it refuses outright with an HTML error page (400 - e.g. "The
 * 'redirect_uri' parameter must be a Login redirect URI in the client app settings"), and some
 * refusals (policy, scopes) by sending the browser back to the redirect URI with `error`.
 * Anything else (404, 429, 5xx, no answer) is thrown as the error it is.
 */
export async function probeSignIn(request: SignInRequest, timeoutMs = 10_000): Promise<SignInVerdict> {
  const url = new URL(request.authorizationEndpoint);
  const params = {
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    response_type: 'code',
    scope: request.scopes.join(' '),
    state: randomBytes(16).toString('hex'),
    nonce: randomBytes(16).toString('hex'),
  };
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  let answer;
  try {
    answer = await axios.get<string>(url.toString(), {
      timeout: timeoutMs,
      headers: { Accept: 'text/html' },
      maxRedirects: 0,
      maxContentLength: MAX_ANSWER_BYTES,
      responseType: 'text',
      // Every status is an answer to read here: a redirect to the sign-in page is the good one.
      validateStatus: () => true,
    });
  } catch (err) {
    throw mapAxiosError('Okta', 'probeSignIn', err, HINTS);
  }
  if (answer.status === 200) return { accepted: true };
  if (answer.status >= 300 && answer.status < 400) {
    const location = String(answer.headers.location ?? '');
    const back = location.startsWith(request.redirectUri) ? new URL(location).searchParams : undefined;
    const error = back?.get('error');
    if (!error) return { accepted: true };
    return {
      accepted: false,
      redirectUriRefused: false,
      why: `${error}: ${back?.get('error_description') ?? ''}`.trim(),
    };
  }
  if (answer.status === 400) {
    const text = pageText(answer.data);
    return {
      accepted: false,
      redirectUriRefused: /redirect_uri/.test(text),
      why: `Okta answered 400: ${text}`,
    };
  }
  // 404 (server not there or not yet visible), 429, 5xx: the same mapping as any Okta answer.
  throw mapHttpAnswer('Okta', 'probeSignIn', answer, HINTS);
}

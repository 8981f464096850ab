/**
 * Okta resources "someone else" made by hand, created through the sandbox's own API (so they go
 * through the contract checks like any real call): the things the provisioner must never touch.
 */
import type { OktaSandbox } from '../../local/sandboxes/okta';

async function post(sandbox: OktaSandbox, path: string, body: unknown, expected: number): Promise<string> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: {
      Authorization: `SSWS ${sandbox.token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    },
    body: JSON.stringify(body),
  });
  if (res.status !== expected) throw new Error(`seeding ${path} answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

export function createHandMadeApp(
  sandbox: OktaSandbox,
  label: string,
  redirectUri = 'https://x.example.com/cb',
): Promise<string> {
  return post(
    sandbox,
    '/api/v1/apps',
    {
      name: 'oidc_client',
      label,
      signOnMode: 'OPENID_CONNECT',
      credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
      settings: {
        oauthClient: {
          application_type: 'web',
          redirect_uris: [redirectUri],
          response_types: ['code'],
          grant_types: ['authorization_code'],
        },
      },
    },
    200,
  );
}

export function createHandMadeServer(
  sandbox: OktaSandbox,
  name: string,
  audience = 'api://x',
): Promise<string> {
  return post(
    sandbox,
    '/api/v1/authorizationServers',
    { name, audiences: [audience], description: 'made by hand' },
    201,
  );
}

/**
 * `npm start`: the whole service on loopback with no AWS account. Prints where everything is and
 * an example to paste; Ctrl-C stops it cleanly. History (requests, executions) is kept in
 * LOCAL_DATA_DIR; the sandboxes start fresh each time, like a new Okta org and Kong node.
 */
import * as path from 'node:path';
import { startLocalStack } from './stack';

function realService<T>(
  url: string | undefined,
  token: string | undefined,
  make: (url: string, token: string) => T,
  names: string,
): T | undefined {
  if (!url && !token) return undefined;
  if (!url || !token)
    throw new Error(`Set both ${names} to use a real service, or neither to use the built-in sandbox`);
  return make(url, token);
}

async function main(): Promise<void> {
  const env = process.env;
  // Node 20 is supported today; the SDK's notice about its future releases is noise here.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const okta = realService(
    env.OKTA_ORG_URL,
    env.OKTA_API_TOKEN,
    (orgUrl, token) => ({ orgUrl, token }),
    'OKTA_ORG_URL and OKTA_API_TOKEN',
  );
  const kong = realService(
    env.KONG_ADMIN_URL,
    env.KONG_ADMIN_TOKEN,
    (adminUrl, token) => ({
      adminUrl,
      token,
      ...(env.KONG_RBAC_HEADER ? { rbacHeader: env.KONG_RBAC_HEADER } : {}),
      ...(env.KONG_PORTAL_SESSION_COOKIE_DOMAIN
        ? { portalSessionCookieDomain: env.KONG_PORTAL_SESSION_COOKIE_DOMAIN }
        : {}),
    }),
    'KONG_ADMIN_URL and KONG_ADMIN_TOKEN',
  );
  const dataDir = path.resolve(env.LOCAL_DATA_DIR ?? '.local');
  const stack = await startLocalStack({ port: Number(env.PORT ?? 3000), dataDir, okta, kong });
  const api = stack.apiUrl;

  console.log(`
kong-portal-provisioner is running locally (Ctrl-C to stop)

  API               ${api}
  Okta              ${stack.oktaUrl}${stack.oktaSandbox ? `   (built-in sandbox, token: ${stack.oktaSandbox.token})` : ''}
  Kong Admin API    ${stack.kongUrl}${stack.kongSandbox ? `   (built-in sandbox, Kong-Admin-Token: ${stack.kongSandbox.token})` : ''}
  Data              ${dataDir}

Provision the Dev Portal of the '${stack.kongSandbox ? 'default' : '<workspace>'}' workspace with Okta sign-in for everyone:

  curl -s -X POST ${api}/provisionings -H 'Content-Type: application/json' \\
    -d '{"workspace":"default","oktaGroups":["Everyone"]}'

Then follow it (use the id from the answer), or do both with the CLI:

  curl -s ${api}/provisionings/<id>
  npx kong-portal-provisioner provision --workspace default --group Everyone --wait

Requests are for the 'dev' environment unless they name another ("environment": "prod").
Preview without changing anything: add "dryRun": true. Tear down: curl -s -X DELETE ${api}/workspaces/default/portal
`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping...');
    await stack.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(
    `kong-portal-provisioner could not start: ${err instanceof Error ? err.message : String(err)}`,
  );
  process.exit(1);
});

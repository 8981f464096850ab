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
  const proxy = env.https_proxy ?? env.HTTPS_PROXY;
  const okta = realService(
    env.OKTA_ORG_URL,
    env.OKTA_API_TOKEN,
    // The Okta SDK took its proxy from the environment; the provisioner's Okta client still does.
    (orgUrl, token) => ({ orgUrl, token, ...(proxy ? { httpsProxy: proxy } : {}) }),
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
  const konnect = realService(
    env.KONNECT_API_URL,
    env.KONNECT_TOKEN,
    (apiUrl, token) => ({ apiUrl, token }),
    'KONNECT_API_URL and KONNECT_TOKEN',
  );
  const jira = realService(
    env.JIRA_BASE_URL,
    env.JIRA_EMAIL && env.JIRA_API_TOKEN ? `${env.JIRA_EMAIL}:${env.JIRA_API_TOKEN}` : undefined,
    (baseUrl) => ({
      baseUrl,
      credentials: { email: env.JIRA_EMAIL ?? '', apiToken: env.JIRA_API_TOKEN ?? '' },
    }),
    'JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN',
  );
  const servicenow = realService(
    env.SERVICENOW_INSTANCE_URL,
    env.SERVICENOW_USERNAME && env.SERVICENOW_PASSWORD ? env.SERVICENOW_USERNAME : undefined,
    (instanceUrl) => ({
      instanceUrl,
      credentials:
        env.SERVICENOW_CLIENT_ID && env.SERVICENOW_CLIENT_SECRET
          ? {
              clientId: env.SERVICENOW_CLIENT_ID,
              clientSecret: env.SERVICENOW_CLIENT_SECRET,
              username: env.SERVICENOW_USERNAME ?? '',
              password: env.SERVICENOW_PASSWORD ?? '',
            }
          : { username: env.SERVICENOW_USERNAME ?? '', password: env.SERVICENOW_PASSWORD ?? '' },
    }),
    'SERVICENOW_INSTANCE_URL, SERVICENOW_USERNAME and SERVICENOW_PASSWORD',
  );
  const dataDir = path.resolve(env.LOCAL_DATA_DIR ?? '.local');
  const stack = await startLocalStack({
    port: Number(env.PORT ?? 3000),
    dataDir,
    okta,
    kong,
    konnect,
    tickets: {
      ...(jira ? { jira } : {}),
      ...(servicenow ? { servicenow } : {}),
      webhookSecrets: {
        ...(env.JIRA_WEBHOOK_SECRET ? { jira: env.JIRA_WEBHOOK_SECRET } : {}),
        ...(env.SERVICENOW_WEBHOOK_SECRET ? { servicenow: env.SERVICENOW_WEBHOOK_SECRET } : {}),
      },
    },
  });
  const api = stack.apiUrl;
  const sandboxNote = (sandbox: boolean, account: string) =>
    sandbox ? `   (built-in sandbox, ${account})` : '';

  console.log(`
kong-portal-provisioner is running locally (Ctrl-C to stop)

  API               ${api}
  Okta              ${stack.oktaUrl}${stack.oktaSandbox ? `   (built-in sandbox, token: ${stack.oktaSandbox.token})` : ''}
  Kong Admin API    ${stack.kongUrl}${stack.kongSandbox ? `   (built-in sandbox, Kong-Admin-Token: ${stack.kongSandbox.token})` : ''}
  Konnect           ${stack.konnectUrl}${stack.konnectSandbox ? `   (built-in sandbox, Bearer ${stack.konnectSandbox.token}, portal 'developer-portal')` : ''}
  Jira              ${stack.jiraUrl}${sandboxNote(Boolean(stack.jiraSandbox), `${stack.jiraSandbox?.user.emailAddress} / ${stack.jiraSandbox?.user.apiToken}, project KPP`)}
  ServiceNow        ${stack.servicenowUrl}${sandboxNote(Boolean(stack.servicenowSandbox), `${stack.servicenowSandbox?.user.username} / ${stack.servicenowSandbox?.user.password}`)}
  Webhooks          POST ${api}/webhooks/jira        (X-Hub-Signature, secret: ${stack.webhookSecrets.jira})
                    POST ${api}/webhooks/servicenow  (X-SN-Signature over X-SN-Timestamp.body, secret: ${stack.webhookSecrets.servicenow})
  Data              ${dataDir}

Provision the Dev Portal of the '${stack.kongSandbox ? 'default' : '<workspace>'}' workspace with Okta sign-in for everyone:

  curl -s -X POST ${api}/provisionings -H 'Content-Type: application/json' \\
    -d '{"workspace":"default","oktaGroups":["Everyone"]}'

Or a Konnect Dev Portal (by name or id):

  curl -s -X POST ${api}/provisionings -H 'Content-Type: application/json' \\
    -d '{"target":"konnect","portal":"${stack.konnectSandbox ? 'developer-portal' : '<portal>'}","oktaGroups":["Everyone"]}'
  npx kong-portal-provisioner provision --target konnect --portal ${stack.konnectSandbox ? 'developer-portal' : '<portal>'} --group Everyone --wait

Then follow it (use the id from the answer), or do both with the CLI:

  curl -s ${api}/provisionings/<id>
  npx kong-portal-provisioner provision --workspace default --group Everyone --wait

Or ask by ticket: file one in the Jira sandbox, send its signed webhook, see the comment it gets:

  npx kong-portal-provisioner sample-ticket --workspace default --group Everyone
  npx kong-portal-provisioner sample-ticket --system servicenow --workspace default --group Everyone

Requests are for the 'dev' environment unless they name another ("environment": "prod").
Preview without changing anything: add "dryRun": true. Tear down: curl -s -X DELETE ${api}/workspaces/default/portal
(a Konnect portal: DELETE ${api}/workspaces/konnect.${stack.konnectSandbox ? 'developer-portal' : '<portal>'}/portal, or: npx kong-portal-provisioner teardown --target konnect --portal ...)
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

/**
 * `npm start`: the local stack on loopback, no AWS account needed. Today it runs the built-in
 * Okta and Kong sandboxes and the Secrets Manager emulator (the equipment the clients and tests
 * use); the workflow and the HTTP API join it in later issues.
 */
import { startKongSandbox } from './sandboxes/kong';
import { startOktaSandbox } from './sandboxes/okta';
import { startSecretsManagerEmulator } from './emulators/secrets-manager';

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main(): Promise<void> {
  const okta = await startOktaSandbox({ port: port('OKTA_SANDBOX_PORT', 8180) });
  const kong = await startKongSandbox({ port: port('KONG_SANDBOX_PORT', 8101) });
  const secrets = await startSecretsManagerEmulator({ port: port('SECRETS_MANAGER_PORT', 4584) });
  kong.control.addWorkspace('team-a');

  console.log(`kong-portal-provisioner local sandboxes are up (Ctrl-C to stop)

  Okta sandbox           ${okta.url}   token: SSWS ${okta.token}
  Kong Admin sandbox     ${kong.url}   header: Kong-Admin-Token: ${kong.token}
  Secrets Manager        ${secrets.url}   (AWS_ENDPOINT_URL_SECRETS_MANAGER)

Try:
  curl -s -H 'Authorization: SSWS ${okta.token}' ${okta.url}/api/v1/groups
  curl -s -H 'Kong-Admin-Token: ${kong.token}' ${kong.url}/team-a/kong
  curl -s -H 'Kong-Admin-Token: ${kong.token}' ${kong.url}/workspaces/team-a
`);

  const stop = async () => {
    await Promise.all([okta.close(), kong.close(), secrets.close()]);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

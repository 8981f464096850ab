// Intent: the bundles work, not just their sources. Okta steps (the SDK loaded module by module,
// node-fetch, the stand-ins) and a Kong step (axios, the AWS SDK's ES build), each bundled
// as deployed and run in its own node process with a Lambda-like environment, do their work
// against the sandboxes and the Secrets Manager emulator, reading their tokens by ARN.
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { bundleFunction } from '../../bench/bundle';
import { parseProvisioningRequest } from '../../lambdas/core/request';
import { stepEntry } from '../../lib/provisioner-function';
import { startSecretsManagerEmulator } from '../../local/emulators/secrets-manager';
import { startKongSandbox, type KongSandbox } from '../../local/sandboxes/kong';
import { startOktaSandbox, type OktaSandbox } from '../../local/sandboxes/okta';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'kpp-bundled-steps-'));
let okta: OktaSandbox;
let kong: KongSandbox;
let secrets: Awaited<ReturnType<typeof startSecretsManagerEmulator>>;
const env: Record<string, string> = {};

beforeAll(async () => {
  [okta, kong, secrets] = await Promise.all([
    startOktaSandbox(),
    startKongSandbox(),
    startSecretsManagerEmulator(),
  ]);
  kong.control.addWorkspace('team-a');
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: secrets.url, credentials });
  const arn = async (name: string, value: string) =>
    (await sm.send(new CreateSecretCommand({ Name: name, SecretString: value }))).ARN ?? '';
  Object.assign(env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    PROVISIONER_ENVIRONMENT: 'dev',
    OKTA_ORG_URL: okta.url,
    OKTA_TOKEN_SECRET_ARN: await arn('ops/okta', okta.token),
    KONG_ADMIN_URL: kong.url,
    KONG_TOKEN_SECRET_ARN: await arn('ops/kong', kong.token),
  });
});
afterAll(async () => {
  await Promise.all([okta.close(), kong.close(), secrets.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const INVOKE = `
const { handler } = require(process.env.BUNDLE);
const context = { getRemainingTimeInMillis: () => 60000, functionName: 'test', awsRequestId: 'r1' };
handler(JSON.parse(process.env.EVENT), context).then(
  (result) => process.stdout.write(JSON.stringify({ result })),
  (err) => process.stdout.write(JSON.stringify({ error: err.name, message: err.message })),
);`;

/** The step's bundle, invoked once with the event in a fresh node process. */
async function invokeBundled(step: string, event: unknown): Promise<{ result?: unknown; error?: string }> {
  const bundle = await bundleFunction(stepEntry(step), path.join(dir, step));
  const { stdout } = await run(process.execPath, ['-e', INVOKE], {
    env: {
      PATH: process.env.PATH ?? '',
      ...env,
      STEP_NAME: step,
      BUNDLE: bundle.file,
      // As a Task state sends it: the state and its retry count.
      EVENT: JSON.stringify({ state: event, attempt: 0 }),
    },
  });
  return JSON.parse(stdout) as { result?: unknown; error?: string };
}

const state = {
  requestId: 'req-bundled-1',
  request: parseProvisioningRequest({
    workspace: 'team-a',
    environment: 'dev',
    oktaGroups: ['Developers'],
    requestedBy: 'test',
  }),
  // What ResolveOktaInputs found: nothing under our names yet.
  resources: { oktaInputs: { groups: [], existing: {} } },
};

it('a bundled Okta step creates its resource through the SDK', async () => {
  const answer = await invokeBundled('CreateAuthServer', state);
  expect(answer).toEqual({
    result: { authServerId: expect.any(String), issuer: expect.any(String), created: true },
  });
  expect(okta.state.authServers().map((s) => s.name)).toEqual(['kong-portal-dev.team-a']);
}, 120_000);

it('a bundled Kong step reads the workspace, then a bundled app step makes the app and stores its secret', async () => {
  const portal = await invokeBundled('ResolvePortal', state);
  expect(portal.error).toBeUndefined();
  expect(portal.result).toMatchObject({ workspaceId: expect.any(String), snapshotArn: expect.any(String) });
  // The Okta ApplicationApi and axios load form-data: its stand-in must not be reached.
  const app = await invokeBundled('CreateOktaApp', {
    ...state,
    resources: { ...state.resources, portal: portal.result },
  });
  expect(app).toEqual({
    result: expect.objectContaining({
      appId: expect.any(String),
      clientSecretArn: expect.any(String),
      created: true,
    }),
  });
  expect(okta.state.apps().map((a) => a.label)).toEqual(['kong-portal-dev.team-a']);
}, 120_000);

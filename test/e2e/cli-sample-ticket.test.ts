// Intent: `kong-portal-provisioner sample-ticket`, run as a separate process as a user runs it,
// files a ticket in the local Jira (or ServiceNow) sandbox, sends the correctly signed webhook,
// follows the run and prints the answer the ticket received - with the portal URL and never the
// client secret; signed with the wrong secret it is refused (401) and says so.
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { localAws } from '../support/local-aws';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'kong-portal-provisioner.cjs');

let stack: LocalStack;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'kpp-cli-ticket-'));
  stack = await startLocalStack({ dataDir, port: 0, retryDelayMs: 0, eventRetryDelayMs: 0 });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const {
    PROVISIONER_API_URL: _url,
    JIRA_WEBHOOK_SECRET: _j,
    SERVICENOW_WEBHOOK_SECRET: _s,
    ...env
  } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args, '--api-url', stack.apiUrl], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function clientSecrets(): Promise<string[]> {
  const { secretsManager } = localAws(stack);
  const values: string[] = [];
  for (const app of stack.oktaSandbox!.state.apps()) {
    const arn = `kong-portal-provisioner/dev/${app.label.replace('kong-portal-dev-', '')}/client-secret`;
    const value = await secretsManager
      .send(new GetSecretValueCommand({ SecretId: arn }))
      .catch(() => undefined);
    if (value?.SecretString) values.push(value.SecretString);
  }
  return values;
}

it('files a Jira ticket, sends its signed webhook and shows the comment the ticket received', async () => {
  const run = await cli(['sample-ticket', '--workspace', 'default', '--group', 'Everyone']);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  expect(run.stdout).toMatch(/Filed KPP-\d+ in Jira/);
  expect(run.stdout).toMatch(/Webhook answered 202/);
  expect(run.stdout).toContain('The ticket received:');
  expect(run.stdout).toContain('Comment by Kong Portal Provisioner');
  expect(run.stdout).toContain('Portal: http://localhost:8003/default');
  for (const secret of await clientSecrets()) expect(run.stdout).not.toContain(secret);
}, 60_000);

it('does the same through ServiceNow, showing the work note', async () => {
  stack.kongSandbox!.control.addWorkspace('cli-sn', { portal: false });
  const run = await cli([
    'sample-ticket',
    '--system',
    'servicenow',
    '--workspace',
    'cli-sn',
    '--group',
    'Everyone',
  ]);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  expect(run.stdout).toMatch(/Filed RITM\d+ in ServiceNow/);
  expect(run.stdout).toContain('Work note by kong.provisioner:');
  expect(run.stdout).toContain('Portal: http://localhost:8003/cli-sn');
}, 60_000);

it('is refused with the wrong secret, and says so', async () => {
  const run = await cli([
    'sample-ticket',
    '--workspace',
    'default',
    '--group',
    'Everyone',
    '--secret',
    'wrong',
  ]);
  expect(run.code).toBe(3);
  expect(run.stdout).toMatch(/Webhook answered 401/);
}, 60_000);

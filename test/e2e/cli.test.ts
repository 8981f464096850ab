// Intent: the CLI, run as a separate process exactly as a user runs it (the package bin), drives
// the whole local service end to end: a plan, a provisioning followed live to SUCCEEDED with its
// issuer and portal URL, status and list, each refusal with its exit code (400 -> 3, 409 -> 4), a
// failed run (1), a rollback that leaves something behind (2), and a teardown - and no secret
// value ever appears in anything it prints.
//
// One local stack for the file; the tests run in order and build on each
// other like a user's session: provision, inspect, conflict, tear down.
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { localAws } from '../support/local-aws';

const ROOT = path.resolve(__dirname, '../..');
/** The package bin itself, so the launcher (tsx in-process) is tested too. */
const BIN = path.join(ROOT, 'bin', 'kong-portal-provisioner.cjs');

let stack: LocalStack;
let dataDir: string;
/** Everything any CLI run printed, for the secret check at the end. */
const printed: string[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function childEnv(): NodeJS.ProcessEnv {
  // The child must find the API only through --api-url; the stack's AWS_* endpoints are irrelevant to it.
  const { PROVISIONER_API_URL: _url, ...env } = process.env;
  return { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

function run(command: string, args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutMs} ms: ${args.join(' ')}\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      printed.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `kong-portal-provisioner <args> --api-url <local API>`, bounded in time. */
const cli = (args: string[], timeoutMs = 20_000) =>
  run(process.execPath, [BIN, ...args, '--api-url', stack.apiUrl], timeoutMs);

const idIn = (text: string): string => {
  const id = /accepted as request (req-[A-Za-z0-9_-]+)/.exec(text)?.[1];
  if (!id) throw new Error(`no request id in:\n${text}`);
  return id;
};

const DEFAULT_DEV = ['--workspace', 'default', '--environment', 'dev', '--group', 'Everyone'];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'cli-e2e-'));
  // No real backoff between retries: the failure scenarios below retry undo steps many times.
  stack = await startLocalStack({ dataDir, port: 0, retryDelayMs: 0 });
});

afterAll(async () => {
  await stack?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

afterEach(() => {
  stack.oktaSandbox?.control.clearFaults();
  stack.kongSandbox?.control.clearFaults();
});

it('is the package bin: npx kong-portal-provisioner --help', async () => {
  const result = await run('npx', ['--no-install', 'kong-portal-provisioner', '--help'], 20_000);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('Usage: kong-portal-provisioner <command> [options]');
});

it('plan --wait prints each planned Okta action and the Kong before/after', async () => {
  const result = await cli(['plan', ...DEFAULT_DEV, '--wait']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('PLANNED');
  expect(result.stdout).toContain("create    OIDC Web app 'kong-portal-dev.default'");
  expect(result.stdout).toContain("create    assignment of group 'Everyone'");
  expect(result.stdout).toContain("create    authorization server 'kong-portal-dev.default'");
  expect(result.stdout).toContain("Kong workspace 'default': change");
  expect(result.stdout).toContain('+ portal_auth: "openid-connect"');
  // A plan writes nothing.
  expect(stack.oktaSandbox?.state.apps()).toEqual([]);
});

it('a bad request exits 3 and names each offending field', async () => {
  const result = await cli([
    'provision',
    ...DEFAULT_DEV,
    '--access-token-minutes',
    '2',
    '--scope',
    'profile',
  ]);
  expect(result.code).toBe(3);
  expect(result.stderr).toContain('Invalid request:');
  expect(result.stderr).toMatch(/tokenLifetimes\.accessTokenMinutes: must be between 5 and 1440 minutes/);
  expect(result.stderr).toContain("scopes: must include 'openid'");
});

let provisionedId: string;
let provisionOutput = '';
/** The client secret's real value, read from Secrets Manager (where the run stored it). */
let clientSecret = '';

it('provision --wait shows every step live and ends with issuer, client id, portal URL and secret ARN', async () => {
  const result = await cli(['provision', ...DEFAULT_DEV, '--wait']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  provisionedId = idIn(result.stdout);
  for (const step of [
    'ValidatePlan',
    'ResolvePortal',
    'ResolveOktaInputs',
    'CreateOktaApp',
    'AssignGroups',
    'CreateAuthServer',
    'CreateClaim',
    'CreateAccessPolicy',
    'CreatePolicyRule',
    'ConfigurePortal',
    'VerifyPortal',
  ]) {
    expect(result.stdout).toMatch(new RegExp(`^  done +${step} `, 'm'));
  }
  const [server] = stack.oktaSandbox?.state.authServers() ?? [];
  expect(result.stdout).toContain(`SUCCEEDED after`);
  expect(result.stdout).toMatch(new RegExp(`Issuer +${stack.oktaUrl}/oauth2/${server?.id}`));
  expect(result.stdout).toMatch(/Client id +\S+/);
  expect(result.stdout).toMatch(/Portal URL +http:\/\/localhost:8003\/default/);
  expect(result.stdout).toMatch(/Client secret +arn:aws:secretsmanager:\S+client-secret/);
  provisionOutput = result.stdout;
});

it('status <id> shows SUCCEEDED with each step and the outputs; --json gives the API document', async () => {
  const result = await cli(['status', provisionedId]);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/Status +SUCCEEDED/);
  expect(result.stdout).toMatch(/SUCCEEDED +CreateOktaApp +1 attempt/);
  expect(result.stdout).toMatch(/Portal URL +http:\/\/localhost:8003\/default/);

  const json = await cli(['status', provisionedId, '--json']);
  expect(json.code).toBe(0);
  const document = JSON.parse(json.stdout) as { outputs: { clientId: string; clientSecretArn: string } };
  expect(document).toMatchObject({ id: provisionedId, status: 'SUCCEEDED', kind: 'provision' });
  expect(provisionOutput).toMatch(new RegExp(`Client id +${document.outputs.clientId}`));

  const secret = await localAws(stack).secretsManager.send(
    new GetSecretValueCommand({ SecretId: document.outputs.clientSecretArn }),
  );
  clientSecret = secret.SecretString ?? '';
});

it('list shows the request for its workspace and environment', async () => {
  const result = await cli(['list', '--workspace', 'default', '--environment', 'dev']);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(new RegExp(`^${provisionedId} +provision +SUCCEEDED +default +dev `, 'm'));
  expect(result.stdout).toMatch(/^req-\S+ +plan +PLANNED +default +dev /m);
});

it('a second change while one is running exits 4 naming the running request; the same key rejoins it', async () => {
  // Hold the next run in ResolvePortal long enough for a competing request to arrive.
  stack.kongSandbox?.control.inject({
    route: '/workspaces/{workspace_id_or_name}',
    method: 'GET',
    latencyMs: 2500,
  });
  const started = await cli([
    'provision',
    ...DEFAULT_DEV,
    '--auto-approve',
    '--idempotency-key',
    'cli-e2e-1',
  ]);
  expect(started.code).toBe(0);
  const runningId = idIn(started.stdout);

  const blocked = await cli(['teardown', '--workspace', 'default', '--environment', 'dev']);
  expect(blocked.code).toBe(4);
  expect(blocked.stderr).toContain(`Running request: ${runningId}`);

  const rejoined = await cli([
    'provision',
    ...DEFAULT_DEV,
    '--auto-approve',
    '--idempotency-key',
    'cli-e2e-1',
    '--wait',
  ]);
  expect(rejoined.code).toBe(0);
  expect(idIn(rejoined.stdout)).toBe(runningId);
  expect(rejoined.stdout).toContain('SUCCEEDED');
});

describe('failed runs (workspace team-b)', () => {
  const TEAM_B = ['--workspace', 'team-b', '--environment', 'dev', '--group', 'Everyone'];

  beforeAll(async () => {
    const kong = stack.kongSandbox;
    if (!kong) throw new Error('the Kong sandbox is expected');
    const created = await fetch(`${kong.url}/workspaces`, {
      method: 'POST',
      headers: { 'Kong-Admin-Token': kong.token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'team-b' }),
    });
    expect(created.status).toBe(201);
  });

  it('a permanent failure exits 1 after a clean rollback', async () => {
    stack.kongSandbox?.control.inject({
      route: '/workspaces/{workspace_id_or_name}',
      method: 'PATCH',
      status: 400,
    });
    const result = await cli(['provision', ...TEAM_B, '--wait']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAILED after .*\n {2}Error: ValidationError: Kong \S+ was rejected/);
    // The failing step is shown as failed (not done), then the undo chain ran, step by step.
    expect(result.stdout).toMatch(/^ {2}failed +ConfigurePortal .*ValidationError/m);
    expect(result.stdout).not.toMatch(/^ {2}done +ConfigurePortal /m);
    for (const undo of ['RevertPortal', 'DeleteAuthServer', 'DeleteOktaApp', 'DeleteClientSecret']) {
      expect(result.stdout).toMatch(new RegExp(`^  done +${undo} `, 'm'));
    }
    expect(result.stdout).toContain('Everything this request created was removed again.');
  });

  it('a rollback that cannot finish exits 2 and prints the leftovers prominently', async () => {
    stack.kongSandbox?.control.inject({
      route: '/workspaces/{workspace_id_or_name}',
      method: 'PATCH',
      status: 400,
    });
    stack.oktaSandbox?.control.inject({
      route: '/api/v1/apps/{appId}',
      method: 'DELETE',
      status: 503,
      times: 1_000,
    });
    const result = await cli(['provision', ...TEAM_B, '--wait'], 30_000);
    expect(result.code).toBe(2);
    const leftover = stack.oktaSandbox?.state.apps().find((a) => a.label === 'kong-portal-dev.team-b');
    expect(result.stdout).toContain('CLEANUP INCOMPLETE');
    expect(result.stdout).toContain(`!!   - okta-app:${leftover?.id}`);
  });
});

it('teardown --wait exits 0 and lists what it removed', async () => {
  const result = await cli(['teardown', '--workspace', 'default', '--environment', 'dev', '--wait']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('SUCCEEDED');
  expect(result.stdout).toMatch(/Removed \(\d+\)/);
  expect(stack.oktaSandbox?.state.apps().filter((a) => a.label === 'kong-portal-dev.default')).toEqual([]);
});

it('never prints the client secret', () => {
  // Okta's minimum secret length: an empty or truncated read would make this check meaningless.
  expect(clientSecret.length).toBeGreaterThanOrEqual(14);
  expect(printed.join('\n')).not.toContain(clientSecret);
  expect(stack.oktaSandbox?.control.contractViolations).toEqual([]);
  expect(stack.kongSandbox?.control.contractViolations).toEqual([]);
});

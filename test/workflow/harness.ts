/**
 * The workflow under test: the synthesized ASL run by aws-local-stepfunctions, every Task mapped
 * to the real handler, talking to the Okta and Kong sandboxes and the Secrets Manager emulator.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KongClient } from '../../lambdas/clients/kong';
import { KonnectClient } from '../../lambdas/clients/konnect';
import { OktaClient } from '../../lambdas/clients/okta';
import { SecretStore } from '../../lambdas/clients/secrets';
import type { StepContext } from '../../lambdas/steps/context';
import { startSecretsManagerEmulator } from '../../local/emulators/secrets-manager';
import { startKongSandbox, type KongSandbox } from '../../local/sandboxes/kong';
import { startKonnectSandbox, type KonnectSandbox } from '../../local/sandboxes/konnect';
import { startOktaSandbox, type OktaSandbox } from '../../local/sandboxes/okta';
import { runLocally, type JsonValue, type LocalExecution } from '../../local/workflow/runner';

export interface Harness {
  okta: OktaSandbox;
  kong: KongSandbox;
  /** A Konnect organization with one portal, `developer-portal`. */
  konnect: KonnectSandbox;
  secrets: Awaited<ReturnType<typeof startSecretsManagerEmulator>>;
  ctx: StepContext;
  /** The same context with a Kong client configured otherwise (e.g. another RBAC header). */
  ctxWith(kong: { kongRbacHeader?: string }): StepContext;
  /** Sleeps the steps asked for (rate-limit waits), instead of sleeping. */
  sleeps: number[];
  run(input: JsonValue): Promise<LocalExecution>;
  /** A fresh org and node: the `Developers` group and a `team-a` workspace (with the given prior config). */
  reset(teamAConfig?: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const [okta, kong, konnect, secrets] = await Promise.all([
    startOktaSandbox(),
    startKongSandbox(),
    startKonnectSandbox(),
    startSecretsManagerEmulator(),
  ]);
  const sleeps: number[] = [];
  const ctx: StepContext = {
    okta: new OktaClient({ orgUrl: okta.url, token: okta.token, timeoutMs: 2_000 }),
    kong: new KongClient({ adminUrl: kong.url, token: kong.token, timeoutMs: 2_000 }),
    konnect: new KonnectClient({ baseUrl: konnect.url, token: konnect.token, timeoutMs: 2_000 }),
    secrets: new SecretStore(
      new SecretsManagerClient({
        region: 'us-east-1',
        endpoint: secrets.url,
        maxAttempts: 1,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      }),
    ),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
  const harness: Harness = {
    okta,
    kong,
    konnect,
    secrets,
    ctx,
    ctxWith: ({ kongRbacHeader }) => ({
      ...ctx,
      kong: new KongClient({
        adminUrl: kong.url,
        token: kong.token,
        timeoutMs: 2_000,
        rbacHeader: kongRbacHeader,
      }),
    }),
    sleeps,
    run: (input) => runLocally(input, ctx, { retryDelayMs: 0 }),
    async reset(teamAConfig) {
      // The emulator has no reset: delete what earlier tests stored, through the real API.
      for (const secret of secrets.state.secrets()) await ctx.secrets.delete(secret.arn);
      okta.control.reset();
      okta.control.clearFaults();
      kong.control.reset();
      kong.control.clearFaults();
      konnect.control.reset();
      konnect.control.clearFaults();
      okta.control.addGroup('Developers');
      kong.control.addWorkspace('team-a', teamAConfig);
      sleeps.length = 0;
    },
    close: async () => {
      await Promise.all([okta.close(), kong.close(), konnect.close(), secrets.close()]);
    },
  };
  await harness.reset();
  return harness;
}

let counter = 0;

export function provisioningInput(
  overrides: Record<string, JsonValue> = {},
  requestId = `req-${++counter}`,
): JsonValue {
  return {
    requestId,
    request: {
      workspace: 'team-a',
      environment: 'dev',
      oktaGroups: ['Developers'],
      requestedBy: 'alice@example.com',
      ...overrides,
    },
  };
}

/**
 * One harness per test file: started before the tests, closed after, and after every test the
 * sandboxes must not have sent an answer the vendor's contract forbids.
 */
export function useHarness(): () => Harness {
  let harness: Harness | undefined;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness?.close());
  afterEach(() => {
    expect(harness?.okta.control.contractViolations).toEqual([]);
    expect(harness?.kong.control.contractViolations).toEqual([]);
    expect(harness?.konnect.control.contractViolations).toEqual([]);
  });
  return () => harness as Harness;
}

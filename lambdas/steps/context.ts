/**
 * What a step needs to do its work: the three clients. Built once per Lambda container from the
 * environment; API tokens are read from Secrets Manager by ARN (never passed as values in env).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KongClient } from '../clients/kong';
import { OktaClient } from '../clients/okta';
import { SecretStore } from '../clients/secrets';
import { RequestStore } from '../clients/requests';
import { PermanentError, RateLimitedError } from '../core/errors';

export interface StepContext {
  okta: OktaClient;
  kong: KongClient;
  secrets: SecretStore;
  /** The request log and workspace lock; absent where runs are not recorded (workflow tests). */
  requests?: RequestStore;
  /** Waits before a rate-limited call is handed back for retry; replaceable in tests. */
  sleep(ms: number): Promise<void>;
  /** Milliseconds this invocation may still run (Lambda context), when known. */
  remainingMs?(): number;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new PermanentError(`Configuration error: environment variable ${name} is not set`);
  return value;
}

/** A token comes from a Secrets Manager ARN (deployed) or, for local mode only, a plain value. */
async function token(
  env: NodeJS.ProcessEnv,
  secrets: SecretStore,
  arnVar: string,
  valueVar: string,
): Promise<string> {
  const arn = env[arnVar];
  if (arn) return secrets.get(arn);
  return required(env, valueVar);
}

export async function contextFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<StepContext> {
  // Step Functions is the one retry owner: the SDK makes a single attempt.
  const secrets = new SecretStore(new SecretsManagerClient({ maxAttempts: 1 }));
  // Each function only gets the variables of the services it talks to (least privilege).
  const lazy = <T>(make: () => Promise<T>) => {
    let value: Promise<T> | undefined;
    return () =>
      (value ??= make().catch((err: unknown) => {
        value = undefined;
        throw err;
      }));
  };
  const okta = lazy(
    async () =>
      new OktaClient({
        orgUrl: required(env, 'OKTA_ORG_URL'),
        token: await token(env, secrets, 'OKTA_TOKEN_SECRET_ARN', 'OKTA_API_TOKEN'),
      }),
  );
  const kong = lazy(
    async () =>
      new KongClient({
        adminUrl: required(env, 'KONG_ADMIN_URL'),
        token: await token(env, secrets, 'KONG_TOKEN_SECRET_ARN', 'KONG_ADMIN_TOKEN'),
      }),
  );
  const needsOkta = Boolean(env.OKTA_ORG_URL);
  const needsKong = Boolean(env.KONG_ADMIN_URL);
  return {
    okta: needsOkta ? await okta() : unavailable<OktaClient>('Okta', 'OKTA_ORG_URL'),
    kong: needsKong ? await kong() : unavailable<KongClient>('Kong', 'KONG_ADMIN_URL'),
    secrets,
    ...(env.REQUESTS_TABLE ? { requests: new RequestStore({ tableName: env.REQUESTS_TABLE }) } : {}),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/** A client this function was not configured for: any use is a configuration error. */
function unavailable<T extends object>(vendor: string, variable: string): T {
  return new Proxy({} as T, {
    get() {
      throw new PermanentError(
        `Configuration error: this function has no ${vendor} access (${variable} not set)`,
      );
    },
  });
}

const MAX_RATE_LIMIT_WAIT_MS = 60_000;
const SAFETY_MARGIN_MS = 5_000;

/**
 * Step Functions owns retries, but cannot read X-Rate-Limit-Reset. So a rate-limited step waits
 * here until the vendor's window resets (bounded by the time the invocation has left) and then
 * hands the error back; the state machine's retry then lands in a fresh window.
 */
export async function waitOutRateLimit(err: unknown, ctx: StepContext): Promise<never> {
  if (err instanceof RateLimitedError) {
    const wait = (err.retryAfterSeconds() ?? 0) * 1000;
    const budget = Math.min(MAX_RATE_LIMIT_WAIT_MS, (ctx.remainingMs?.() ?? Infinity) - SAFETY_MARGIN_MS);
    if (wait > 0 && budget > 0) await ctx.sleep(Math.min(wait, budget));
  }
  throw err;
}

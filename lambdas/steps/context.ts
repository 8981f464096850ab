/**
 * What a step needs to do its work: the clients, built from the parsed configuration. API tokens
 * are read from Secrets Manager by ARN (never passed as values in env).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KongClient } from '../clients/kong';
import { OktaClient } from '../clients/okta';
import { RequestStore } from '../clients/requests';
import { SecretStore } from '../clients/secrets';
import type { StepConfig } from '../core/config';
import type { PortalUrlOptions } from '../core/portal-urls';
import { PermanentError, RateLimitedError } from '../core/errors';

export interface StepContext {
  okta: OktaClient;
  kong: KongClient;
  secrets: SecretStore;
  /** The request log and workspace lock; absent where runs are not recorded (workflow tests). */
  requests?: RequestStore;
  /** The one environment a deployment serves; absent locally (any environment). */
  servedEnvironment?: string;
  /** How the portal's URLs are derived beyond what Kong reports (an operator-chosen cookie domain). */
  portalUrls?: PortalUrlOptions;
  /** Waits before a rate-limited call is handed back for retry; replaceable in tests. */
  sleep(ms: number): Promise<void>;
  /** Milliseconds this invocation may still run (Lambda context), when known. */
  remainingMs?(): number;
}

export async function buildStepContext(config: StepConfig): Promise<StepContext> {
  const aws = config.aws ?? {};
  const client = { region: aws.region, credentials: aws.credentials };
  // Step Functions is the one retry owner: the SDK makes a single attempt.
  const secrets = new SecretStore(
    new SecretsManagerClient({ ...client, endpoint: aws.endpoints?.secretsManager, maxAttempts: 1 }),
  );
  // Each function only gets the settings of the services it talks to (least privilege).
  const okta = config.okta
    ? new OktaClient({
        orgUrl: config.okta.url,
        token: await secrets.get(config.okta.tokenSecretArn),
        ...(config.okta.httpsProxy ? { httpsProxy: config.okta.httpsProxy } : {}),
      })
    : unavailable<OktaClient>('Okta', 'OKTA_ORG_URL');
  const kong = config.kong
    ? new KongClient({
        adminUrl: config.kong.url,
        token: await secrets.get(config.kong.tokenSecretArn),
        ...(config.kong.rbacHeader ? { rbacHeader: config.kong.rbacHeader } : {}),
      })
    : unavailable<KongClient>('Kong', 'KONG_ADMIN_URL');
  return {
    okta,
    kong,
    secrets,
    ...(config.requestsTable
      ? {
          requests: new RequestStore({
            tableName: config.requestsTable,
            client: new DynamoDBClient({ ...client, endpoint: aws.endpoints?.dynamodb }),
          }),
        }
      : {}),
    ...(config.servedEnvironment ? { servedEnvironment: config.servedEnvironment } : {}),
    ...(config.kong?.portalSessionCookieDomain
      ? { portalUrls: { sessionCookieDomain: config.kong.portalSessionCookieDomain } }
      : {}),
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

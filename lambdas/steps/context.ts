/**
 * What a step needs to do its work: the clients, built from the parsed configuration by the
 * builders its function is given (wiring/). API tokens are read from Secrets Manager by ARN (never
 * passed as values in env).
 */
import type { KongClient } from '../clients/kong';
import type { KonnectClient } from '../clients/konnect';
import type { OktaClient } from '../clients/okta';
import type { RequestStore } from '../clients/requests';
import type { SecretStore } from '../clients/secrets';
import type { KongAccess, KonnectAccess, OktaAccess, StepConfig } from '../core/config';
import type { PortalUrlOptions } from '../core/portal-urls';
import { PermanentError, RateLimitedError } from '../core/errors';

export interface StepContext {
  okta: OktaClient;
  kong: KongClient;
  /** The Konnect Portal Management API, for requests whose portal is a Konnect Dev Portal. */
  konnect: KonnectClient;
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
  /**
   * How many times Step Functions has already retried this state (`$$.State.RetryCount`). On the
   * first attempt a step may trust what an earlier step read; a retry must look again, because the
   * failed attempt may have changed things before it failed.
   */
  attempt?: number;
}

/** The first attempt of this state in this execution (not a retry). */
export const isFirstAttempt = (ctx: Pick<StepContext, 'attempt'>): boolean => (ctx.attempt ?? 0) === 0;

/**
 * How each client is built. Every builder is a module of its own (wiring/), and a function is given
 * only the ones its step uses, so its bundle carries no other client (nor, without Okta, the SDK).
 */
export interface ClientBuilders {
  secrets(config: StepConfig): SecretStore;
  okta(access: OktaAccess, secrets: SecretStore): Promise<OktaClient>;
  kong(access: KongAccess, secrets: SecretStore): Promise<KongClient>;
  konnect(access: KonnectAccess, secrets: SecretStore): Promise<KonnectClient>;
  requests(tableName: string, config: StepConfig): RequestStore;
}

/** The builders one function is given; the Okta and Kong tokens are secrets, so those need Secrets Manager. */
export type ClientWiring = Partial<Pick<ClientBuilders, 'requests'>> &
  (
    | { secrets?: undefined; okta?: undefined; kong?: undefined; konnect?: undefined }
    | (Pick<ClientBuilders, 'secrets'> & Partial<Pick<ClientBuilders, 'okta' | 'kong' | 'konnect'>>)
  );

export async function buildStepContext(config: StepConfig, wiring: ClientWiring): Promise<StepContext> {
  const secrets = wiring.secrets
    ? wiring.secrets(config)
    : unavailable<SecretStore>('Secrets Manager', 'not part of this function');
  // Each function only gets the settings of the services it talks to (least privilege).
  const okta = !config.okta
    ? unavailable<OktaClient>('Okta', 'OKTA_ORG_URL not set')
    : wiring.okta
      ? await wiring.okta(config.okta, secrets)
      : unavailable<OktaClient>('Okta', 'not part of this function');
  const kong = !config.kong
    ? unavailable<KongClient>('Kong', 'KONG_ADMIN_URL not set')
    : wiring.kong
      ? await wiring.kong(config.kong, secrets)
      : unavailable<KongClient>('Kong', 'not part of this function');
  const konnect = !config.konnect
    ? unavailable<KonnectClient>(
        'Konnect',
        'KONNECT_API_URL not set: this deployment serves no Konnect portal',
      )
    : wiring.konnect
      ? await wiring.konnect(config.konnect, secrets)
      : unavailable<KonnectClient>('Konnect', 'not part of this function');
  return {
    okta,
    kong,
    konnect,
    secrets,
    ...(config.requestsTable && wiring.requests
      ? { requests: wiring.requests(config.requestsTable, config) }
      : {}),
    ...(config.servedEnvironment ? { servedEnvironment: config.servedEnvironment } : {}),
    ...(config.kong?.portalSessionCookieDomain
      ? { portalUrls: { sessionCookieDomain: config.kong.portalSessionCookieDomain } }
      : {}),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/** A client this function was not configured for: any use is a configuration error. */
function unavailable<T extends object>(vendor: string, why: string): T {
  return new Proxy({} as T, {
    get() {
      throw new PermanentError(`Configuration error: this function has no ${vendor} access (${why})`);
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

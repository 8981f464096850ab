/**
 * Okta's rate limits as Okta documents them, for load tests and benchmarks; off unless a test turns
 * them on (`control.enforceRateLimits`), so other tests never wait for a window.
 *
 * Sources (developer.okta.com, okta/okta-developer-docs):
 * - per-minute buckets, One App column: "Management rate limits" (/docs/reference/rl-global-mgmt/):
 *   `/api/v1/apps` "and all other endpoints of the form /api/v1/apps/* including /api/v1/apps/{id}/*"
 *   100; "Explicit calls to the app instance: /api/v1/apps/{id}" 600; `/api/v1/groups` except
 *   `/{id}` 600; `/api/v1/groups/{id}` 600; `/oauth2/v1/clients` 100; "Most other API actions:
 *   /api/v1" 600 - that is where /api/v1/authorizationServers* and /api/v1/meta/schemas* fall (the
 *   Okta Terraform provider's generated rate_limit_lines.go agrees: see research/okta.md section 6).
 * - `/oauth2/...`: "Authentication/End-user rate limits" (/docs/reference/rl-global-enduser/):
 *   `/oauth2/{authorizationServerId}/v1/authorize` and `/token` 1,200, the rest of
 *   `/oauth2/{authorizationServerId}/v1` 1,200 (the org server's likewise), "All other OAuth2
 *   requests: /oauth2" 600; "Endpoints without rate limiting": the public metadata endpoints
 *   (`/.well-known/*`, `/v1/keys`), so their answers here carry no X-Rate-Limit-* headers.
 * - concurrency: "Additional rate limits" (/docs/reference/rl-additional-limits/): One App 35
 *   simultaneous transactions for all traffic but agents and Office 365, "The first request to
 *   exceed the concurrent limit returns an HTTP 429 error".
 * - headers: "Rate limit best practices" (/docs/reference/rl-best-practices/): Limit, Remaining,
 *   Reset (UTC epoch seconds); a concurrency 429 carries `X-Rate-Limit-Limit: 0`,
 *   `X-Rate-Limit-Remaining: 0` and an *estimated* reset ("It isn't a guarantee").
 * - per token: "Token and OAuth 2.0 app rate limits" (/docs/reference/rl2-token-oauth/): "By
 *   default, each API token ... can use up to 50% of a bucket's total rate limit". Off here unless
 *   `tokenSharePercent` says so; what the headers then report is NOT documented (we report the
 *   token's ceiling).
 *
 * The number tables are the last ones Okta published: since December 2025 these pages send readers
 * to the Admin Console's rate-limit dashboard (/docs/reference/rl2-limits/), which is authoritative
 * for a real org.
 *
 * Modelling choices Okta does not document: a bucket's window opens with its first call and lasts
 * one (scaled) minute, its end rounded up to a whole second, so `X-Rate-Limit-Reset` is exactly
 * when the window ends; refused calls use no quota and hold no concurrency slot; the concurrency
 * estimate is one (scaled) second ahead, rounded up to a whole second.
 */
import type { Admission } from '../http-sandbox';
import { rateLimitHeaders, tooManyRequests } from './errors';

/** The buckets the sandbox's endpoints fall in, named as Okta's rate-limit pages name them. */
export const OKTA_BUCKETS = [
  '/api/v1/apps',
  '/api/v1/apps/{id}',
  '/api/v1/groups',
  '/api/v1/groups/{id}',
  '/api/v1',
  '/oauth2/v1/clients',
  '/oauth2/{authorizationServerId}/v1/authorize',
  '/oauth2/{authorizationServerId}/v1/token',
  '/oauth2/{authorizationServerId}/v1',
  '/oauth2/v1/authorize',
  '/oauth2/v1/token',
  '/oauth2/v1',
  '/oauth2',
] as const;

export type OktaBucket = (typeof OKTA_BUCKETS)[number];

/** Per-minute limits of a One App org. */
export const ONE_APP_LIMITS: Readonly<Record<OktaBucket, number>> = {
  '/api/v1/apps': 100,
  '/api/v1/apps/{id}': 600,
  '/api/v1/groups': 600,
  '/api/v1/groups/{id}': 600,
  '/api/v1': 600,
  '/oauth2/v1/clients': 100,
  '/oauth2/{authorizationServerId}/v1/authorize': 1200,
  '/oauth2/{authorizationServerId}/v1/token': 1200,
  '/oauth2/{authorizationServerId}/v1': 1200,
  '/oauth2/v1/authorize': 1200,
  '/oauth2/v1/token': 1200,
  '/oauth2/v1': 1200,
  '/oauth2': 600,
};

/** Simultaneous requests a One App org takes. */
export const ONE_APP_CONCURRENCY = 35;

const REAL_MINUTE_MS = 60_000;

/** The bucket a call counts against; undefined for the public metadata endpoints (not limited). */
export function oktaBucketOf(path: string): OktaBucket | undefined {
  const s = path.split('/').filter((p) => p.length > 0);
  if (s[0] === 'api' && s[1] === 'v1') {
    if (s[2] === 'apps') return s.length === 4 ? '/api/v1/apps/{id}' : '/api/v1/apps';
    if (s[2] === 'groups' && s.length === 3) return '/api/v1/groups';
    if (s[2] === 'groups' && s.length === 4) return '/api/v1/groups/{id}';
    // Users, logs... have rows of their own; this sandbox serves none of them.
    return '/api/v1';
  }
  if (s[0] === '.well-known') return undefined;
  if (s[0] !== 'oauth2') return undefined;
  const custom = s[1] !== 'v1';
  const [version, endpoint] = custom ? s.slice(2) : s.slice(1);
  if (version === '.well-known' || (version === 'v1' && endpoint === 'keys')) return undefined;
  if (version !== 'v1') return '/oauth2';
  if (custom) {
    if (endpoint === 'authorize') return '/oauth2/{authorizationServerId}/v1/authorize';
    if (endpoint === 'token') return '/oauth2/{authorizationServerId}/v1/token';
    return '/oauth2/{authorizationServerId}/v1';
  }
  if (endpoint === 'clients') return '/oauth2/v1/clients';
  if (endpoint === 'authorize') return '/oauth2/v1/authorize';
  if (endpoint === 'token') return '/oauth2/v1/token';
  return '/oauth2/v1';
}

export interface OktaRateLimitOptions {
  /**
   * Real milliseconds an Okta "minute" lasts: 60_000 (default) is real time, 6_000 runs the limits
   * 10 times faster (the limits per window stay Okta's). X-Rate-Limit-Reset stays real UTC epoch
   * seconds - what a client compares with its own clock - so a window ends on a whole second and
   * lasts minuteMs to minuteMs + 1 s: prefer whole seconds of at least 1_000. A client that waits
   * until the announced second (the provisioner's waitOutRateLimit, rounded up to whole seconds
   * from now) always lands in a fresh window, never early, at most ~1 s late; Step Functions' retry
   * backoff after that wait is not scaled (the local stack's retryDelayMs replaces it).
   */
  minuteMs?: number;
  /** Per-minute limits overriding the One App ones (e.g. smaller ones for a quick test). */
  limits?: Partial<Record<OktaBucket, number>>;
  /** Simultaneous requests taken (default 35); Infinity turns the concurrency limit off. */
  concurrency?: number;
  /** Share of each bucket our one API token may use (default 100; Okta's default for a token is 50). */
  tokenSharePercent?: number;
}

/** The limits in force, as a benchmark would report them. */
export interface OktaRateLimitPlan {
  minuteMs: number;
  /** How much faster than real time the windows run (60_000 / minuteMs). */
  timeFactor: number;
  /** Per-window ceilings after the token share. */
  limits: Record<OktaBucket, number>;
  concurrency: number;
}

export interface OktaRateLimitUsage {
  enforcing: boolean;
  inFlight: number;
  /** The most calls ever in flight at once (since start, reset or enforceRateLimits). */
  peakInFlight: number;
  /** The open window of each bucket used so far. */
  windows: Partial<Record<OktaBucket, { used: number; limit: number; resetEpochSeconds: number }>>;
}

interface Window {
  used: number;
  endsAt: number;
}

const ceilToSecond = (ms: number) => Math.ceil(ms / 1000) * 1000;

function checked(name: string, value: number, ok: boolean): number {
  if (!ok) throw new Error(`${name} cannot be ${value}`);
  return value;
}

const whole = (v: number) => Number.isInteger(v) && v > 0;

function planOf(options: OktaRateLimitOptions): OktaRateLimitPlan {
  const minuteMs = options.minuteMs ?? REAL_MINUTE_MS;
  checked('minuteMs', minuteMs, Number.isFinite(minuteMs) && minuteMs > 0);
  const share = options.tokenSharePercent ?? 100;
  checked('tokenSharePercent', share, share > 0 && share <= 100);
  const limits: Record<OktaBucket, number> = { ...ONE_APP_LIMITS };
  for (const bucket of OKTA_BUCKETS) {
    const limit = options.limits?.[bucket] ?? ONE_APP_LIMITS[bucket];
    checked(`limits['${bucket}']`, limit, whole(limit));
    limits[bucket] = Math.max(1, Math.floor((limit * share) / 100));
  }
  const concurrency = options.concurrency ?? ONE_APP_CONCURRENCY;
  checked('concurrency', concurrency, whole(concurrency) || concurrency === Infinity);
  return { minuteMs, timeFactor: REAL_MINUTE_MS / minuteMs, limits, concurrency };
}

/** Headers the sandbox sends while nothing is enforced: plenty left, so no client waits for nothing. */
const RELAXED_LIMIT = ONE_APP_LIMITS['/api/v1'];

export class OktaRateLimits {
  private plan: OktaRateLimitPlan | undefined;
  private readonly windows = new Map<OktaBucket, Window>();
  private relaxed: Window = { used: 0, endsAt: 0 };
  // Counted in every mode, so a call admitted before enforce() still frees its slot correctly.
  private inFlight = 0;
  private peakInFlight = 0;

  enforce(options: OktaRateLimitOptions = {}): OktaRateLimitPlan {
    this.plan = planOf(options);
    this.windows.clear();
    this.peakInFlight = this.inFlight;
    return structuredClone(this.plan);
  }

  relax(): void {
    this.plan = undefined;
    this.windows.clear();
    this.relaxed = { used: 0, endsAt: 0 };
    this.peakInFlight = this.inFlight;
  }

  usage(): OktaRateLimitUsage {
    const windows: OktaRateLimitUsage['windows'] = {};
    for (const [bucket, w] of this.windows) {
      windows[bucket] = {
        used: w.used,
        limit: this.plan?.limits[bucket] ?? 0,
        resetEpochSeconds: w.endsAt / 1000,
      };
    }
    return {
      enforcing: this.plan !== undefined,
      inFlight: this.inFlight,
      peakInFlight: this.peakInFlight,
      windows,
    };
  }

  /** Decides on a call's arrival (see the header comment for what Okta answers). */
  admit(path: string, now = Date.now()): Admission {
    const plan = this.plan;
    if (!plan) return this.take(this.relaxedHeaders(now));
    if (this.inFlight >= plan.concurrency) {
      const estimate = ceilToSecond(now + plan.minuteMs / 60) / 1000;
      return { refusal: tooManyRequests(rateLimitHeaders(0, 0, estimate)), limitedBy: 'concurrency' };
    }
    const bucket = oktaBucketOf(path);
    if (bucket === undefined) return this.take({});
    const limit = plan.limits[bucket];
    let window = this.windows.get(bucket);
    if (!window || now >= window.endsAt) {
      window = { used: 0, endsAt: ceilToSecond(now + plan.minuteMs) };
      this.windows.set(bucket, window);
    }
    const reset = window.endsAt / 1000;
    if (window.used >= limit) {
      return { refusal: tooManyRequests(rateLimitHeaders(limit, 0, reset)), limitedBy: bucket };
    }
    window.used += 1;
    return this.take(rateLimitHeaders(limit, limit - window.used, reset));
  }

  private take(headers: Record<string, string>): Admission {
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    let released = false;
    return {
      headers,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight -= 1;
      },
    };
  }

  private relaxedHeaders(now: number): Record<string, string> {
    if (now >= this.relaxed.endsAt) this.relaxed = { used: 0, endsAt: ceilToSecond(now + REAL_MINUTE_MS) };
    this.relaxed.used += 1;
    return rateLimitHeaders(
      RELAXED_LIMIT,
      Math.max(1, RELAXED_LIMIT - this.relaxed.used),
      this.relaxed.endsAt / 1000,
    );
  }
}

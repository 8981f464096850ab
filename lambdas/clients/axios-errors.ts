/**
 * What an axios call to Kong, Konnect or Okta's public OIDC endpoints can end in, mapped once onto our
 * taxonomy (next to http-errors.ts, which the Okta SDK's errors go through as well). Redirects and
 * oversized answers are refused, never followed or read.
 */
import { isAxiosError } from 'axios';
import { PermanentError, type FieldIssue, type ProvisionerError } from '../core/errors';
import { isNetworkCode, toProvisionerError } from './http-errors';

export type AxiosVendor = 'Kong' | 'Konnect' | 'Okta';

interface ErrorBody {
  message?: unknown;
  errorSummary?: unknown;
  error_description?: unknown;
  /** RFC 9457 problem details (Konnect): `detail`, and for 400 `invalid_parameters`. */
  detail?: unknown;
  fields?: unknown;
  invalid_parameters?: unknown;
}

/** Kong's `fields` is nested ({config: {portal: "expected a boolean"}}): flatten to dotted paths. */
function issuesFromFields(fields: unknown, prefix = ''): FieldIssue[] {
  if (typeof fields === 'string') return [{ field: prefix, reason: fields }];
  if (Array.isArray(fields))
    return fields.flatMap((f, i) => issuesFromFields(f, prefix ? `${prefix}.${i}` : String(i)));
  if (typeof fields !== 'object' || fields === null) return [];
  return Object.entries(fields).flatMap(([key, value]) =>
    issuesFromFields(value, prefix ? `${prefix}.${key}` : key),
  );
}

/** Konnect's `invalid_parameters`: [{field, reason, rule?, source?}]. */
function issuesFromInvalidParameters(parameters: unknown): FieldIssue[] {
  if (!Array.isArray(parameters)) return [];
  return parameters.flatMap((p: unknown) => {
    if (typeof p !== 'object' || p === null) return [];
    const { field, reason } = p as { field?: unknown; reason?: unknown };
    return typeof reason === 'string' ? [{ field: typeof field === 'string' ? field : '', reason }] : [];
  });
}

/**
 * A redirect is never followed with credentials. Name where it pointed (origin only: a Location can
 * carry a query) so the operator can fix the configured URL.
 */
function redirected(vendor: string, operation: string, status: number, location: unknown): PermanentError {
  let target = 'another address';
  try {
    if (typeof location === 'string') target = new URL(location).origin;
  } catch {
    // a relative or malformed Location: keep the generic wording
  }
  return new PermanentError(
    `${vendor} ${operation} answered with a redirect (HTTP ${status} to ${target}), which is not followed: ` +
      `configure the address that answers directly${vendor === 'Kong' ? ' (KONG_ADMIN_URL)' : ''}`,
    { vendor, operation, status },
  );
}

/**
 * Okta announces the end of a rate-limit window in X-Rate-Limit-Reset as UTC epoch seconds (Okta,
 * "Rate limits": X-Rate-Limit-Limit, -Remaining, -Reset); Kong's rate-limiting plugin answers
 * RateLimit-Reset / Retry-After in seconds from now. Konnect documents no rate-limit headers; the
 * standard Retry-After (seconds) is read the same way if it sends one.
 */
function rateLimitResetOf(
  vendor: AxiosVendor,
  headers: Record<string, unknown> | undefined,
): number | undefined {
  const header = (name: string) => Number(headers?.[name]);
  if (vendor === 'Okta') {
    const epoch = header('x-rate-limit-reset');
    return Number.isFinite(epoch) && epoch > 0 ? epoch : undefined;
  }
  const seconds = [header('ratelimit-reset'), header('retry-after')].find((n) => Number.isFinite(n) && n > 0);
  return seconds === undefined ? undefined : Math.ceil(Date.now() / 1000) + seconds;
}

/** An answer that is not a success (any 4xx/5xx), whoever read it. */
export function mapHttpAnswer(
  vendor: AxiosVendor,
  operation: string,
  answer: { status: number; headers?: unknown; data?: unknown },
  hints: { unauthorized: string; forbidden: string },
  secrets: ReadonlyArray<string | undefined> = [],
): ProvisionerError {
  const body: ErrorBody = typeof answer.data === 'object' && answer.data !== null ? answer.data : {};
  const summary = [body.message, body.errorSummary, body.error_description, body.detail].find(
    (t) => typeof t === 'string',
  );
  const headers = typeof answer.headers === 'object' && answer.headers !== null ? { ...answer.headers } : {};
  return toProvisionerError(
    {
      vendor,
      operation,
      status: answer.status,
      summary: typeof summary === 'string' ? summary : `HTTP ${answer.status}`,
      issues: [...issuesFromFields(body.fields), ...issuesFromInvalidParameters(body.invalid_parameters)],
      rateLimitReset: rateLimitResetOf(vendor, headers),
    },
    hints,
    secrets,
  );
}

export function mapAxiosError(
  vendor: AxiosVendor,
  operation: string,
  err: unknown,
  hints: { unauthorized: string; forbidden: string },
  secrets: ReadonlyArray<string | undefined> = [],
): ProvisionerError {
  if (isAxiosError(err)) {
    if (/maxContentLength|maxBodyLength/.test(err.message)) {
      return new PermanentError(
        `${vendor} ${operation} answered with a body too large to read (over its limit)`,
        {
          vendor,
          operation,
        },
      );
    }
    const status = err.response?.status ?? 0;
    if (status >= 300 && status < 400)
      return redirected(vendor, operation, status, err.response?.headers?.location);
    if (!err.response) {
      const network =
        err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT' ? 'timed out' : (err.code ?? 'network error');
      return toProvisionerError({ vendor, operation, summary: '', network }, hints, secrets);
    }
    return mapHttpAnswer(vendor, operation, err.response, hints, secrets);
  }
  if (isNetworkCode((err as { code?: unknown } | null)?.code)) {
    return toProvisionerError(
      { vendor, operation, summary: '', network: String((err as { code: unknown }).code) },
      hints,
      secrets,
    );
  }
  return new PermanentError(
    `${vendor} ${operation} failed unexpectedly: ${err instanceof Error ? err.name : typeof err}`,
  );
}

/**
 * Maps what an HTTP call to Okta or Kong can end in onto our error taxonomy, in one place, so both
 * clients agree on what is worth retrying. Only identifiers and vendor summaries reach a message.
 */
import {
  ConflictError,
  PermanentError,
  RateLimitedError,
  TransientError,
  ValidationError,
  scrubSecrets,
  type FieldIssue,
  type ProvisionerError,
} from '../core/errors';

export interface HttpFailure {
  vendor: 'Okta' | 'Kong' | 'Konnect' | 'Jira' | 'ServiceNow';
  operation: string;
  status?: number;
  /** Vendor error code (Okta `errorCode`) if any. */
  code?: string;
  summary: string;
  issues?: FieldIssue[];
  /** Epoch seconds when a rate limit resets (`X-Rate-Limit-Reset`). */
  rateLimitReset?: number;
  /** Network-level failure: connection refused/reset, timeout. */
  network?: string;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
]);

export function isNetworkCode(code: unknown): boolean {
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

export function toProvisionerError(
  failure: HttpFailure,
  hints: { unauthorized: string; forbidden: string },
  secrets: ReadonlyArray<string | undefined> = [],
): ProvisionerError {
  const where = `${failure.vendor} ${failure.operation}`;
  const clean = (text: string) => scrubSecrets(text, secrets);
  const code = failure.code ? ` ${failure.code}` : '';
  const summary = clean(failure.summary);
  const details = {
    vendor: failure.vendor,
    operation: failure.operation,
    status: failure.status,
    code: failure.code,
  };
  // No `cause` is chained: vendor errors can carry request bodies and headers (tokens).
  const options = {};

  if (failure.network) {
    return new TransientError(
      `${where} did not complete (${failure.network}); it is safe to retry`,
      details,
      options,
    );
  }
  const status = failure.status ?? 0;
  if (status === 429) {
    return new RateLimitedError(
      `${where} was rate-limited by ${failure.vendor} (HTTP 429${code})`,
      failure.rateLimitReset,
      details,
      options,
    );
  }
  if (status >= 500 || status === 408) {
    return new TransientError(`${where} failed with HTTP ${status}${code}: ${summary}`, details, options);
  }
  if (status === 401)
    return new PermanentError(
      `${where} was refused (HTTP 401${code}): ${hints.unauthorized}`,
      details,
      options,
    );
  if (status === 403)
    return new PermanentError(
      `${where} was forbidden (HTTP 403${code}): ${hints.forbidden}`,
      details,
      options,
    );
  if (status === 409)
    return new ConflictError(
      `${where} conflicts with existing state (HTTP 409${code}): ${summary}`,
      details,
      options,
    );
  if (status === 400 || status === 422) {
    const issues = (failure.issues ?? []).map((i) => ({ field: i.field, reason: clean(i.reason) }));
    const list = issues.length
      ? `: ${issues.map((i) => (i.field ? `${i.field}: ${i.reason}` : i.reason)).join('; ')}`
      : '';
    return new ValidationError(
      `${where} was rejected as invalid (HTTP ${status}${code}) ${summary}${list}`,
      issues,
      details,
      options,
    );
  }
  return new PermanentError(`${where} failed with HTTP ${status}${code}: ${summary}`, details, options);
}

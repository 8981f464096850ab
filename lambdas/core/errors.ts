/**
 * The error taxonomy Step Functions matches on (by `name`, so names are assigned explicitly and
 * survive minification). Messages are built from identifiers and vendor error summaries only:
 * callers never put a secret into one, and `scrubSecrets` guards text we did not write ourselves.
 */

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `tokenLifetimes.accessTokenMinutes`. */
  field: string;
  reason: string;
}

export abstract class ProvisionerError extends Error {
  abstract readonly retryable: boolean;
  /** Structured, secret-free details safe to put into execution state and API responses. */
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.details = details;
  }

  toJSON(): { name: string; message: string; details: Record<string, unknown> } {
    return { name: this.name, message: this.message, details: this.details };
  }
}

/** 5xx, timeouts, connection resets: the call may succeed if repeated. */
export class TransientError extends ProvisionerError {
  override readonly name = 'TransientError';
  readonly retryable = true;
}

/** 429: repeat after `resetAt` (epoch seconds, from `X-Rate-Limit-Reset`) when known. */
export class RateLimitedError extends ProvisionerError {
  override readonly name = 'RateLimitedError';
  readonly retryable = true;
  readonly resetAt: number | undefined;

  constructor(
    message: string,
    resetAt?: number,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, { ...details, ...(resetAt === undefined ? {} : { resetAt }) }, options);
    this.resetAt = resetAt;
  }

  /** Seconds to wait from `now` (ms) before the limit resets; undefined when the vendor did not say. */
  retryAfterSeconds(now = Date.now()): number | undefined {
    return this.resetAt === undefined ? undefined : Math.max(0, Math.ceil(this.resetAt - now / 1000));
  }
}

/** Will fail again however often it is repeated (bad credentials, missing permission, broken setup). */
export class PermanentError extends ProvisionerError {
  override readonly name = 'PermanentError';
  readonly retryable = false;
}

/** The input (ours or what the vendor was sent) is invalid; `issues` name each field and reason. */
export class ValidationError extends ProvisionerError {
  override readonly name = 'ValidationError';
  readonly retryable = false;
  readonly issues: FieldIssue[];

  constructor(
    message: string,
    issues: FieldIssue[],
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, { ...details, issues }, options);
    this.issues = issues;
  }

  static of(issues: FieldIssue[], prefix = 'Invalid request'): ValidationError {
    const summary = issues.map((i) => (i.field ? `${i.field}: ${i.reason}` : i.reason)).join('; ');
    return new ValidationError(`${prefix}: ${summary}`, issues);
  }
}

/** The target is in a state this request must not override (e.g. a resource owned by someone else). */
export class ConflictError extends ProvisionerError {
  override readonly name = 'ConflictError';
  readonly retryable = false;
}

const MASK = '***';

/** Replaces every occurrence of the given secret values in text we did not compose ourselves. */
export function scrubSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join(MASK);
  }
  return out;
}

/** The thing asked about does not exist (an unknown request id). */
export class NotFoundError extends ProvisionerError {
  override readonly name = 'NotFoundError';
  readonly retryable = false;
}

/**
 * One mapping from AWS SDK failures (DynamoDB, Secrets Manager, Step Functions) onto our error
 * taxonomy. Messages name the service, the operation, the target and the error's name only: the
 * SDK's own message can quote request contents (expression values, secret names with values).
 */
import { PermanentError, TransientError, type ProvisionerError } from '../core/errors';

export function errorName(err: unknown): string {
  return typeof err === 'object' && err !== null && 'name' in err
    ? String((err as { name: unknown }).name)
    : 'Error';
}

const TRANSIENT = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'InternalServerError',
  'InternalServiceError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionConflictException',
  'TimeoutError',
  'RequestTimeout',
  'ECONNRESET',
  'ECONNREFUSED',
]);

/** Raised by our own process before anything was sent: would fail identically on every retry. */
const LOCAL_FAULTS = new Set(['TypeError', 'RangeError', 'SyntaxError', 'ReferenceError']);

export function awsErrorKind(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  // Node's network errors are plain `Error`s; their `code` (ECONNREFUSED, ...) is the useful name.
  return errorName(err) === 'Error' && typeof code === 'string' ? code : errorName(err);
}

/**
 * An error without an HTTP status never got an answer (refused, reset, timed out): worth
 * retrying, unless it is a programming error raised before sending.
 */
export function mapAwsError(
  service: 'DynamoDB' | 'Secrets Manager' | 'Step Functions' | 'EventBridge',
  operation: string,
  target: string,
  err: unknown,
): ProvisionerError {
  const kind = awsErrorKind(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  const noAnswer = status === undefined && !LOCAL_FAULTS.has(kind);
  const message = `${service} ${operation} on '${target}' failed: ${noAnswer ? `${kind} (no answer)` : kind}`;
  const details = { operation, kind, ...(status === undefined ? {} : { status }) };
  if (TRANSIENT.has(kind) || noAnswer || (status ?? 0) >= 500) return new TransientError(message, details);
  return new PermanentError(message, details);
}

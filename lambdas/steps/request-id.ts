/** The request id both Validate steps check the execution input for (it names the execution and every marker). */
import { ValidationError } from '../core/errors';

export const REQUEST_ID = /^[A-Za-z0-9_-]{1,80}$/;

export function validRequestId(requestId: unknown): string {
  if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId))
    throw ValidationError.of([{ field: 'requestId', reason: 'must be 1-80 letters, digits, - or _' }]);
  return requestId;
}

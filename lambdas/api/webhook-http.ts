/**
 * The HTTP edge of the webhooks: the raw body exactly as the sender signed it (API Gateway hands it
 * over as text, or base64 when it treated it as binary), a size limit checked first, and one
 * mapping from what a delivery came to onto a status. Jira retries 408/409/425/429/5xx, so only a
 * real dependency failure answers 5xx; a delivery that will never be accepted answers 4xx.
 */
import type { DeliveryResult } from '../tickets/webhooks';
import { statusUrl } from '../runs/deps';
import { header, json, type ApiEvent, type ApiResult } from './http';

export function rawBodyOf(event: ApiEvent): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** 413 for a body over the limit (API Gateway REST APIs have no body-size setting of their own). */
export function tooLarge(raw: Buffer, maxBodyBytes: number): ApiResult | undefined {
  if (raw.length <= maxBodyBytes) return undefined;
  return json(413, { error: 'PayloadTooLarge', message: `The body is larger than ${maxBodyBytes} bytes` });
}

export const deliveryOf = (event: ApiEvent, rawBody: Buffer) => ({
  rawBody,
  header: (name: string) => header(event, name),
});

export function deliveryResponse(deps: { basePath: string }, result: DeliveryResult): ApiResult {
  switch (result.kind) {
    case 'unauthenticated':
      return json(401, {
        error: 'Unauthorized',
        message: "The delivery is not signed with this webhook's secret",
      });
    case 'malformed':
      return json(400, {
        error: 'ValidationError',
        message: `Invalid webhook delivery: ${result.reason}`,
        issues: [{ field: '', reason: result.reason }],
      });
    case 'ignored':
      return { statusCode: 204, headers: {}, body: '' };
    case 'replayed':
      return json(409, {
        error: 'Conflict',
        message: 'This delivery was received before; a delivery is accepted once',
        existingRequest: { id: result.requestId, statusUrl: statusUrl(deps, result.requestId) },
      });
    case 'rejected':
      return json(200, { status: 'REJECTED', ticket: result.ticket, issues: result.issues });
    case 'accepted': {
      const url = statusUrl(deps, result.id);
      return json(
        202,
        { id: result.id, status: result.status, statusUrl: url, ticket: result.ticket },
        { Location: url },
      );
    }
  }
}

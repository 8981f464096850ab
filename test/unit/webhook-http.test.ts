// Intent: the webhooks see the body exactly as the sender signed it, whether API Gateway passes it
// as text or base64; a body over the limit is refused with 413 before anything else; and every
// outcome of a delivery maps onto one status that Jira will not retry unless retrying can help
// (401, 400, 413 and 409 are final; only a dependency failure answers 5xx).
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { deliveryResponse, rawBodyOf, tooLarge } from '../../lambdas/api/webhook-http';

const event = (body: string | null, isBase64Encoded = false) =>
  ({ body, isBase64Encoded }) as APIGatewayProxyEvent;

it('takes the raw body from text and from base64 alike, byte for byte', () => {
  const bytes = Buffer.from('{"summary":"Portal für Team A"}\n', 'utf8');
  expect(rawBodyOf(event(bytes.toString('utf8')))).toEqual(bytes);
  expect(rawBodyOf(event(bytes.toString('base64'), true))).toEqual(bytes);
  expect(rawBodyOf(event(null))).toEqual(Buffer.alloc(0));
});

it('refuses a body over the limit with 413, counting bytes not characters', () => {
  expect(tooLarge(Buffer.from('ü'.repeat(6)), 12)).toBeUndefined();
  expect(tooLarge(Buffer.from('ü'.repeat(7)), 12)).toMatchObject({ statusCode: 413 });
});

it('answers each outcome with its status', () => {
  const deps = { basePath: '/v1' };
  const status = (result: Parameters<typeof deliveryResponse>[1]) =>
    deliveryResponse(deps, result).statusCode;
  expect(status({ kind: 'unauthenticated', problem: 'mismatch' })).toBe(401);
  expect(status({ kind: 'malformed', reason: 'x' })).toBe(400);
  expect(status({ kind: 'ignored', reason: 'x' })).toBe(204);
  expect(status({ kind: 'replayed', requestId: 'req-1', ticket: 'RITM1' })).toBe(409);
  expect(
    status({
      kind: 'rejected',
      issues: [{ field: 'workspace', reason: 'is required' }],
      repeated: false,
      ticket: 'KPP-1',
    }),
  ).toBe(200);
  const accepted = deliveryResponse(deps, {
    kind: 'accepted',
    id: 'req-1',
    status: 'RUNNING',
    repeated: false,
    ticket: 'KPP-1',
  });
  expect(accepted).toMatchObject({ statusCode: 202, headers: { Location: '/v1/provisionings/req-1' } });
  // Which check failed is not told to the caller.
  expect(deliveryResponse(deps, { kind: 'unauthenticated', problem: 'stale' }).body).toBe(
    deliveryResponse(deps, { kind: 'unauthenticated', problem: 'missing' }).body,
  );
});

/**
 * The HTTP edge shared by the API handlers: API Gateway proxy events in, JSON responses out, and
 * one mapping from our error taxonomy to status codes. Error bodies carry field names and reasons,
 * never request values or stack traces.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { RequestSource } from '../clients/requests';
import { ConflictError, NotFoundError, ProvisionerError, ValidationError } from '../core/errors';
import type { AcceptedRun } from '../runs/accept';
import { statusUrl } from '../runs/deps';
import { logger } from '../clients/logger';

export type ApiEvent = APIGatewayProxyEvent;
export type ApiResult = APIGatewayProxyResult;

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export interface Caller {
  principal: string;
  sourceIp?: string;
  userAgent?: string;
}

/** Who is calling, as API Gateway's IAM authorizer established it (never taken from the body). */
export function callerOf(event: ApiEvent): Caller {
  const identity = event.requestContext?.identity;
  return {
    principal: identity?.userArn ?? identity?.caller ?? 'anonymous',
    sourceIp: identity?.sourceIp ?? undefined,
    userAgent: identity?.userAgent ?? header(event, 'user-agent'),
  };
}

export function header(event: ApiEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === wanted);
  return entry?.[1] ?? undefined;
}

/** What a self-service caller's run records as its source. */
export function apiSource(caller: Caller): RequestSource {
  return {
    channel: 'api',
    principal: caller.principal,
    ...(caller.sourceIp ? { sourceIp: caller.sourceIp } : {}),
    ...(caller.userAgent ? { userAgent: caller.userAgent } : {}),
  };
}

/** 202 with where to follow the run. */
export function acceptedResponse(
  deps: { basePath: string },
  accepted: AcceptedRun,
  extra: Record<string, unknown> = {},
): ApiResult {
  const url = statusUrl(deps, accepted.id);
  return json(202, { id: accepted.id, status: accepted.status, statusUrl: url, ...extra }, { Location: url });
}

/** A body that must be a JSON object when present (`required`: when absent too). */
export function jsonObjectBody(event: ApiEvent, required: boolean): Record<string, unknown> {
  const body = parseJsonBody(event);
  if (body === undefined && !required) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw ValidationError.of([
      {
        field: '',
        reason: required
          ? 'the request body must be a JSON object'
          : 'the request body, when given, must be a JSON object',
      },
    ]);
  }
  return body as Record<string, unknown>;
}

/** Every request this API takes is a few KB: anything near this is not one of ours. */
export const MAX_BODY_BYTES = 1024 * 1024;

export class PayloadTooLargeError extends ProvisionerError {
  override readonly name = 'PayloadTooLargeError';
  readonly retryable = false;
}

export const payloadTooLarge = (): ApiResult =>
  json(413, { error: 'PayloadTooLarge', message: `The request body is larger than ${MAX_BODY_BYTES} bytes` });

export function parseJsonBody(event: ApiEvent): unknown {
  if (!event.body) return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES)
    throw new PayloadTooLargeError('request body too large');
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw ValidationError.of([{ field: '', reason: 'the request body is not valid JSON' }]);
  }
}

/** Runs a handler body; every failure becomes a specific status with a secret-free JSON body. */
export async function respond(fn: () => Promise<ApiResult>): Promise<ApiResult> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ValidationError) {
      return json(400, { error: 'ValidationError', message: err.message, issues: err.issues });
    }
    if (err instanceof NotFoundError) return json(404, { error: 'NotFound', message: err.message });
    if (err instanceof PayloadTooLargeError) return payloadTooLarge();
    if (err instanceof ConflictError)
      return json(409, { error: 'Conflict', message: err.message, ...err.details });
    const name = err instanceof Error ? err.name : 'Error';
    logger.error('request failed', {
      error: name,
      message: err instanceof ProvisionerError ? err.message : undefined,
    });
    const retryable = err instanceof ProvisionerError && err.retryable;
    return json(retryable ? 503 : 500, {
      error: retryable ? 'ServiceUnavailable' : 'InternalError',
      message: retryable
        ? 'A dependency is temporarily unavailable; retry the request'
        : 'The request could not be processed',
    });
  }
}

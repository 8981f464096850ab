/** POST /provisionings: validate, then accept the run (202) or say precisely why not (400/409). */
import { ValidationError } from '../core/errors';
import { parseProvisioningRequest } from '../core/request';
import { acceptRun } from '../runs/accept';
import { provisioningRun } from '../runs/requests';
import { depsFromEnv, type ApiDeps } from './deps';
import {
  acceptedResponse,
  apiSource,
  callerOf,
  header,
  jsonObjectBody,
  respond,
  type ApiEvent,
  type ApiResult,
} from './http';

const KEY = /^[A-Za-z0-9_-]{1,64}$/;

/** The key from the header, which must agree with one in the body. */
function idempotencyKey(event: ApiEvent, body: Record<string, unknown>): string | undefined {
  const key = header(event, 'Idempotency-Key');
  if (key === undefined) return undefined;
  if (!KEY.test(key))
    throw ValidationError.of([{ field: 'Idempotency-Key', reason: 'must be 1-64 letters, digits, - or _' }]);
  if (body.idempotencyKey !== undefined && body.idempotencyKey !== key)
    throw ValidationError.of([
      { field: 'idempotencyKey', reason: 'differs from the Idempotency-Key header' },
    ]);
  return key;
}

export async function startProvisioning(event: ApiEvent, deps: ApiDeps): Promise<ApiResult> {
  return respond(async () => {
    const caller = callerOf(event);
    const body = jsonObjectBody(event, true);
    const key = idempotencyKey(event, body);
    const request = parseProvisioningRequest(key ? { ...body, idempotencyKey: key } : body, {
      environment: deps.defaultEnvironment,
      requestedBy: caller.principal,
    });
    const accepted = await acceptRun(deps, provisioningRun(request, apiSource(caller)));
    return acceptedResponse(deps, accepted, { dryRun: request.dryRun });
  });
}

export const handler = (event: ApiEvent): Promise<ApiResult> => startProvisioning(event, depsFromEnv());

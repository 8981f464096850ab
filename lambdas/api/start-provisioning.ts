/** POST /provisionings: validate, then accept the run (202) or say precisely why not (400/409). */
import { ValidationError } from '../core/errors';
import { parseProvisioningRequest } from '../core/request';
import { depsFromEnv, type ApiDeps } from './deps';
import { callerOf, header, parseJsonBody, respond, type ApiEvent, type ApiResult } from './http';
import { acceptedResponse, apiSource, startRun } from './start-run';

const KEY = /^[A-Za-z0-9_-]{1,64}$/;

export async function startProvisioning(event: ApiEvent, deps: ApiDeps): Promise<ApiResult> {
  return respond(async () => {
    const caller = callerOf(event);
    const body = parseJsonBody(event);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw ValidationError.of([{ field: '', reason: 'the request body must be a JSON object' }]);
    }
    const headerKey = header(event, 'Idempotency-Key');
    if (headerKey !== undefined && !KEY.test(headerKey)) {
      throw ValidationError.of([
        { field: 'Idempotency-Key', reason: 'must be 1-64 letters, digits, - or _' },
      ]);
    }
    const fields = body as Record<string, unknown>;
    if (
      headerKey !== undefined &&
      fields.idempotencyKey !== undefined &&
      fields.idempotencyKey !== headerKey
    ) {
      throw ValidationError.of([
        { field: 'idempotencyKey', reason: 'differs from the Idempotency-Key header' },
      ]);
    }
    // Who asked defaults to the authenticated caller.
    const request = parseProvisioningRequest({
      requestedBy: caller.principal,
      ...fields,
      ...(headerKey ? { idempotencyKey: headerKey } : {}),
    });
    const accepted = await startRun(deps, {
      kind: 'provision',
      scope: { workspace: request.workspace, environment: request.environment },
      request,
      requestedBy: request.requestedBy,
      source: apiSource(caller),
      idempotencyKey: request.idempotencyKey,
      dryRun: request.dryRun,
    });
    return acceptedResponse(accepted, { dryRun: request.dryRun });
  });
}

export const handler = (event: ApiEvent): Promise<ApiResult> => startProvisioning(event, depsFromEnv());

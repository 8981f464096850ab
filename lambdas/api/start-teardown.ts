/** DELETE /workspaces/{workspace}/portal?environment=: remove what the provisioner made there. */
import { ValidationError } from '../core/errors';
import { parseTeardownRequest } from '../core/request';
import { depsFromEnv, type ApiDeps } from './deps';
import { callerOf, parseJsonBody, respond, type ApiEvent, type ApiResult } from './http';
import { acceptedResponse, apiSource, startRun } from './start-run';

export async function startTeardown(event: ApiEvent, deps: ApiDeps): Promise<ApiResult> {
  return respond(async () => {
    const caller = callerOf(event);
    const body = parseJsonBody(event);
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
      throw ValidationError.of([
        { field: '', reason: 'the request body, when given, must be a JSON object' },
      ]);
    }
    // The path and query say what to tear down; the body may only say who asked.
    const fields = (body ?? {}) as Record<string, unknown>;
    const stray = Object.keys(fields).filter((key) => key !== 'requestedBy');
    if (stray.length) {
      throw ValidationError.of(
        stray.map((field) => ({
          field,
          reason: 'is not accepted in the body (the workspace is in the path, the environment in the query)',
        })),
      );
    }
    const request = parseTeardownRequest({
      requestedBy: fields.requestedBy ?? caller.principal,
      workspace: event.pathParameters?.workspace,
      environment: event.queryStringParameters?.environment,
    });
    const accepted = await startRun(deps, {
      kind: 'teardown',
      scope: { workspace: request.workspace, environment: request.environment },
      request,
      requestedBy: request.requestedBy,
      source: apiSource(caller),
      dryRun: false,
    });
    return acceptedResponse(accepted);
  });
}

export const handler = (event: ApiEvent): Promise<ApiResult> => startTeardown(event, depsFromEnv());

/** DELETE /workspaces/{workspace}/portal?environment=: remove what the provisioner made there. */
import { ValidationError } from '../core/errors';
import { parseTeardownRequest } from '../core/request';
import { acceptRun } from '../runs/accept';
import { teardownRun } from '../runs/requests';
import { depsFromEnv, type ApiDeps } from './deps';
import {
  acceptedResponse,
  apiSource,
  callerOf,
  jsonObjectBody,
  respond,
  type ApiEvent,
  type ApiResult,
} from './http';

export async function startTeardown(event: ApiEvent, deps: ApiDeps): Promise<ApiResult> {
  return respond(async () => {
    const caller = callerOf(event);
    // The path and query say what to tear down; the body may only say who asked.
    const body = jsonObjectBody(event, false);
    const stray = Object.keys(body).filter((key) => key !== 'requestedBy');
    if (stray.length)
      throw ValidationError.of(
        stray.map((field) => ({
          field,
          reason: 'is not accepted in the body (the workspace is in the path, the environment in the query)',
        })),
      );
    const request = parseTeardownRequest(
      {
        ...body,
        workspace: event.pathParameters?.workspace,
        environment: event.queryStringParameters?.environment,
      },
      { environment: deps.defaultEnvironment, requestedBy: caller.principal },
    );
    const accepted = await acceptRun(deps, teardownRun(request, apiSource(caller)));
    return acceptedResponse(deps, accepted);
  });
}

export const handler = (event: ApiEvent): Promise<ApiResult> => startTeardown(event, depsFromEnv());

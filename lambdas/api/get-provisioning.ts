/**
 * GET /provisionings/{id}: the status of a run, with per-step progress, its outputs (issuer,
 * client id, portal URL, secret ARN - never a secret value), and who asked and from where.
 */
import { viewRun } from '../runs/view';
import { depsFromEnv, type ApiDeps } from './deps';
import { json, respond, type ApiEvent, type ApiResult } from './http';

export async function getProvisioning(event: ApiEvent, deps: ApiDeps): Promise<ApiResult> {
  return respond(async () => json(200, await viewRun(deps, event.pathParameters?.id ?? '')));
}

export const handler = (event: ApiEvent): Promise<ApiResult> => getProvisioning(event, depsFromEnv());

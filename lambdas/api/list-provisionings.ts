/** GET /provisionings?workspace=&environment=&limit=&next=: the request history, newest first. */
import { DEFAULT_LIMIT } from '../clients/requests';
import { ValidationError, type FieldIssue } from '../core/errors';
import { listRuns } from '../runs/view';
import { depsFromEnv, type ApiDeps } from './deps';
import { json, respond, type ApiEvent, type ApiResult } from './http';

const KNOWN = new Set(['workspace', 'environment', 'limit', 'next']);

function parseQuery(query: Record<string, string | undefined>) {
  const issues: FieldIssue[] = Object.keys(query)
    .filter((k) => !KNOWN.has(k))
    .map((k) => ({ field: k, reason: 'is not a known query parameter' }));
  const limit = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    issues.push({ field: 'limit', reason: 'must be a whole number from 1 to 100' });
  if (query.workspace !== undefined && !/^[A-Za-z0-9._~-]{1,100}$/.test(query.workspace))
    issues.push({ field: 'workspace', reason: 'is not a valid workspace name' });
  if (query.environment !== undefined && !/^[a-z0-9-]{1,20}$/.test(query.environment))
    issues.push({ field: 'environment', reason: 'is not a valid environment name' });
  if (issues.length) throw ValidationError.of(issues, 'Invalid query');
  return { workspace: query.workspace, environment: query.environment, limit, next: query.next };
}

export async function listProvisionings(event: ApiEvent, deps: ApiDeps): Promise<ApiResult> {
  return respond(async () => json(200, await listRuns(deps, parseQuery(event.queryStringParameters ?? {}))));
}

export const handler = (event: ApiEvent): Promise<ApiResult> => listProvisionings(event, depsFromEnv());

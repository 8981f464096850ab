/** GET /provisionings?workspace=&environment=&limit=&next=: the request history, newest first. */
import { ValidationError, type FieldIssue } from '../core/errors';
import { depsFromEnv, type ApiDeps } from './deps';
import { json, respond, type ApiEvent, type ApiResult } from './http';
import { statusUrl } from './start-run';

const KNOWN = new Set(['workspace', 'environment', 'limit', 'next']);

export async function listProvisionings(event: ApiEvent, deps: ApiDeps): Promise<ApiResult> {
  return respond(async () => {
    const query = event.queryStringParameters ?? {};
    const issues: FieldIssue[] = Object.keys(query)
      .filter((k) => !KNOWN.has(k))
      .map((k) => ({ field: k, reason: 'is not a known query parameter' }));
    const limit = query.limit === undefined ? 20 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      issues.push({ field: 'limit', reason: 'must be a whole number from 1 to 100' });
    if (query.workspace !== undefined && !/^[A-Za-z0-9._~-]{1,100}$/.test(query.workspace)) {
      issues.push({ field: 'workspace', reason: 'is not a valid workspace name' });
    }
    if (query.environment !== undefined && !/^[a-z0-9-]{1,20}$/.test(query.environment)) {
      issues.push({ field: 'environment', reason: 'is not a valid environment name' });
    }
    if (issues.length) throw ValidationError.of(issues, 'Invalid query');
    const page = await deps.requests.list({
      workspace: query.workspace ?? undefined,
      environment: query.environment ?? undefined,
      limit,
      next: query.next ?? undefined,
    });
    return json(200, {
      items: page.items.map((r) => ({
        id: r.id,
        kind: r.kind,
        status: r.status === 'PENDING' ? 'RUNNING' : r.status,
        workspace: r.workspace,
        environment: r.environment,
        dryRun: r.dryRun,
        requestedBy: r.requestedBy,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
        statusUrl: statusUrl(r.id),
      })),
      ...(page.next ? { next: page.next } : {}),
    });
  });
}

export const handler = (event: ApiEvent): Promise<ApiResult> => listProvisionings(event, depsFromEnv());

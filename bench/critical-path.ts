/**
 * The critical-path bound of a provisioning and a teardown: the longest chain of Okta/Kong calls
 * that really depend on each other, round by round, each round justified by what it needs from the
 * one before. With every call taking L ms, no implementation can finish faster than rounds x L.
 * The calls listed here are exactly the calls the code makes (test/workflow/critical-path.test.ts
 * compares them with what a run sends to the sandboxes), so this table cannot drift from the code.
 */

export interface Round {
  /** "METHOD /path" with ids as {id} and the workspace as {ws} (see callKey). */
  calls: readonly string[];
  /** Why none of these can start before the previous round has answered. */
  needs: string;
}

const AS = '/api/v1/authorizationServers/{id}';

export const PROVISIONING_ROUNDS: readonly Round[] = [
  {
    calls: [
      'GET /{ws}/kong',
      'GET /workspaces/{ws}',
      'GET /api/v1/groups',
      'GET /api/v1/meta/schemas/user/default',
      'GET /api/v1/apps',
      'GET /api/v1/authorizationServers',
    ],
    needs: 'nothing: the request alone says what to read',
  },
  {
    calls: ['POST /api/v1/apps', 'POST /api/v1/authorizationServers'],
    needs:
      "the app: the redirect URI (Kong's node configuration) and that no app of ours exists; the server: that none exists",
  },
  {
    calls: ['PUT /api/v1/apps/{id}/groups/{id}', `POST ${AS}/claims`, `POST ${AS}/policies`],
    needs: "the app's id and the group ids; the server's id; the policy also the app's client id",
  },
  { calls: [`POST ${AS}/policies/{id}/rules`], needs: 'the policy it belongs to' },
  {
    calls: ['PATCH /workspaces/{ws}'],
    needs:
      'the client id, the client secret and the issuer - and, by choice, a complete Okta side, so the portal never points at a half-configured server',
  },
  {
    calls: ['GET /oauth2/{id}/.well-known/openid-configuration', 'GET /oauth2/{id}/v1/authorize'],
    needs: 'what Kong stored: the check asks Okta with exactly what Kong will send',
  },
];

export const TEARDOWN_ROUNDS: readonly Round[] = [
  {
    calls: ['GET /workspaces/{ws}', 'GET /api/v1/apps', 'GET /api/v1/authorizationServers'],
    needs: 'nothing: the request alone says what to read',
  },
  { calls: ['PATCH /workspaces/{ws}'], needs: 'the current settings, to write only what differs' },
  {
    calls: ['POST /api/v1/apps/{id}/lifecycle/deactivate', `POST ${AS}/lifecycle/deactivate`],
    needs: 'the ids found - and, by choice, a portal that no longer signs in through them',
  },
  {
    calls: ['DELETE /api/v1/apps/{id}', `DELETE ${AS}`],
    needs: 'Okta deletes only deactivated apps and servers',
  },
];

const OKTA_ID = /\/(0oa|aus|00g|00p|0pr|ocl)[A-Za-z0-9]+/g;

/** A recorded call as a round entry: Okta ids as {id}, the workspace as {ws}. */
export function callKey(call: { method: string; path: string }, workspace: string): string {
  const ws = encodeURIComponent(workspace);
  const path = call.path
    .replace(OKTA_ID, '/{id}')
    .replace(new RegExp(`^/workspaces/${ws}$`), '/workspaces/{ws}')
    .replace(new RegExp(`^/${ws}/kong$`), '/{ws}/kong');
  return `${call.method} ${path}`;
}

export function callCounts(
  calls: ReadonlyArray<{ method: string; path: string }>,
  workspace: string,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of calls) {
    const key = callKey(c, workspace);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Every call the rounds list, once each (one group requested). */
export function roundCalls(rounds: readonly Round[]): Record<string, number> {
  return Object.fromEntries(rounds.flatMap((r) => r.calls).map((c) => [c, 1]));
}

export const boundMs = (rounds: readonly Round[], latencyMs: number): number => rounds.length * latencyMs;

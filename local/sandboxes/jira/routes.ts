/**
 * The Jira Cloud REST v3 operations the provisioner (and the sample-ticket CLI) use, with Jira's own
 * answers: basic auth with an account e-mail and API token (401 otherwise), 404 "Issue does not
 * exist or you do not have permission to see it." for an unknown issue, ADF comment bodies checked
 * against Atlassian's ADF schema (400 {"errors":{"comment":"Comment body is not valid!"}}, as Jira
 * answers a body that is not ADF), and transitions only where the workflow allows them.
 */
import { validateAdf } from '../../contracts/validator';
import type { Route, SandboxRequest, SandboxResponse } from '../http-sandbox';
import {
  ISSUE_TYPES,
  STATUSES,
  TRANSITIONS,
  jiraTime,
  type JiraIssue,
  type JiraState,
  type JiraUser,
} from './issues';

export const ISSUE = '/rest/api/3/issue';
export const COMMENTS = '/rest/api/3/issue/{issueIdOrKey}/comment';
export const TRANSITIONS_ROUTE = '/rest/api/3/issue/{issueIdOrKey}/transitions';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const jiraErrors = (
  status: number,
  errorMessages: string[],
  errors: Record<string, string> = {},
): SandboxResponse => ({
  status,
  body: { errorMessages, errors },
});

const issueNotFound = () =>
  jiraErrors(404, ['Issue does not exist or you do not have permission to see it.']);

/** The caller, from `Authorization: Basic base64(email:api_token)`. */
export function callerOf(state: JiraState, req: SandboxRequest): JiraUser | undefined {
  const header = req.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(value ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const at = decoded.indexOf(':');
  return at < 0 ? undefined : state.userByToken(decoded.slice(0, at), decoded.slice(at + 1));
}

function userDetails(user: JiraUser | undefined, baseUrl: string): Obj {
  if (!user) return { accountId: 'unknown', displayName: 'Unknown', active: false };
  return {
    self: `${baseUrl}/rest/api/3/user?accountId=${user.accountId}`,
    accountId: user.accountId,
    displayName: user.displayName,
    active: true,
    accountType: 'atlassian',
  };
}

function renderComment(
  state: JiraState,
  issue: JiraIssue,
  comment: JiraIssue['comments'][number],
  baseUrl: string,
): Obj {
  const author = userDetails(state.userById(comment.author), baseUrl);
  return {
    self: `${baseUrl}/rest/api/3/issue/${issue.id}/comment/${comment.id}`,
    id: comment.id,
    author,
    body: comment.body,
    updateAuthor: author,
    created: comment.created,
    updated: comment.created,
    jsdPublic: true,
  };
}

function statusDetails(id: string, baseUrl: string): Obj {
  const status = STATUSES.find((s) => s.id === id) ?? STATUSES[0];
  const categoryIds = { new: 2, indeterminate: 4, done: 3 };
  return {
    self: `${baseUrl}/rest/api/3/status/${status?.id}`,
    id: status?.id,
    name: status?.name,
    statusCategory: { id: categoryIds[status?.category ?? 'new'], key: status?.category, name: status?.name },
  };
}

const lookupKey = (v: unknown, ...keys: string[]): string | undefined => {
  if (!isObj(v)) return undefined;
  for (const k of keys) if (typeof v[k] === 'string') return v[k] as string;
  return undefined;
};

export function jiraRoutes(state: JiraState, authenticated: (req: SandboxRequest) => JiraUser): Route[] {
  const withIssue = (req: SandboxRequest, fn: (issue: JiraIssue) => SandboxResponse): SandboxResponse => {
    const issue = state.find(req.params.issueIdOrKey ?? '');
    return issue ? fn(issue) : issueNotFound();
  };
  return [
    {
      method: 'POST',
      template: ISSUE,
      handler: (req) => {
        const fields = isObj(req.body) && isObj(req.body.fields) ? req.body.fields : {};
        const errors: Record<string, string> = {};
        const projectKey = lookupKey(fields.project, 'key', 'id');
        const project = [...state.projects.values()].find((p) => p.key === projectKey || p.id === projectKey);
        if (!project) errors.project = 'Specify a valid project ID or key';
        const typeRef = lookupKey(fields.issuetype, 'name', 'id');
        const type = ISSUE_TYPES.find((t) => t.name === typeRef || t.id === typeRef);
        if (!type) errors.issuetype = 'Specify an issue type';
        if (typeof fields.summary !== 'string' || fields.summary.trim() === '')
          errors.summary = 'You must specify a summary of the issue.';
        if (!project || !type || Object.keys(errors).length) return jiraErrors(400, [], errors);
        const reporter = state.userById(lookupKey(fields.reporter, 'accountId') ?? '') ?? authenticated(req);
        const issue = state.create(project.key, {}, reporter);
        issue.fields = {
          ...fields,
          summary: fields.summary,
          project: {
            id: project.id,
            key: project.key,
            name: project.name,
            self: `${req.baseUrl}/rest/api/2/project/${project.id}`,
          },
          issuetype: { id: type.id, name: type.name, self: `${req.baseUrl}/rest/api/2/issuetype/${type.id}` },
          reporter: userDetails(reporter, req.baseUrl),
          created: issue.created,
        };
        return {
          status: 201,
          body: { id: issue.id, key: issue.key, self: `${req.baseUrl}/rest/api/3/issue/${issue.id}` },
        };
      },
    },
    {
      method: 'GET',
      template: COMMENTS,
      handler: (req) =>
        withIssue(req, (issue) => {
          const newest = req.query.get('orderBy') === '-created';
          const all = newest ? [...issue.comments].reverse() : issue.comments;
          const startAt = Number(req.query.get('startAt') ?? 0);
          const maxResults = Math.min(Number(req.query.get('maxResults') ?? 5000), 5000);
          return {
            status: 200,
            body: {
              startAt,
              maxResults,
              total: all.length,
              comments: all
                .slice(startAt, startAt + maxResults)
                .map((c) => renderComment(state, issue, c, req.baseUrl)),
            },
          };
        }),
    },
    {
      method: 'POST',
      template: COMMENTS,
      handler: (req) =>
        withIssue(req, (issue) => {
          const body = isObj(req.body) ? req.body.body : undefined;
          // The v3 API takes ADF only; Jira refuses anything else with this one generic message.
          if (!validateAdf(body).ok) return jiraErrors(400, [], { comment: 'Comment body is not valid!' });
          const comment = {
            id: state.nextCommentId(),
            author: authenticated(req).accountId,
            body,
            created: jiraTime(),
          };
          issue.comments.push(comment);
          return { status: 201, body: renderComment(state, issue, comment, req.baseUrl) };
        }),
    },
    {
      method: 'GET',
      template: TRANSITIONS_ROUTE,
      handler: (req) =>
        withIssue(req, (issue) => ({
          status: 200,
          body: {
            transitions: TRANSITIONS.filter(
              (t) => t.from.length === 0 || t.from.includes(issue.statusId),
            ).map((t) => ({
              id: t.id,
              name: t.name,
              to: statusDetails(t.to, req.baseUrl),
              hasScreen: false,
              isGlobal: t.from.length === 0,
              isInitial: false,
              isAvailable: true,
              isConditional: false,
              isLooped: false,
            })),
          },
        })),
    },
    {
      method: 'POST',
      template: TRANSITIONS_ROUTE,
      handler: (req) =>
        withIssue(req, (issue) => {
          const id = isObj(req.body) && isObj(req.body.transition) ? req.body.transition.id : undefined;
          const transition = TRANSITIONS.find(
            (t) => t.id === id && (t.from.length === 0 || t.from.includes(issue.statusId)),
          );
          if (!transition)
            return jiraErrors(400, [`Transition id '${String(id)}' is not valid for this issue.`]);
          state.transition(issue, transition, authenticated(req));
          return { status: 204 };
        }),
    },
  ];
}

export { statusDetails, userDetails };

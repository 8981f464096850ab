/**
 * A stateful loopback stand-in for the Jira Cloud platform REST API v3, limited to what the
 * provisioner's notifier and the sample-ticket CLI use: create an issue, list and add comments
 * (ADF, checked against Atlassian's schema), list and perform transitions. Every request and answer
 * is checked against Jira's OpenAPI document (contracts/jira-platform.trimmed.yaml). It also renders
 * an issue event the way Jira's webhooks send it, for tests. Test equipment and the demo only.
 */
import { randomUUID } from 'node:crypto';
import { jiraContract } from '../../contracts/validator';
import { JIRA_SANDBOX_USER } from '../../dev-defaults';
import { startHttpSandbox, type SandboxControl, type SandboxFlavour } from '../http-sandbox';
import {
  TRANSITIONS,
  JiraState,
  jiraTime,
  type ChangelogEntry,
  type JiraIssue,
  type JiraUser,
} from './issues';
import { callerOf, jiraErrors, jiraRoutes, statusDetails, userDetails } from './routes';

export type { JiraIssue, JiraUser } from './issues';

export { JIRA_SANDBOX_USER };

export interface JiraSandboxControl {
  addUser(user: JiraUser): void;
  addProject(key: string, name?: string): void;
  /** An issue created behind the API's back (as a person in the Jira UI would), in status Open. */
  addIssue(projectKey: string, fields: Record<string, unknown>, reporter?: string): JiraIssue;
  /** Moves an issue through the workflow, as a person clicking "Approve" would; returns the changelog. */
  transition(key: string, transitionId: string, by?: string): ChangelogEntry;
  reset(): void;
}

export interface JiraSandbox {
  url: string;
  user: typeof JIRA_SANDBOX_USER;
  control: SandboxControl & JiraSandboxControl;
  state: {
    issue(key: string): JiraIssue | undefined;
    issues(): JiraIssue[];
    comments(key: string): unknown[];
  };
  /** The body Jira's webhook sends for an event of this issue (REST v2 representation). */
  webhookPayload(
    key: string,
    event: 'jira:issue_created' | 'jira:issue_updated',
    changelog?: ChangelogEntry,
  ): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startJiraSandbox(
  options: { port?: number; projects?: string[] } = {},
): Promise<JiraSandbox> {
  const state = new JiraState();
  const initialise = () => {
    state.clear();
    state.users.set(JIRA_SANDBOX_USER.emailAddress, { ...JIRA_SANDBOX_USER });
    state.users.set('mia@example.com', {
      accountId: '5b10ac8d82e05b22cc7d4ef5',
      displayName: 'Mia Krystof',
      emailAddress: 'mia@example.com',
      apiToken: randomUUID(),
    });
    for (const key of options.projects ?? ['KPP']) state.addProject(key, 'Kong portals');
  };
  initialise();

  const authenticatedUser = (req: Parameters<typeof callerOf>[1]): JiraUser => {
    const user = callerOf(state, req);
    if (!user) throw new Error('route reached without authentication');
    return user;
  };
  const flavour: SandboxFlavour = {
    authenticate: (req) =>
      callerOf(state, req)
        ? undefined
        : jiraErrors(401, ['Client must be authenticated to access this resource.']),
    error: (status, message) => jiraErrors(status, [message]),
    invalidRequest: (errors) =>
      jiraErrors(
        400,
        [],
        Object.fromEntries(
          errors.map((e) => [e.path.replace(/^\//, '').replace(/\//g, '.') || 'request', e.message]),
        ),
      ),
    // Jira Cloud: 429 with Retry-After (seconds) and X-RateLimit-Reset (ISO time) - "Rate limiting".
    rateLimited: (resetEpochSeconds) => ({
      ...jiraErrors(429, ['Rate limit exceeded.']),
      headers: {
        'Retry-After': String(Math.max(0, resetEpochSeconds - Math.ceil(Date.now() / 1000))),
        'X-RateLimit-Reset': new Date(resetEpochSeconds * 1000).toISOString(),
      },
    }),
    contract: jiraContract(),
  };
  const sandbox = await startHttpSandbox(jiraRoutes(state, authenticatedUser), flavour, {
    port: options.port,
  });

  const byAccount = (accountId: string | undefined) =>
    state.userById(accountId ?? JIRA_SANDBOX_USER.accountId);
  const jiraControl: JiraSandboxControl = {
    addUser: (user) => state.users.set(user.emailAddress, user),
    addProject: (key, name) => state.addProject(key, name),
    addIssue(projectKey, fields, reporter) {
      const who = byAccount(reporter) ?? (byAccount(undefined) as JiraUser);
      const issue = state.create(projectKey, {}, who);
      issue.fields = { ...fields, reporter: userDetails(who, sandbox.url) };
      return structuredClone(issue);
    },
    transition(key, transitionId, by) {
      const issue = state.find(key);
      if (!issue) throw new Error(`no issue ${key}`);
      const t = TRANSITIONS.find((x) => x.id === transitionId);
      if (!t) throw new Error(`no transition ${transitionId}`);
      return structuredClone(state.transition(issue, t, byAccount(by) ?? (byAccount(undefined) as JiraUser)));
    },
    reset() {
      initialise();
      sandbox.control.resetTraffic();
    },
  };

  return {
    url: sandbox.url,
    user: JIRA_SANDBOX_USER,
    control: Object.assign(sandbox.control, jiraControl),
    state: {
      issue: (key) => structuredClone(state.find(key)),
      issues: () => structuredClone(state.all()),
      comments: (key) => structuredClone(state.find(key)?.comments.map((c) => c.body) ?? []),
    },
    webhookPayload(key, event, changelog) {
      const issue = state.find(key);
      if (!issue) throw new Error(`no issue ${key}`);
      const actor = byAccount(changelog?.author ?? issue.reporter);
      return {
        timestamp: Date.now(),
        webhookEvent: event,
        issue_event_type_name: event === 'jira:issue_created' ? 'issue_created' : 'issue_generic',
        user: {
          ...userDetails(actor, sandbox.url),
          self: `${sandbox.url}/rest/api/2/user?accountId=${actor?.accountId}`,
        },
        issue: {
          id: issue.id,
          self: `${sandbox.url}/rest/api/2/issue/${issue.id}`,
          key: issue.key,
          fields: {
            ...issue.fields,
            status: statusDetails(issue.statusId, sandbox.url),
            updated: jiraTime(),
          },
        },
        ...(changelog ? { changelog: { id: changelog.id, items: changelog.items } } : {}),
      };
    },
    close: () => sandbox.close(),
  };
}

/**
 * The Jira sandbox's state: projects, users (e-mail + API token), issues with their status, a small
 * workflow (Open -> Approved -> Done), comments and the changelog of status changes. Shapes follow the
 * Jira Cloud platform REST v3 document (contracts/jira-platform.trimmed.yaml).
 */

export interface JiraUser {
  accountId: string;
  displayName: string;
  emailAddress: string;
  apiToken: string;
}

export interface JiraStatus {
  id: string;
  name: string;
  category: 'new' | 'indeterminate' | 'done';
}

export interface JiraTransition {
  id: string;
  name: string;
  /** Status ids it is available from (every status when empty). */
  from: string[];
  to: string;
}

export interface JiraComment {
  id: string;
  author: string;
  body: unknown;
  created: string;
}

export interface ChangelogEntry {
  id: string;
  author: string;
  created: string;
  items: Array<{
    field: string;
    fieldtype: string;
    fieldId: string;
    from: string;
    fromString: string;
    to: string;
    toString: string;
  }>;
}

export interface JiraIssue {
  id: string;
  key: string;
  /** Fields as Jira's REST v2 representation gives them (what webhooks carry). */
  fields: Record<string, unknown>;
  statusId: string;
  reporter: string;
  comments: JiraComment[];
  changelog: ChangelogEntry[];
  created: string;
}

export const STATUSES: JiraStatus[] = [
  { id: '1', name: 'Open', category: 'new' },
  { id: '10001', name: 'Approved', category: 'indeterminate' },
  { id: '10002', name: 'Done', category: 'done' },
];

export const TRANSITIONS: JiraTransition[] = [
  { id: '11', name: 'Approve', from: ['1'], to: '10001' },
  { id: '31', name: 'Done', from: ['10001'], to: '10002' },
];

export const ISSUE_TYPES = [
  { id: '10005', name: 'Service Request' },
  { id: '10006', name: 'Task' },
];

/** Jira's timestamp format: `2021-01-17T12:34:00.000+0000`. */
export const jiraTime = (date = new Date()) => date.toISOString().replace('Z', '+0000');

export class JiraState {
  readonly users = new Map<string, JiraUser>();
  readonly projects = new Map<string, { id: string; key: string; name: string; counter: number }>();
  private readonly issues = new Map<string, JiraIssue>();
  private nextId = 10010;

  clear(): void {
    this.users.clear();
    this.projects.clear();
    this.issues.clear();
    this.nextId = 10010;
  }

  addProject(key: string, name = key): void {
    this.projects.set(key, { id: String(10000 + this.projects.size), key, name, counter: 0 });
  }

  userByToken(email: string, token: string): JiraUser | undefined {
    const user = this.users.get(email);
    return user && user.apiToken === token ? user : undefined;
  }

  userById(accountId: string): JiraUser | undefined {
    return [...this.users.values()].find((u) => u.accountId === accountId);
  }

  /** By id or key, as `{issueIdOrKey}` is resolved. */
  find(idOrKey: string): JiraIssue | undefined {
    return this.issues.get(idOrKey) ?? [...this.issues.values()].find((i) => i.id === idOrKey);
  }

  all(): JiraIssue[] {
    return [...this.issues.values()];
  }

  create(projectKey: string, fields: Record<string, unknown>, reporter: JiraUser): JiraIssue {
    const project = this.projects.get(projectKey);
    if (!project) throw new Error(`no project ${projectKey}`);
    project.counter += 1;
    const issue: JiraIssue = {
      id: String(this.nextId++),
      key: `${project.key}-${project.counter}`,
      fields,
      statusId: '1',
      reporter: reporter.accountId,
      comments: [],
      changelog: [],
      created: jiraTime(),
    };
    this.issues.set(issue.key, issue);
    return issue;
  }

  nextCommentId(): string {
    return String(this.nextId++);
  }

  transition(issue: JiraIssue, transition: JiraTransition, author: JiraUser): ChangelogEntry {
    const from = STATUSES.find((s) => s.id === issue.statusId) as JiraStatus;
    const to = STATUSES.find((s) => s.id === transition.to) as JiraStatus;
    const entry: ChangelogEntry = {
      id: String(this.nextId++),
      author: author.accountId,
      created: jiraTime(),
      items: [
        {
          field: 'status',
          fieldtype: 'jira',
          fieldId: 'status',
          from: from.id,
          fromString: from.name,
          to: to.id,
          toString: to.name,
        },
      ],
    };
    issue.statusId = to.id;
    issue.changelog.push(entry);
    return entry;
  }
}

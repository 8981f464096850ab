/**
 * The three Jira Cloud platform REST v3 calls the notifier makes, with basic auth (Atlassian account
 * e-mail + API token). Hand-written on purpose: jira.js 6 is ESM-only and requires Node >= 22, while
 * this project's tests and CI run Node 20 under CommonJS; its types would not describe webhooks
 * until an unreleased version; and these are three calls. Request and response shapes follow the
 * platform OpenAPI document (contracts/jira-platform.trimmed.yaml), which the Jira sandbox enforces.
 *
 * - POST /rest/api/3/issue/{issueIdOrKey}/comment  {body: ADF}  -> 201 Comment
 * - GET  /rest/api/3/issue/{issueIdOrKey}/comment              -> 200 PageOfComments
 * - POST /rest/api/3/issue/{issueIdOrKey}/transitions {transition: {id}} -> 204
 */
import type { AxiosInstance } from 'axios';
import type { ProvisionerError } from '../../core/errors';
import type { JiraCredentials } from '../../core/ticket-credentials';
import type { AdfDocument } from '../../core/ticket-answer';
import { logger } from '../logger';
import { mapTicketError, ticketHttp } from './http';

const HINTS = {
  unauthorized:
    'Jira refused the credentials; put a valid Atlassian account e-mail and API token in the Jira credentials secret',
  forbidden:
    "the Jira user may not do this; it needs 'Add comments' (and 'Transition issues' for the transition)",
};

interface AdfNode {
  type?: unknown;
  text?: unknown;
  content?: unknown;
}

/** All the text of an ADF document, for finding our own comment again. */
export function adfText(node: unknown): string {
  if (typeof node !== 'object' || node === null) return '';
  const n = node as AdfNode;
  const own = typeof n.text === 'string' ? n.text : '';
  const children = Array.isArray(n.content) ? n.content.map(adfText).join(' ') : '';
  return `${own} ${children}`;
}

export class JiraClient {
  private readonly http: AxiosInstance;
  private readonly secrets: string[];

  constructor(options: { baseUrl: string; credentials: JiraCredentials; timeoutMs?: number }) {
    const { email, apiToken } = options.credentials;
    this.secrets = [apiToken];
    this.http = ticketHttp(
      options.baseUrl,
      { Authorization: `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}` },
      options.timeoutMs,
    );
  }

  private async call<T>(operation: string, fn: (http: AxiosInstance) => Promise<{ data: T }>): Promise<T> {
    try {
      return (await fn(this.http)).data;
    } catch (err) {
      const mapped: ProvisionerError = mapTicketError('Jira', operation, err, HINTS, this.secrets);
      logger.warn('jira call failed', { operation, error: mapped.name, status: mapped.details.status });
      throw mapped;
    }
  }

  async addComment(issue: string, body: AdfDocument): Promise<{ id: string }> {
    const comment = await this.call('addComment', (http) =>
      http.post<{ id: string }>(`/rest/api/3/issue/${encodeURIComponent(issue)}/comment`, { body }),
    );
    return { id: String(comment.id) };
  }

  /** The id of a recent comment whose text contains `marker`, if there is one. */
  async findComment(issue: string, marker: string): Promise<string | undefined> {
    const page = await this.call('getComments', (http) =>
      http.get<{ comments?: Array<{ id?: unknown; body?: unknown }> }>(
        `/rest/api/3/issue/${encodeURIComponent(issue)}/comment`,
        { params: { orderBy: '-created', maxResults: 50 } },
      ),
    );
    const found = (page.comments ?? []).find((c) => adfText(c.body).includes(marker));
    return found?.id === undefined ? undefined : String(found.id);
  }

  async transition(issue: string, transitionId: string): Promise<void> {
    await this.call('doTransition', (http) =>
      http.post(`/rest/api/3/issue/${encodeURIComponent(issue)}/transitions`, {
        transition: { id: transitionId },
      }),
    );
  }
}

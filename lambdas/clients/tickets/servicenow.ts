/**
 * The ServiceNow Table API call the notifier makes: a work note (and optionally a new state) on the
 * requested item. ServiceNow publishes no OpenAPI file; the shapes are the documented ones (REST
 * API reference, "Table - PATCH /now/table/{tableName}/{sys_id}": 200 `{"result": {...all fields as
 * strings...}}`, 400, 404; journal fields such as `work_notes` read back as "").
 *
 * Auth is basic, or OAuth with the password grant at `/oauth_token.do` (form-encoded; answers
 * `{access_token, token_type: "Bearer", expires_in, ...}`), whose token is reused until shortly
 * before it expires.
 */
import axios, { type AxiosInstance } from 'axios';
import { usesOAuth, type ServiceNowCredentials } from '../../core/ticket-credentials';
import { logger } from '../logger';
import { mapTicketError, ticketHttp } from './http';

const HINTS = {
  unauthorized:
    'ServiceNow refused the credentials; put a valid user (and OAuth client, if used) in the ServiceNow credentials secret',
  forbidden:
    "the ServiceNow user may not update requested items; it needs write access to sc_req_item (e.g. 'itil')",
};

/** Renew a token this long before ServiceNow says it expires. */
const TOKEN_MARGIN_MS = 60_000;

export class ServiceNowClient {
  private readonly http: AxiosInstance;
  private readonly secrets: string[];
  private token?: { value: string; expiresAt: number };

  constructor(
    private readonly options: {
      instanceUrl: string;
      credentials: ServiceNowCredentials;
      timeoutMs?: number;
      now?: () => number;
    },
  ) {
    const c = options.credentials;
    this.secrets = usesOAuth(c) ? [c.password, c.clientSecret] : [c.password];
    const basic: Record<string, string> = usesOAuth(c)
      ? {}
      : { Authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` };
    this.http = ticketHttp(options.instanceUrl, basic, options.timeoutMs);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private async authHeader(): Promise<Record<string, string>> {
    const c = this.options.credentials;
    if (!usesOAuth(c)) return {};
    if (this.token && this.token.expiresAt > this.now())
      return { Authorization: `Bearer ${this.token.value}` };
    const form = new URLSearchParams({
      grant_type: 'password',
      client_id: c.clientId,
      client_secret: c.clientSecret,
      username: c.username,
      password: c.password,
    });
    try {
      const { data } = await axios.post<{ access_token?: unknown; expires_in?: unknown }>(
        `${this.options.instanceUrl.replace(/\/+$/, '')}/oauth_token.do`,
        form.toString(),
        {
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
          timeout: this.options.timeoutMs ?? 10_000,
          maxRedirects: 0,
        },
      );
      if (typeof data.access_token !== 'string') throw new Error('no access_token in the answer');
      const lifetimeMs = (typeof data.expires_in === 'number' ? data.expires_in : 300) * 1000;
      this.token = {
        value: data.access_token,
        expiresAt: this.now() + Math.max(0, lifetimeMs - TOKEN_MARGIN_MS),
      };
      return { Authorization: `Bearer ${data.access_token}` };
    } catch (err) {
      const mapped = mapTicketError('ServiceNow', 'oauthToken', err, HINTS, this.secrets);
      logger.warn('servicenow token request failed', { error: mapped.name, status: mapped.details.status });
      throw mapped;
    }
  }

  /** Adds a work note to the requested item, optionally moving it to `state`. */
  async addWorkNote(sysId: string, note: string, state?: string): Promise<void> {
    const headers = await this.authHeader();
    try {
      await this.http.patch(
        `/api/now/table/sc_req_item/${encodeURIComponent(sysId)}`,
        { work_notes: note, ...(state ? { state } : {}) },
        { headers, params: { sysparm_fields: 'sys_id,number,state' } },
      );
    } catch (err) {
      // A rejected token is renewed on the next attempt.
      this.token = undefined;
      const mapped = mapTicketError('ServiceNow', 'updateRequestedItem', err, HINTS, [
        ...this.secrets,
        headers.Authorization,
      ]);
      logger.warn('servicenow call failed', {
        operation: 'updateRequestedItem',
        error: mapped.name,
        status: mapped.details.status,
      });
      throw mapped;
    }
  }
}

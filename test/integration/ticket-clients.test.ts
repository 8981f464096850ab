// Intent: the notifier's Jira and ServiceNow clients do what the vendors' APIs expect, over real
// HTTP against sandboxes that answer as those APIs do (Jira's OpenAPI document and ADF schema
// enforced, ServiceNow's documented Table API and OAuth token endpoint): comments land as ADF,
// transitions follow the workflow, work notes go to the journal (and read back empty on the
// record, as ServiceNow's do); vendor failures map onto our taxonomy (429 with Retry-After ->
// retry later, 5xx -> retry, bad credentials -> permanent) without a credential in any message.
import { JiraClient } from '../../lambdas/clients/tickets/jira';
import { ServiceNowClient } from '../../lambdas/clients/tickets/servicenow';
import { PermanentError, RateLimitedError, TransientError, ValidationError } from '../../lambdas/core/errors';
import { toAdf } from '../../lambdas/core/ticket-answer';
import { startJiraSandbox, type JiraSandbox } from '../../local/sandboxes/jira';
import { COMMENTS, TRANSITIONS_ROUTE } from '../../local/sandboxes/jira/routes';
import { startServiceNowSandbox, type ServiceNowSandbox } from '../../local/sandboxes/servicenow';
import { everythingIn } from '../support/capture-output';

let jira: JiraSandbox;
let servicenow: ServiceNowSandbox;

beforeAll(async () => {
  [jira, servicenow] = await Promise.all([startJiraSandbox(), startServiceNowSandbox()]);
});
afterAll(() => Promise.all([jira?.close(), servicenow?.close()]));
afterEach(() => {
  expect(jira.control.contractViolations).toEqual([]);
  expect(servicenow.control.contractViolations).toEqual([]);
  jira.control.clearFaults();
  servicenow.control.clearFaults();
});

const answer = toAdf({
  kind: 'rejected',
  ticketKey: 'KPP-1',
  deliveryId: 'd-1',
  issues: [{ field: 'workspace', reason: 'is required' }],
});

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('Jira', () => {
  const client = () =>
    new JiraClient({
      baseUrl: jira.url,
      credentials: { email: jira.user.emailAddress, apiToken: jira.user.apiToken },
      timeoutMs: 2000,
    });
  const newIssue = () =>
    jira.control.addIssue('KPP', {
      summary: 'portal',
      project: { key: 'KPP' },
      issuetype: { id: '10005', name: 'Service Request' },
    });

  it('adds an ADF comment and finds it again by its marker', async () => {
    const issue = newIssue();
    const { id } = await client().addComment(issue.id, answer);
    expect(jira.state.comments(issue.key)).toEqual([answer]);
    expect(await client().findComment(issue.key, 'd-1')).toBe(id);
    expect(await client().findComment(issue.key, 'd-2')).toBeUndefined();
  });

  it('is refused a body that is not ADF, as Jira refuses it', async () => {
    const issue = newIssue();
    const res = await fetch(`${jira.url}/rest/api/3/issue/${issue.key}/comment`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${jira.user.emailAddress}:${jira.user.apiToken}`).toString('base64')}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ body: 'plain text is v2' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errorMessages: [],
      errors: { comment: 'Comment body is not valid!' },
    });
    expect(jira.state.comments(issue.key)).toEqual([]);
  });

  it('transitions only where the workflow allows it', async () => {
    const issue = newIssue();
    expect(await caught(client().transition(issue.key, '31'))).toBeInstanceOf(ValidationError);
    jira.control.transition(issue.key, '11');
    await client().transition(issue.key, '31');
    expect(jira.state.issue(issue.key)?.statusId).toBe('10002');
  });

  it('maps rate limits, outages, unknown issues and bad credentials, never quoting the token', async () => {
    const issue = newIssue();
    jira.control.inject({ route: COMMENTS, method: 'POST', rateLimitResetInSeconds: 7 });
    const limited = await caught(client().addComment(issue.key, answer));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterSeconds()).toBeGreaterThanOrEqual(6);
    jira.control.inject({ route: TRANSITIONS_ROUTE, method: 'POST', status: 503 });
    expect(await caught(client().transition(issue.key, '11'))).toBeInstanceOf(TransientError);
    jira.control.inject({ route: COMMENTS, method: 'POST', loseResponse: true });
    expect(await caught(client().addComment(issue.key, answer))).toBeInstanceOf(TransientError);
    const missing = await caught(client().addComment('KPP-999', answer));
    expect(missing).toBeInstanceOf(PermanentError);
    expect((missing as Error).message).toContain('Issue does not exist');
    const wrong = new JiraClient({
      baseUrl: jira.url,
      credentials: { email: jira.user.emailAddress, apiToken: 'not-the-token-0123' },
    });
    const refused = await caught(wrong.addComment(issue.key, answer));
    expect(refused).toBeInstanceOf(PermanentError);
    expect((refused as Error).message).toMatch(/HTTP 401.*API token/);
    expect(everythingIn(refused)).not.toContain('not-the-token-0123');
  });
});

describe('ServiceNow', () => {
  const basic = () =>
    new ServiceNowClient({
      instanceUrl: servicenow.url,
      credentials: { ...servicenow.user },
      timeoutMs: 2000,
    });
  const oauth = () =>
    new ServiceNowClient({
      instanceUrl: servicenow.url,
      credentials: { ...servicenow.oauthClient, ...servicenow.user },
      timeoutMs: 2000,
    });

  it('writes a work note (and state) with basic auth and with an OAuth token, reused until it expires', async () => {
    const item = servicenow.control.addRequestedItem({ kong_workspace: 'team-a' });
    await basic().addWorkNote(item.sys_id, 'first note');
    const client = oauth();
    await client.addWorkNote(item.sys_id, 'second note', '3');
    await client.addWorkNote(item.sys_id, 'third note');
    expect(servicenow.state.workNotes(item.sys_id)).toEqual(['first note', 'second note', 'third note']);
    expect(servicenow.state.item(item.sys_id)?.fields).toMatchObject({ state: '3', sys_mod_count: '3' });
    expect(servicenow.control.callsTo('POST', '/oauth_token.do')).toHaveLength(1);
    // The Table API reads a journal field back as "" (the note lives in sys_journal_field).
    const res = await fetch(`${servicenow.url}/api/now/table/sc_req_item/${item.sys_id}`, {
      headers: {
        Authorization: `Basic ${Buffer.from(`${servicenow.user.username}:${servicenow.user.password}`).toString('base64')}`,
      },
    });
    expect(((await res.json()) as { result: Record<string, unknown> }).result.work_notes).toBe('');
  });

  it('maps rate limits, unknown records and bad credentials, never quoting the password', async () => {
    const item = servicenow.control.addRequestedItem({});
    servicenow.control.inject({
      route: '/api/now/table/{tableName}/{sys_id}',
      method: 'PATCH',
      rateLimitResetInSeconds: 30,
    });
    expect(await caught(basic().addWorkNote(item.sys_id, 'x'))).toBeInstanceOf(RateLimitedError);
    const missing = await caught(basic().addWorkNote('f'.repeat(32), 'x'));
    expect((missing as Error).message).toContain('No Record found');
    const wrong = new ServiceNowClient({
      instanceUrl: servicenow.url,
      credentials: {
        ...servicenow.oauthClient,
        username: servicenow.user.username,
        password: 'not-the-password-42',
      },
    });
    const refused = await caught(wrong.addWorkNote(item.sys_id, 'x'));
    expect(refused).toBeInstanceOf(PermanentError);
    expect(everythingIn(refused)).not.toContain('not-the-password-42');
    expect(servicenow.state.workNotes(item.sys_id)).toEqual([]);
  });
});

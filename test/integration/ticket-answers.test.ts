// Intent: the notifier posts each answer once, against the real claim records (dynalite) and the
// Jira sandbox over HTTP: two invocations racing for one answer post one comment and both finish
// cleanly; a rate limit or outage is retried in place, honouring Retry-After; a permanent refusal
// releases the claim and is thrown (so the event is retried later); and an invocation that takes
// over a lapsed claim first looks for the comment its predecessor may have posted before it died.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AnswerClaims, RequestStore, requestKey } from '../../lambdas/clients/requests';
import { JiraClient } from '../../lambdas/clients/tickets/jira';
import { PermanentError } from '../../lambdas/core/errors';
import type { TicketAnswer } from '../../lambdas/core/ticket-answer';
import { answerTicket, type NotifierDeps } from '../../lambdas/tickets/answer';
import { ensureRequestsTable, startDynamoDb, type LocalDynamoDb } from '../../local/dynamodb';
import { startJiraSandbox, type JiraSandbox } from '../../local/sandboxes/jira';
import { COMMENTS } from '../../local/sandboxes/jira/routes';

let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let jira: JiraSandbox;
let tables = 0;

beforeAll(async () => {
  [dynamo, jira] = await Promise.all([startDynamoDb(), startJiraSandbox()]);
  client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: dynamo.endpoint,
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
  });
});
afterAll(async () => {
  client.destroy();
  await Promise.all([dynamo.close(), jira.close()]);
});
afterEach(() => {
  expect(jira.control.contractViolations).toEqual([]);
  jira.control.clearFaults();
});

async function setup(now: () => Date = () => new Date()) {
  const tableName = `answers-${++tables}`;
  await ensureRequestsTable(client, tableName);
  const issue = jira.control.addIssue('KPP', {
    summary: 'x',
    project: { key: 'KPP' },
    issuetype: { name: 'Service Request' },
  });
  const id = `req-${tables}`;
  await new RequestStore({ tableName, client }).create({
    id,
    kind: 'provision',
    workspace: 'team-a',
    environment: 'dev',
    status: 'SUCCEEDED',
    requestedBy: 'Mia',
    source: { channel: 'jira', principal: 'jira', ticket: issue.key, ticketId: issue.id },
    inputHash: 'h',
    dryRun: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  });
  const sleeps: number[] = [];
  const jiraClient = new JiraClient({
    baseUrl: jira.url,
    credentials: { email: jira.user.emailAddress, apiToken: jira.user.apiToken },
  });
  const deps: NotifierDeps = {
    claims: new AnswerClaims({ tableName, client, now }),
    jira: async () => jiraClient,
    leaseMs: 60_000,
    attempts: 3,
    backoffMs: 100,
    sleep: async (ms) => {
      sleeps.push(ms);
      await new Promise((r) => setTimeout(r, Math.min(ms, 20)));
    },
  };
  const target = {
    channel: 'jira' as const,
    ticketKey: issue.key,
    ticketId: issue.id,
    item: requestKey(id),
    itemName: `request ${id}`,
  };
  const answer: TicketAnswer = {
    kind: 'failed',
    requestId: id,
    workspace: 'team-a',
    environment: 'dev',
    failedStep: 'ConfigurePortal',
    reason: 'x',
  };
  return { deps, target, answer, issue, sleeps, store: new RequestStore({ tableName, client }), id };
}

it('posts once when two invocations race for the same answer, and both finish cleanly', async () => {
  const { deps, target, answer, issue } = await setup();
  const results = await Promise.all([answerTicket(deps, target, answer), answerTicket(deps, target, answer)]);
  expect(results.sort()).toEqual(['already-posted', 'posted']);
  expect(jira.state.comments(issue.key)).toHaveLength(1);
});

it('retries a rate limit in place, waiting as long as Jira says', async () => {
  const { deps, target, answer, issue, sleeps } = await setup();
  jira.control.inject({ route: COMMENTS, method: 'POST', rateLimitResetInSeconds: 2 });
  expect(await answerTicket(deps, target, answer)).toBe('posted');
  expect(sleeps[0]).toBeGreaterThanOrEqual(1000);
  expect(jira.state.comments(issue.key)).toHaveLength(1);
});

it('releases the claim and throws on a permanent refusal, so a later delivery can try again', async () => {
  const { deps, target, answer, issue, store, id } = await setup();
  jira.control.inject({ route: COMMENTS, method: 'POST', status: 403, times: 5 });
  const before = jira.control.callsTo('POST', COMMENTS).length;
  await expect(answerTicket(deps, target, answer)).rejects.toBeInstanceOf(PermanentError);
  // Not retried in place: a refusal will not change within seconds.
  expect(jira.control.callsTo('POST', COMMENTS).length - before).toBe(1);
  expect((await store.get(id))?.ticketAnswer).toMatchObject({ state: 'FAILED', error: 'PermanentError' });
  jira.control.clearFaults();
  expect(await answerTicket(deps, target, answer)).toBe('posted');
  expect(jira.state.comments(issue.key)).toHaveLength(1);
});

it('finds the comment a claimer posted before it died, instead of posting a second one', async () => {
  let clock = Date.parse('2026-06-01T12:00:00Z');
  const { deps, target, answer, issue, id } = await setup(() => new Date(clock));
  // The first invocation claims and posts, then dies before recording that it did.
  await deps.claims.claim(target.item, target.itemName, deps.leaseMs);
  await (
    await deps.jira!()
  ).addComment(issue.id, {
    type: 'doc',
    version: 1,
    content: [
      {
        type: 'paragraph',
        content: [{ type: 'text', text: `Request ${id}` }],
      },
    ],
  });
  clock += deps.leaseMs + 1;
  expect(await answerTicket(deps, target, answer)).toBe('posted');
  expect(jira.state.comments(issue.key)).toHaveLength(1);
});

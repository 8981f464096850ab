// Intent: Jira as a front door, end to end on the local stack (the same handlers, ASL, EventBridge
// rules and run-ended handler as deployed), driven the way Jira drives it: a signed webhook with a
// real-shaped payload starts exactly one run and the ticket gets exactly one ADF comment with the
// portal URL and no secret; an unsigned or wrongly signed delivery is 401 and changes nothing; a
// redelivery, a duplicate and 20 concurrent copies are one run; a ticket missing a field is told
// which; a failed, a stopped and a busy run are told how they ended; a comment that cannot be
// posted is retried, dead-lettered in the end, replayable, and never changes the run's outcome.
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { validateAdf } from '../../local/contracts/validator';
import { COMMENTS } from '../../local/sandboxes/jira/routes';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { captureOutput } from '../support/capture-output';
import { localAws } from '../support/local-aws';
import {
  adfText,
  executionCount,
  hubSignature,
  jiraFixture,
  sendJira,
  tableItems,
  type Json,
} from '../support/tickets';

let stack: LocalStack;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'kpp-jira-'));
  stack = await startLocalStack({
    dataDir,
    port: 0,
    retryDelayMs: 0,
    eventRetryDelayMs: 0,
    webhookSecretCacheSeconds: 0,
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});
afterEach(async () => {
  // A test that failed while capturing output must not keep stdout captured.
  jest.restoreAllMocks();
  await stack.idle();
  expect(jira().control.contractViolations).toEqual([]);
  expect(stack.oktaSandbox?.control.contractViolations).toEqual([]);
  expect(stack.kongSandbox?.control.contractViolations).toEqual([]);
  jira().control.clearFaults();
  stack.kongSandbox?.control.clearFaults();
});

const jira = () => stack.jiraSandbox!;
const KONG_PATCH = { route: '/workspaces/{workspace_id_or_name}', method: 'PATCH' };

/** A Kong workspace of its own and a KPP ticket asking for it. */
function ticketFor(workspace: string, fields: Json = {}) {
  stack.kongSandbox!.control.addWorkspace(workspace, { portal: false });
  return jira().control.addIssue('KPP', {
    summary: `Dev Portal for ${workspace}`,
    project: { id: '10000', key: 'KPP', name: 'Kong portals' },
    issuetype: { id: '10005', name: 'Service Request' },
    customfield_10050: workspace,
    customfield_10052: [{ value: 'Everyone', id: '10200' }],
    ...fields,
  });
}

const created = (issue: { key: string; id: string }, fields: Json = {}) =>
  jiraFixture('jira/issue-created.json', issue, {
    customfield_10050: fields.customfield_10050 ?? issue.key,
    ...fields,
  });

async function view(id: string): Promise<Json> {
  return (await (await fetch(`${stack.apiUrl}/provisionings/${id}`)).json()) as Json;
}

const comments = (key: string) => jira().state.comments(key);

describe('a signed Jira webhook', () => {
  it('starts one run for a created ticket, answered at once (202, before the run ends), and the ticket gets one ADF comment with the portal URL and no secret', async () => {
    const issue = ticketFor('tix-created');
    const payload = jiraFixture('jira/issue-created.json', issue, { customfield_10050: 'tix-created' });
    // Everything every component logs from here on, at DEBUG.
    const output = captureOutput();
    const answer = await sendJira(stack, payload);
    expect(answer.status).toBe(202);
    const id = String(answer.body?.id);
    expect(answer.body).toEqual({
      id,
      status: 'RUNNING',
      statusUrl: `/provisionings/${id}`,
      ticket: issue.key,
    });
    await stack.idle();

    const run = await view(id);
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      workspace: 'tix-created',
      requestedBy: 'Mia Krystof (jira:5b10ac8d82e05b22cc7d4ef5)',
      source: { channel: 'jira', ticket: issue.key, ticketId: issue.id },
      ticketAnswer: { state: 'POSTED', attempts: 1 },
    });
    const outputs = run.outputs as { portalUrl: string; clientSecretArn: string; issuer: string };
    const [comment] = comments(issue.key);
    expect(comments(issue.key)).toHaveLength(1);
    expect(validateAdf(comment)).toEqual({ ok: true });
    const text = adfText(comment);
    for (const part of [outputs.portalUrl, outputs.issuer, outputs.clientSecretArn, id])
      expect(text).toContain(part);

    // The client secret itself appears nowhere: not in the comment, the record, the metrics.
    const { secretsManager } = localAws(stack);
    const secret = (
      await secretsManager.send(new GetSecretValueCommand({ SecretId: outputs.clientSecretArn }))
    ).SecretString;
    expect(secret).toEqual(expect.any(String));
    output.restore();
    const logs = output.text();
    expect(logs).toContain('ticket answered');
    for (const seen of [JSON.stringify(comment), JSON.stringify(run), JSON.stringify(stack.metrics), logs])
      expect(seen).not.toContain(secret);
    // Nor the credentials the webhook and the notifier use.
    for (const credential of [stack.webhookSecrets.jira, jira().user.apiToken])
      expect(logs).not.toContain(credential);

    expect(stack.metrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ RunsEnded: 1, kind: 'provision', outcome: 'SUCCEEDED' }),
        expect.objectContaining({ TicketAnswersPosted: 1, channel: 'jira' }),
      ]),
    );
  });

  it('starts the run when the ticket is approved, then moves the ticket on with the configured transition', async () => {
    const issue = ticketFor('tix-approved');
    const changelog = jira().control.transition(issue.key, '11');
    const answer = await sendJira(stack, jira().webhookPayload(issue.key, 'jira:issue_updated', changelog));
    expect(answer.status).toBe(202);
    await stack.idle();
    expect((await view(String(answer.body?.id))).status).toBe('SUCCEEDED');
    expect(comments(issue.key)).toHaveLength(1);
    expect(jira().state.issue(issue.key)?.statusId).toBe('10002');
  });

  it('answers 204 and writes nothing for an event that is not a request', async () => {
    const issue = ticketFor('tix-ignored');
    const before = await tableItems(stack);
    for (const file of ['jira/issue-edited.json', 'jira/comment-created.json']) {
      expect((await sendJira(stack, jiraFixture(file, issue))).status).toBe(204);
    }
    expect((await sendJira(stack, created(issue, { project: { id: '10001', key: 'HR' } }))).status).toBe(204);
    expect(await tableItems(stack)).toEqual(before);
    expect(comments(issue.key)).toEqual([]);
  });
});

describe('an unsigned or wrongly signed delivery', () => {
  it('is 401 whatever is wrong with its signature, starts nothing and writes nothing', async () => {
    const issue = ticketFor('tix-unsigned');
    const body = JSON.stringify(created(issue, { customfield_10050: 'tix-unsigned' }));
    const [items, runs] = [await tableItems(stack), await executionCount(stack)];
    const cases: Record<
      string,
      { signature?: string | null; headers?: Record<string, string>; body?: string }
    > = {
      missing: { signature: null },
      empty: { signature: '' },
      'not a signature': { signature: 'Bearer abc' },
      'not hex': { signature: 'sha256=not-hex-at-all' },
      'another algorithm': { signature: `sha1=${'0'.repeat(40)}` },
      'by another secret (e.g. before a rotation)': {
        signature: hubSignature('local-jira-webhook-secret-old', body),
      },
      'over another body': {
        signature: hubSignature(stack.webhookSecrets.jira, body.replace('tix-unsigned', 'tix-other')),
      },
      'over this body with one byte more': {
        signature: hubSignature(stack.webhookSecrets.jira, body),
        body: `${body} `,
      },
      'in another header only': {
        signature: null,
        headers: { 'X-Hub-Signature-256': hubSignature(stack.webhookSecrets.jira, body) },
      },
      'as the raw secret (shared-secret mode is not a fallback)': {
        signature: null,
        headers: { 'X-Webhook-Token': stack.webhookSecrets.jira },
      },
    };
    for (const [what, c] of Object.entries(cases)) {
      const answer = await sendJira(stack, c.body ?? body, { signature: c.signature, headers: c.headers });
      expect({ what, status: answer.status, body: answer.body }).toEqual({
        what,
        status: 401,
        body: { error: 'Unauthorized', message: "The delivery is not signed with this webhook's secret" },
      });
    }
    expect(await tableItems(stack)).toEqual(items);
    expect(await executionCount(stack)).toBe(runs);
    expect(comments(issue.key)).toEqual([]);
  });
});

describe('a signing secret being rotated', () => {
  it('accepts the new and the old value while both are set, and only the new one afterwards', async () => {
    const { secretsManager } = localAws(stack);
    const secretId = 'local/jira-webhook-secret';
    const old = stack.webhookSecrets.jira;
    const issue = ticketFor('tix-rotation');
    const body = JSON.stringify(jiraFixture('jira/issue-edited.json', issue));
    const put = (value: string) =>
      secretsManager.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
    try {
      await put(`rotated-new-secret\n${old}`);
      expect(
        (await sendJira(stack, body, { signature: hubSignature('rotated-new-secret', body) })).status,
      ).toBe(204);
      expect((await sendJira(stack, body, { signature: hubSignature(old, body) })).status).toBe(204);
      await put('rotated-new-secret');
      expect((await sendJira(stack, body, { signature: hubSignature(old, body) })).status).toBe(401);
      expect(
        (await sendJira(stack, body, { signature: hubSignature('rotated-new-secret', body) })).status,
      ).toBe(204);
    } finally {
      await put(old);
    }
  });
});

describe('duplicates', () => {
  it('a redelivery (same identifier) and a second webhook for the same event answer with the original request: one run, one comment', async () => {
    const issue = ticketFor('tix-redelivered');
    const payload = created(issue, { customfield_10050: 'tix-redelivered' });
    const first = await sendJira(stack, payload, { deliveryId: 'redelivery-1' });
    await stack.idle();
    const runs = await executionCount(stack);
    const again = await sendJira(stack, payload, {
      deliveryId: 'redelivery-1',
      headers: { 'X-Atlassian-Webhook-Retry': '1' },
    });
    const otherWebhook = await sendJira(stack, payload, { deliveryId: 'redelivery-2' });
    await stack.idle();
    expect(first.status).toBe(202);
    expect(again).toMatchObject({ status: 202, body: { id: first.body?.id, status: 'SUCCEEDED' } });
    expect(otherWebhook).toMatchObject({ status: 202, body: { id: first.body?.id } });
    expect(await executionCount(stack)).toBe(runs);
    expect(comments(issue.key)).toHaveLength(1);
  });

  it("a delivery whose run Step Functions would not start is answered 503, and Jira's retry of it starts the run: one run, one comment", async () => {
    // Intent: Jira retries a 5xx under the same identifier; the retry must start the run, not
    // answer with a request that failed to start and that no ticket comment will ever follow.
    const issue = ticketFor('tix-throttled');
    const payload = created(issue, { customfield_10050: 'tix-throttled' });
    const runs = await executionCount(stack);
    stack.stepFunctions.throttleStarts(100);
    const first = await sendJira(stack, payload, { deliveryId: 'throttled-1' });
    stack.stepFunctions.throttleStarts(0);
    expect(first.status).toBe(503);
    expect(await executionCount(stack)).toBe(runs);
    const retried = await sendJira(stack, payload, {
      deliveryId: 'throttled-1',
      headers: { 'X-Atlassian-Webhook-Retry': '1' },
    });
    expect(retried).toMatchObject({ status: 202, body: { status: 'RUNNING' } });
    await stack.idle();
    expect(await executionCount(stack)).toBe(runs + 1);
    expect(await view(String(retried.body?.id))).toMatchObject({ status: 'SUCCEEDED' });
    expect(comments(issue.key)).toHaveLength(1);
  });

  it('20 concurrent deliveries of one webhook are one execution and one comment', async () => {
    const issue = ticketFor('tix-concurrent');
    const payload = created(issue, { customfield_10050: 'tix-concurrent' });
    const runs = await executionCount(stack);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => sendJira(stack, payload, { deliveryId: 'concurrent-1' })),
    );
    await stack.idle();
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
    expect(new Set(answers.map((a) => a.body?.id)).size).toBe(1);
    expect(await executionCount(stack)).toBe(runs + 1);
    expect(comments(issue.key)).toHaveLength(1);
  });
});

describe('a ticket the service cannot run', () => {
  it('missing a mapped field starts nothing and is told the field, once', async () => {
    const issue = ticketFor('tix-missing', { customfield_10050: undefined });
    const payload = created(issue, { customfield_10050: null });
    const runs = await executionCount(stack);
    const answer = await sendJira(stack, payload, { deliveryId: 'missing-1' });
    expect(answer).toMatchObject({
      status: 200,
      body: {
        status: 'REJECTED',
        ticket: issue.key,
        issues: [{ field: 'workspace (Jira field customfield_10050)', reason: 'is required' }],
      },
    });
    expect((await sendJira(stack, payload, { deliveryId: 'missing-1' })).status).toBe(200);
    await stack.idle();
    expect(await executionCount(stack)).toBe(runs);
    expect(comments(issue.key)).toHaveLength(1);
    expect(adfText(comments(issue.key)[0])).toContain(
      'workspace (Jira field customfield_10050): is required',
    );
  });

  it('a "Ticket Rejected" event that no refused delivery backs is not posted; one that does is posted as recorded', async () => {
    // Intent: anyone who may put events on the bus must not be able to make the service comment
    // on any ticket; what is posted, and where, comes from the delivery the webhook recorded.
    const victim = ticketFor('tix-victim');
    const forged = (deliveryId: string) =>
      stack.eventBus.publish({
        source: 'kong-portal-provisioner',
        'detail-type': 'Ticket Rejected',
        detail: {
          channel: 'jira',
          deliveryId,
          ticket: { key: victim.key, id: victim.id },
          issues: [{ field: 'workspace', reason: 'click https://evil.example to fix' }],
        },
      });
    forged('never-delivered');
    await stack.idle();
    expect(comments(victim.key)).toHaveLength(0);

    // A real refusal's delivery id, replayed with another ticket and other words.
    const issue = ticketFor('tix-refused', { customfield_10050: undefined });
    await sendJira(stack, created(issue, { customfield_10050: null }), { deliveryId: 'refused-1' });
    await stack.idle();
    forged('refused-1');
    await stack.idle();
    expect(comments(victim.key)).toHaveLength(0);
    expect(comments(issue.key)).toHaveLength(1);
    expect(adfText(comments(issue.key)[0])).not.toContain('evil.example');

    // An accepted delivery's id: its answer is the run's, on the request, so no claim stops it.
    const accepted = ticketFor('tix-accepted');
    await sendJira(stack, created(accepted, { customfield_10050: 'tix-accepted' }), {
      deliveryId: 'accepted-1',
    });
    await stack.idle();
    forged('accepted-1');
    await stack.idle();
    expect(comments(victim.key)).toHaveLength(0);
    expect(comments(accepted.key)).toHaveLength(1);
  });

  it('for a workspace another request is changing is told which request holds it', async () => {
    const issue = ticketFor('tix-busy');
    stack.kongSandbox!.control.inject({ ...KONG_PATCH, latencyMs: 800 });
    const holder = await fetch(`${stack.apiUrl}/provisionings`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ workspace: 'tix-busy', oktaGroups: ['Everyone'] }),
    });
    const holderId = ((await holder.json()) as Json).id as string;
    const answer = await sendJira(stack, created(issue, { customfield_10050: 'tix-busy' }));
    expect(answer).toMatchObject({ status: 200, body: { status: 'REJECTED' } });
    await stack.idle();
    expect(adfText(comments(issue.key)[0])).toContain(holderId);
  });
});

describe('how a ticket-sourced run ended is told on the ticket', () => {
  it('a permanent fault mid-run is rolled back and the comment names the failed step', async () => {
    const issue = ticketFor('tix-fault');
    stack.kongSandbox!.control.inject({ ...KONG_PATCH, status: 400, times: 1 });
    const answer = await sendJira(stack, created(issue, { customfield_10050: 'tix-fault' }));
    await stack.idle();
    expect((await view(String(answer.body?.id))).status).toBe('FAILED');
    const text = adfText(comments(issue.key)[0]);
    expect(text).toContain('Failed step: ConfigurePortal');
    expect(text).toMatch(/rolled back/);
    expect(stack.metrics).toEqual(expect.arrayContaining([expect.objectContaining({ Rollbacks: 1 })]));
  });

  it('a run stopped from outside (ABORTED): record and lock corrected, the leftovers named, the ticket told', async () => {
    const issue = ticketFor('tix-aborted');
    stack.kongSandbox!.control.inject({ ...KONG_PATCH, latencyMs: 800 });
    const answer = await sendJira(stack, created(issue, { customfield_10050: 'tix-aborted' }));
    const id = String(answer.body?.id);
    // Stop it while ConfigurePortal waits for Kong.
    for (let i = 0; i < 100; i++) {
      const steps = ((await view(id)).steps ?? []) as Array<{ name: string }>;
      if (steps.some((s) => s.name === 'ConfigurePortal')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const { sfn } = localAws(stack);
    await sfn.send(
      new StopExecutionCommand({
        executionArn: `${stack.stateMachines.provision.replace(':stateMachine:', ':execution:')}:${id}`,
        cause: 'operator',
      }),
    );
    await stack.idle();
    const run = await view(id);
    expect(run).toMatchObject({ status: 'CLEANUP_INCOMPLETE', error: { name: 'ABORTED' } });
    expect(run.leftovers).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^okta-app:kong-portal-dev\.tix-aborted /),
        expect.stringMatching(/^kong-workspace:tix-aborted:portal-settings/),
      ]),
    );
    // The workspace is free for the next request at once.
    expect(
      (await tableItems(stack)).some((item) => (item.pk as { S: string }).S === 'LOCK#dev#tix-aborted'),
    ).toBe(false);
    const text = adfText(comments(issue.key)[0]);
    expect(text).toMatch(/was stopped before it could finish/);
    expect(text).toContain('okta-app:kong-portal-dev.tix-aborted');
    expect(stack.metrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ CleanupIncomplete: 1, kind: 'provision' }),
        expect.objectContaining({ RunsReconciled: 1, outcome: 'CLEANUP_INCOMPLETE' }),
      ]),
    );
    // Let the interrupted Kong call finish before the next test changes the sandbox.
    await new Promise((r) => setTimeout(r, 800));
  });
});

describe('a comment that cannot be posted', () => {
  it('is retried in place after a transient failure: posted once', async () => {
    const issue = ticketFor('tix-comment-503');
    jira().control.inject({ route: COMMENTS, method: 'POST', status: 503, times: 1 });
    const answer = await sendJira(stack, created(issue, { customfield_10050: 'tix-comment-503' }));
    await stack.idle();
    expect(comments(issue.key)).toHaveLength(1);
    expect(await view(String(answer.body?.id))).toMatchObject({
      status: 'SUCCEEDED',
      ticketAnswer: { state: 'POSTED' },
    });
  });

  it('never changes the outcome, ends as a dead letter, and is posted once when the event is replayed', async () => {
    const issue = ticketFor('tix-comment-401');
    jira().control.inject({ route: COMMENTS, method: 'POST', status: 401, times: 100 });
    const deadBefore = stack.eventBus.deadLetters().length;
    const answer = await sendJira(stack, created(issue, { customfield_10050: 'tix-comment-401' }));
    await stack.idle();
    const id = String(answer.body?.id);
    expect(await view(id)).toMatchObject({
      status: 'SUCCEEDED',
      ticketAnswer: { state: 'FAILED', error: 'PermanentError' },
    });
    const dead = stack.eventBus.deadLetters().slice(deadBefore);
    expect(dead.map((d) => d.rule)).toEqual(['RunEnded']);
    expect(stack.metrics).toEqual(
      expect.arrayContaining([expect.objectContaining({ TicketAnswersFailed: 1, channel: 'jira' })]),
    );
    expect(comments(issue.key)).toEqual([]);

    // The operator fixes the credentials and redrives the dead letter: once, and only once.
    jira().control.clearFaults();
    const deadAfterFailure = stack.eventBus.deadLetters().length;
    stack.eventBus.publish(dead[0]!.event);
    stack.eventBus.publish(dead[0]!.event);
    await stack.idle();
    expect(comments(issue.key)).toHaveLength(1);
    // Nothing went back to the dead-letter queue: the duplicate found the answer posted.
    expect(stack.eventBus.deadLetters()).toHaveLength(deadAfterFailure);
    expect((await view(id)).status).toBe('SUCCEEDED');
  });
});

// Intent: a run that times out never runs Finalize, yet its record and workspace lock end up as it
// really ended (CLEANUP_INCOMPLETE, with what it may have left) and the ticket is told - and a
// deployment in shared-secret mode (Jira Service Management automation, which cannot sign)
// accepts exactly its configured header and never an HMAC signature in its place.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { adfText, executionCount, hubSignature, jiraFixture, sendJira, tableItems } from '../support/tickets';

const HEADER = 'X-Automation-Token';
let stack: LocalStack;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'kpp-timeout-'));
  stack = await startLocalStack({
    dataDir,
    port: 0,
    retryDelayMs: 0,
    eventRetryDelayMs: 0,
    // Long enough for a healthy run here, far shorter than Kong answering below.
    executionTimeoutSeconds: 3,
    tickets: { jiraSigning: { mode: 'shared-secret', header: HEADER } },
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function ticket(workspace: string) {
  stack.kongSandbox!.control.addWorkspace(workspace, { portal: false });
  const issue = stack.jiraSandbox!.control.addIssue('KPP', {
    summary: workspace,
    project: { id: '10000', key: 'KPP' },
    issuetype: { id: '10005', name: 'Service Request' },
  });
  return { issue, payload: jiraFixture('jira/issue-created.json', issue, { customfield_10050: workspace }) };
}

const view = async (id: string) =>
  (await (await fetch(`${stack.apiUrl}/provisionings/${id}`)).json()) as Record<string, unknown>;

it('accepts only the configured shared-secret header, never an HMAC signature instead', async () => {
  const { issue, payload } = ticket('shared-secret');
  const body = JSON.stringify(payload);
  const [items, runs] = [await tableItems(stack), await executionCount(stack)];
  const signedOnly = await sendJira(stack, body, {
    signature: hubSignature(stack.webhookSecrets.jira, body),
  });
  const wrongToken = await sendJira(stack, body, { signature: null, headers: { [HEADER]: 'guess' } });
  expect([signedOnly.status, wrongToken.status]).toEqual([401, 401]);
  expect(await tableItems(stack)).toEqual(items);
  expect(await executionCount(stack)).toBe(runs);

  const accepted = await sendJira(stack, body, {
    signature: null,
    headers: { [HEADER]: stack.webhookSecrets.jira },
  });
  expect(accepted.status).toBe(202);
  await stack.idle();
  expect((await view(String(accepted.body?.id))).status).toBe('SUCCEEDED');
  expect(stack.jiraSandbox!.state.comments(issue.key)).toHaveLength(1);
});

it('reconciles a run that TIMED_OUT: record and lock corrected, leftovers named, the ticket told', async () => {
  const { issue, payload } = ticket('timed-out');
  stack.kongSandbox!.control.inject({
    route: '/workspaces/{workspace_id_or_name}',
    method: 'PATCH',
    latencyMs: 3000,
  });
  const answer = await sendJira(stack, payload, {
    signature: null,
    headers: { [HEADER]: stack.webhookSecrets.jira },
  });
  await stack.idle();
  const run = await view(String(answer.body?.id));
  expect(run).toMatchObject({ status: 'CLEANUP_INCOMPLETE', error: { name: 'TIMED_OUT' } });
  expect(run.leftovers).toEqual(
    expect.arrayContaining([expect.stringMatching(/^okta-app:kong-portal-dev\.timed-out /)]),
  );
  expect(
    (await tableItems(stack)).some((item) => (item.pk as { S: string }).S === 'LOCK#dev#timed-out'),
  ).toBe(false);
  const [comment] = stack.jiraSandbox!.state.comments(issue.key);
  expect(adfText(comment)).toMatch(/timed out before it could finish or roll back/);
  expect(adfText(comment)).toContain('okta-app:kong-portal-dev.timed-out');
  // The Kong call the timeout cut off finishes in the background; wait for it before closing.
  await new Promise((r) => setTimeout(r, 800));
});

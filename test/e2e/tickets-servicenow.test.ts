// Intent: ServiceNow as a front door, end to end on the local stack: the delivery our business rule
// sends (base64 HMAC over `<timestamp>.<body>`) starts one run and the requested item gets a work
// note with the portal URL (and the configured closing state) when it completes; an unsigned,
// wrongly signed, stale or future-dated delivery is 401 and a replayed delivery id 409, neither
// changing anything; a retry of the rule (fresh delivery id, same item update) is the same run;
// an item missing a catalog variable is told which.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { serviceNowSignature } from '../../lambdas/core/webhook-signatures';
import { executionCount, sendServiceNow, tableItems } from '../support/tickets';

let stack: LocalStack;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'kpp-servicenow-'));
  stack = await startLocalStack({ dataDir, port: 0, retryDelayMs: 0, eventRetryDelayMs: 0 });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});
afterEach(async () => {
  await stack.idle();
  expect(sn().control.contractViolations).toEqual([]);
  expect(stack.kongSandbox?.control.contractViolations).toEqual([]);
  expect(stack.eventBus.deadLetters()).toEqual([]);
});

const sn = () => stack.servicenowSandbox!;

/** A requested item of the mapped catalog item, approved (state 2, Work in Progress). */
function approvedItem(workspace: string | undefined, extra: Record<string, string> = {}) {
  if (workspace) stack.kongSandbox!.control.addWorkspace(workspace, { portal: false });
  const item = sn().control.addRequestedItem({
    ...(workspace ? { kong_workspace: workspace } : {}),
    okta_groups: 'Everyone',
    ...extra,
  });
  sn().control.updateItem(item.sys_id, { state: '2' });
  return item;
}

async function view(id: string) {
  return (await (await fetch(`${stack.apiUrl}/provisionings/${id}`)).json()) as Record<string, unknown>;
}

describe('a signed ServiceNow delivery', () => {
  it('starts one run, and the item gets a work note with the portal URL and is closed when it completes', async () => {
    const item = approvedItem('sn-signed', { portal_options: '{"autoApprove": true}' });
    const answer = await sendServiceNow(stack, sn().deliveryPayload(item.sys_id));
    expect(answer).toMatchObject({ status: 202, body: { status: 'RUNNING', ticket: item.fields.number } });
    await stack.idle();
    const run = await view(String(answer.body?.id));
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      requestedBy: 'Mia Krystof (servicenow:mia.krystof)',
      source: { channel: 'servicenow', ticket: item.fields.number, ticketId: item.sys_id },
      ticketAnswer: { state: 'POSTED' },
    });
    const notes = sn().state.workNotes(item.sys_id);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain((run.outputs as { portalUrl: string }).portalUrl);
    expect(notes[0]).toContain('Client secret: kept in AWS Secrets Manager');
    expect(sn().state.item(item.sys_id)?.fields.state).toBe('3');
    expect(stack.kongSandbox!.state.workspace('sn-signed')?.config.portal_auto_approve).toBe(true);
  });

  it('whose run Step Functions would not start is answered 503 and the item told to ask again; asking again runs it', async () => {
    // Intent: the rule sends once (executeAsync, no retry), so a failed start must not leave the
    // item waiting for an answer that never comes.
    const item = approvedItem('sn-throttled');
    stack.stepFunctions.throttleStarts(100);
    const answer = await sendServiceNow(stack, sn().deliveryPayload(item.sys_id));
    stack.stepFunctions.throttleStarts(0);
    expect(answer.status).toBe(503);
    await stack.idle();
    const [note] = sn().state.workNotes(item.sys_id);
    expect(note).toContain('could not be started');
    expect(note).toContain('move the item out of the approved state and back');

    sn().control.updateItem(item.sys_id, { state: '1' });
    sn().control.updateItem(item.sys_id, { state: '2' });
    const again = await sendServiceNow(stack, sn().deliveryPayload(item.sys_id));
    expect(again).toMatchObject({ status: 202, body: { status: 'RUNNING' } });
    await stack.idle();
    expect(await view(String(again.body?.id))).toMatchObject({ status: 'SUCCEEDED' });
    expect(sn().state.workNotes(item.sys_id)).toHaveLength(2);
  });

  it('is the same run when the business rule retries with a fresh delivery id', async () => {
    const item = approvedItem('sn-retried');
    const first = await sendServiceNow(stack, sn().deliveryPayload(item.sys_id));
    const retry = await sendServiceNow(stack, sn().deliveryPayload(item.sys_id));
    await stack.idle();
    expect(retry).toMatchObject({ status: 202, body: { id: first.body?.id } });
    expect(sn().state.workNotes(item.sys_id)).toHaveLength(1);
  });
});

describe('a delivery that is not accepted', () => {
  it('is 401 when unsigned, wrongly signed, stale or from the future, and 409 when replayed; nothing changes', async () => {
    const item = approvedItem('sn-refused');
    const payload = sn().deliveryPayload(item.sys_id);
    const now = Math.floor(Date.now() / 1000);
    const [items, runs] = [await tableItems(stack), await executionCount(stack)];
    const refused = [
      await sendServiceNow(stack, payload, { signature: null }),
      await sendServiceNow(stack, payload, { secret: 'not-the-secret' }),
      await sendServiceNow(stack, payload, { signature: 'sha256=abc' }),
      await sendServiceNow(stack, payload, { timestamp: now - 301 }),
      // Read the clock when sending: computed earlier, a slow machine brings it back inside the window.
      await sendServiceNow(stack, payload, { timestamp: Math.floor(Date.now() / 1000) + 305 }),
      await sendServiceNow(
        stack,
        { ...payload, variables: { kong_workspace: 'someone-else' } },
        {
          // Signed over the original body: the signature does not cover what arrives.
          signature: serviceNowSignature(
            stack.webhookSecrets.servicenow,
            String(now),
            Buffer.from(JSON.stringify(payload)),
          ),
          timestamp: now,
        },
      ),
    ];
    expect(refused.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(await tableItems(stack)).toEqual(items);
    expect(await executionCount(stack)).toBe(runs);

    const accepted = await sendServiceNow(stack, payload);
    expect(accepted.status).toBe(202);
    await stack.idle();
    const [itemsAfter, runsAfter] = [await tableItems(stack), await executionCount(stack)];
    expect(runsAfter).toBe(runs + 1);
    // The same bytes again, re-signed with a fresh timestamp (a replay of a captured delivery).
    const replayed = await sendServiceNow(stack, payload);
    expect(replayed).toMatchObject({
      status: 409,
      body: { error: 'Conflict', existingRequest: { id: accepted.body?.id } },
    });
    expect(await tableItems(stack)).toEqual(itemsAfter);
    expect(await executionCount(stack)).toBe(runsAfter);
    expect(sn().state.workNotes(item.sys_id)).toHaveLength(1);
  });

  it('is told, as a work note, which catalog variable is missing; nothing runs', async () => {
    const item = approvedItem(undefined);
    const runs = await executionCount(stack);
    const answer = await sendServiceNow(stack, sn().deliveryPayload(item.sys_id));
    expect(answer).toMatchObject({
      status: 200,
      body: {
        status: 'REJECTED',
        issues: [{ field: 'workspace (catalog variable kong_workspace)', reason: 'is required' }],
      },
    });
    await stack.idle();
    expect(await executionCount(stack)).toBe(runs);
    expect(sn().state.workNotes(item.sys_id)).toEqual([
      expect.stringContaining('workspace (catalog variable kong_workspace): is required'),
    ]);
  });

  it('is 204 for an item of another catalog item or not yet approved, and writes nothing', async () => {
    const open = sn().control.addRequestedItem({ kong_workspace: 'x', okta_groups: 'Everyone' });
    const before = await tableItems(stack);
    expect((await sendServiceNow(stack, sn().deliveryPayload(open.sys_id))).status).toBe(204);
    const other = {
      ...sn().deliveryPayload(open.sys_id),
      state: '2',
      cat_item: { sys_id: 'a'.repeat(32), name: 'Laptop' },
    };
    expect((await sendServiceNow(stack, other)).status).toBe(204);
    expect(await tableItems(stack)).toEqual(before);
  });
});

describe('the business rule, firing as ServiceNow fires it', () => {
  const uninstall: Array<() => void> = [];
  afterEach(() => uninstall.splice(0).forEach((off) => off()));

  /** Installs our rule (docs/servicenow-business-rule.js): after update, when the condition holds. */
  function installRule(
    condition: (item: { fields: Record<string, unknown> }, previousState: string) => boolean,
  ) {
    let deliveries = 0;
    uninstall.push(
      sn().control.onItemUpdated((item, previousState) => {
        if (!condition(item, previousState)) return;
        deliveries++;
        void sendServiceNow(stack, sn().deliveryPayload(item.sys_id, previousState));
      }),
    );
    return () => deliveries;
  }

  it('runs once per approval: its own work note (an update of the item) does not ask again', async () => {
    // Intent: the answer the service writes on the item is itself an update; it must not start a run.
    const fired = installRule((item, previous) => item.fields.state === '2' && previous !== '2');
    const before = await executionCount(stack);
    const item = approvedItem('sn-once');
    await waitFor(() => sn().state.workNotes(item.sys_id).length > 0);
    await stack.idle();
    expect(fired()).toBe(1);
    expect((await executionCount(stack)) - before).toBe(1);
    expect(sn().state.workNotes(item.sys_id)).toHaveLength(1);
  });

  it('a rule that fires on every update in the approved state cannot make a refused item loop', async () => {
    // Intent (defence in depth): the refusal note is an update in the approved state; with a looser
    // rule it fires again, but a delivery that is no move into the approved state is no request.
    const fired = installRule((item) => item.fields.state === '2');
    const item = sn().control.addRequestedItem({ okta_groups: 'Everyone' }); // no workspace: refused
    sn().control.updateItem(item.sys_id, { state: '2' });
    await waitFor(() => sn().state.workNotes(item.sys_id).length > 0);
    await new Promise((r) => setTimeout(r, 500));
    await stack.idle();
    expect(fired()).toBe(2); // the approval, and the update that wrote the note
    expect(sn().state.workNotes(item.sys_id)).toHaveLength(1);
  });
});

async function waitFor(done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

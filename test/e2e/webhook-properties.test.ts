// Intent: whatever arrives at the webhooks - any JSON or none, any size up to the limit, any
// Jira- or ServiceNow-like payload, any set of signature, timestamp and delivery headers - the
// answer is never a 5xx, an unsigned or wrongly signed delivery is always 401, and no run is ever
// started (nor a delivery recorded) without a valid signature. Hundreds of generated deliveries go
// over real HTTP to a local stack; fixed seed (FC_SEED overrides it) so a failure reproduces.
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import fc from 'fast-check';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { serviceNowSignature } from '../../lambdas/core/webhook-signatures';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { localAws } from '../support/local-aws';
import { fixture, hubSignature, post, tableItems, type Json } from '../support/tickets';

const SEED = Number(process.env.FC_SEED ?? 20_261_201);
const JIRA_RUNS = 300;
const SERVICENOW_RUNS = 250;

let stack: LocalStack;
let dataDir: string;
/** Request ids answered to validly signed deliveries: the only runs that may exist. */
const signedRequestIds = new Set<string>();
const signedDeliveryIds = new Set<string>();
/** Which answers the generated deliveries got, per webhook: the generators must reach every path. */
const seen: Record<string, Set<number>> = { jira: new Set(), servicenow: new Set() };

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'kpp-webhook-props-'));
  stack = await startLocalStack({ dataDir, port: 0, retryDelayMs: 0, eventRetryDelayMs: 0 });
  stack.kongSandbox!.control.addWorkspace('props', { portal: false });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

// ------------------------------------------------------------------------------------ bodies

const text = fc.oneof(
  fc.string(),
  fc.constantFrom('default', 'props', 'team-a', '', ' ', 'rbac_users', 'ws~1', 'ü'),
);
const jiraLike = fc
  .record(
    {
      event: fc.constantFrom(
        'jira:issue_created',
        'jira:issue_updated',
        'jira:issue_deleted',
        'comment_created',
        'x',
      ),
      project: fc.constantFrom('KPP', 'HR', ''),
      issueType: fc.constantFrom('Service Request', 'Task', '10005'),
      key: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('KPP-1', 'KPP-99999') },
        fc.constant('not a key'),
        fc.string(),
      ),
      id: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('10010', '1') }, fc.string()),
      // Weighted towards a valid request, so signed deliveries also reach the run lifecycle.
      workspace: fc.oneof(
        { weight: 3, arbitrary: fc.constant('props') },
        text,
        fc.constant(null),
        fc.integer(),
        fc.array(text),
      ),
      groups: fc.oneof(
        { weight: 3, arbitrary: fc.constant([{ value: 'Everyone' }]) },
        fc.array(fc.record({ value: text })),
        text,
        fc.constant(null),
      ),
      options: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, text, fc.json()),
      toStatus: fc.constantFrom('Approved', 'Done', null),
      drop: fc.oneof(
        { weight: 4, arbitrary: fc.constant([]) },
        fc.subarray(['issue', 'changelog', 'user', 'fields', 'webhookEvent']),
      ),
    },
    { requiredKeys: ['drop', 'key', 'id'] },
  )
  .map((r) => {
    const payload = fixture('jira/issue-approved.json');
    payload.webhookEvent = r.event ?? 'jira:issue_updated';
    const issue = payload.issue as { key: unknown; id: unknown; fields: Json };
    issue.key = r.key ?? 'KPP-1';
    issue.id = r.id ?? '10010';
    issue.fields.project = { key: r.project ?? 'KPP' };
    issue.fields.issuetype = { name: r.issueType ?? 'Service Request' };
    issue.fields.customfield_10050 = r.workspace;
    issue.fields.customfield_10052 = r.groups;
    issue.fields.customfield_10053 = r.options;
    if (r.toStatus === null) delete payload.changelog;
    else
      Object.assign(((payload.changelog as Json).items as Json[])[0] as Json, {
        toString: r.toStatus ?? 'Approved',
      });
    for (const key of r.drop ?? []) {
      if (key === 'fields') issue.fields = {};
      else delete payload[key];
    }
    return JSON.stringify(payload);
  });

const serviceNowLike = fc
  .record({
    deliveryId: fc.oneof(
      fc.constant(undefined),
      fc.uuid().map((u) => u.replace(/-/g, '')),
      fc.string(),
    ),
    sysId: fc.oneof({ weight: 4, arbitrary: fc.constant('7f3a9c2e1b5d4a6f8e0c2b4d6f8a0c1e') }, fc.string()),
    state: fc.oneof({ weight: 3, arbitrary: fc.constant('2') }, fc.constantFrom('1', '3'), fc.integer()),
    table: fc.oneof({ weight: 4, arbitrary: fc.constant('sc_req_item') }, fc.constant('incident')),
    workspace: fc.oneof({ weight: 3, arbitrary: fc.constant('props') }, text, fc.constant(undefined)),
    groups: fc.oneof({ weight: 3, arbitrary: fc.constant('Everyone') }, text, fc.constant(undefined)),
    options: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, text, fc.json()),
  })
  .map((r) => {
    const payload = fixture('servicenow/ritm-approved.json');
    Object.assign(payload, { delivery_id: r.deliveryId, sys_id: r.sysId, state: r.state, table: r.table });
    payload.variables = { kong_workspace: r.workspace, okta_groups: r.groups, portal_options: r.options };
    return JSON.stringify(payload);
  });

/** Requests that are valid in every field, so signed deliveries also reach the run lifecycle. */
const validJira = fc.integer({ min: 1, max: 10_000 }).map((n) => {
  const payload = fixture('jira/issue-created.json');
  const issue = payload.issue as { key: string; id: string; fields: Json };
  Object.assign(issue, { key: `KPP-${n}`, id: String(20_000 + n) });
  Object.assign(issue.fields, { customfield_10050: 'props', customfield_10052: [{ value: 'Everyone' }] });
  return JSON.stringify(payload);
});
const validServiceNow = fc.tuple(fc.uuid(), fc.constantFrom('2', '2', '2', '1')).map(([u, state]) => {
  const payload = fixture('servicenow/ritm-approved.json');
  payload.delivery_id = u.replace(/-/g, '');
  // State 1 (Open) is not an approved item: not a request.
  payload.state = state;
  (payload.variables as Json).kong_workspace = 'props';
  return JSON.stringify(payload);
});

const anyBody = (structured: fc.Arbitrary<string>, valid: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 2, arbitrary: valid },
    { weight: 4, arbitrary: structured },
    { weight: 2, arbitrary: fc.json() },
    { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
    { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]', '"x"', '{"webhookEvent":null}') },
    { weight: 1, arbitrary: fc.string({ minLength: 1000, maxLength: 5000 }) },
  );

// ------------------------------------------------------------------------------------ headers

type Signing = 'valid' | 'none' | 'garbage' | 'other-secret' | 'other-body' | 'other-algorithm';
const signing = fc.constantFrom<Signing>(
  'valid',
  'valid',
  'none',
  'garbage',
  'other-secret',
  'other-body',
  'other-algorithm',
);
const garbageHeader = fc.oneof(
  fc.string(),
  fc
    .string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 })
    .map((h) => `sha256=${h}`),
);

function jiraHeaders(
  body: string,
  how: Signing,
  garbage: string,
  deliveryId: string | undefined,
): Record<string, string> {
  const headers: Record<string, string> =
    deliveryId === undefined ? {} : { 'X-Atlassian-Webhook-Identifier': deliveryId };
  const secret = stack.webhookSecrets.jira;
  const signature: Record<Signing, string | undefined> = {
    valid: hubSignature(secret, body),
    none: undefined,
    garbage,
    'other-secret': hubSignature(`${secret}x`, body),
    'other-body': hubSignature(secret, `${body} `),
    'other-algorithm': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
  };
  const value = signature[how];
  // Header values must be ByteStrings for fetch; generated garbage may not be.
  if (value !== undefined) headers['X-Hub-Signature'] = Buffer.from(value, 'latin1').toString('latin1');
  return headers;
}

const safeHeader = (value: string) => value.replace(/[^\x20-\x7e]/g, '');

async function executionNames(): Promise<string[]> {
  const { sfn } = localAws(stack);
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: stack.stateMachines.provision, nextToken }),
    );
    names.push(...(page.executions ?? []).map((e) => e.name ?? ''));
    nextToken = page.nextToken;
  } while (nextToken);
  return names;
}

describe('generated webhook deliveries', () => {
  it(`to /webhooks/jira (${JIRA_RUNS}) never answer 5xx, and only valid signatures get past 401`, async () => {
    await fc.assert(
      fc.asyncProperty(
        anyBody(jiraLike, validJira),
        signing,
        garbageHeader,
        fc.option(fc.oneof(fc.uuid(), fc.string()), { nil: undefined }),
        async (body, how, garbage, deliveryId) => {
          const id = deliveryId === undefined ? undefined : safeHeader(deliveryId) || randomUUID();
          const headers = jiraHeaders(body, how, safeHeader(garbage), id);
          const answer = await post(`${stack.apiUrl}/webhooks/jira`, body, headers);
          seen.jira?.add(answer.status);
          expect(answer.status).toBeLessThan(500);
          if (how === 'valid') {
            expect([200, 202, 204, 400]).toContain(answer.status);
            if (answer.status === 202) signedRequestIds.add(String(answer.body?.id));
            if (id !== undefined) signedDeliveryIds.add(id);
          } else {
            expect(answer.status).toBe(401);
          }
        },
      ),
      { numRuns: JIRA_RUNS, seed: SEED, endOnFailure: true },
    );
  }, 120_000);

  it(`to /webhooks/servicenow (${SERVICENOW_RUNS}) never answer 5xx, and stale, unsigned or wrongly signed ones are 401`, async () => {
    const now = () => Math.floor(Date.now() / 1000);
    await fc.assert(
      fc.asyncProperty(
        anyBody(serviceNowLike, validServiceNow),
        signing,
        fc.constantFrom('now', 'now', 'stale', 'future', 'garbage', 'missing'),
        garbageHeader,
        async (body, how, when, garbage) => {
          const timestamp = { now: now(), stale: now() - 900, future: now() + 900, garbage: 0, missing: 0 }[
            when
          ];
          const ts = when === 'garbage' ? safeHeader(garbage) || 'x' : String(timestamp);
          const secret = how === 'other-secret' ? 'not-the-secret' : stack.webhookSecrets.servicenow;
          const signed = how === 'other-body' ? `${body} ` : body;
          const signature =
            how === 'none'
              ? undefined
              : how === 'garbage' || how === 'other-algorithm'
                ? safeHeader(garbage)
                : serviceNowSignature(secret, ts, Buffer.from(signed));
          const headers: Record<string, string> = {
            ...(when === 'missing' ? {} : { 'X-SN-Timestamp': ts }),
            ...(signature === undefined ? {} : { 'X-SN-Signature': signature }),
          };
          const answer = await post(`${stack.apiUrl}/webhooks/servicenow`, body, headers);
          seen.servicenow?.add(answer.status);
          expect(answer.status).toBeLessThan(500);
          const authentic = how === 'valid' && when === 'now';
          if (authentic) {
            expect([200, 202, 204, 400, 409]).toContain(answer.status);
            if (answer.status === 202) signedRequestIds.add(String(answer.body?.id));
            const parsed = (() => {
              try {
                return JSON.parse(body) as Json;
              } catch {
                return undefined;
              }
            })();
            if (typeof parsed?.delivery_id === 'string') signedDeliveryIds.add(parsed.delivery_id);
          } else {
            expect(answer.status).toBe(401);
          }
        },
      ),
      { numRuns: SERVICENOW_RUNS, seed: SEED, endOnFailure: true },
    );
  }, 120_000);

  it('reached every answer a delivery can get', () => {
    expect([...(seen.jira ?? [])].sort()).toEqual([200, 202, 204, 400, 401]);
    expect([...(seen.servicenow ?? [])].sort()).toEqual(expect.arrayContaining([200, 202, 204, 400, 401]));
  });

  it('started no run and recorded no delivery that a validly signed delivery did not ask for', async () => {
    await stack.idle();
    expect(signedRequestIds.size).toBeGreaterThan(0);
    const names = await executionNames();
    expect(names.filter((name) => !signedRequestIds.has(name))).toEqual([]);
    const deliveries = (await tableItems(stack))
      .map((item) => (item.pk as { S: string }).S)
      .filter((pk) => pk.startsWith('DELIVERY#'))
      .map((pk) => pk.split('#').slice(2).join('#'));
    // Jira deliveries without an identifier are keyed by their ticket event; the rest by their id.
    expect(
      deliveries.filter((id) => !signedDeliveryIds.has(id) && !/^[A-Z][A-Z0-9_]*-\d+:/.test(id)),
    ).toEqual([]);
  }, 60_000);
});

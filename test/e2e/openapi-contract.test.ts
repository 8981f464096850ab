// Intent: contracts/kong-portal-provisioner-api.yaml says exactly what the running service answers.
// One local stack (API server + handlers + workflow + sandboxes) is driven over real HTTP through
// every operation and every documented status; each request body we send and each answer we get is
// checked against the document, and the document may not list an operation+status (other than
// 500/503) that this file never produced, so it cannot grow untested entries.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ContractValidator, type ContractResult } from '../../local/contracts/validator';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { randomUUID } from 'node:crypto';
import { serviceNowSignature } from '../../lambdas/core/webhook-signatures';
import { hubSignature, jiraFixture } from '../support/tickets';

const DOC_FILE = path.resolve(__dirname, '../../contracts/kong-portal-provisioner-api.yaml');
const contract = ContractValidator.fromFile(DOC_FILE);
/** Statuses a healthy local stack cannot be made to answer without breaking its dependencies. */
const NOT_EXERCISED = new Set(['500', '503']);
const POLL_LIMIT_MS = 20_000;

let stack: LocalStack;
let dataDir: string;
const exercised = new Set<string>();

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpp-openapi-'));
  stack = await startLocalStack({ dataDir, port: 0, retryDelayMs: 0 });
}, 60_000);

afterAll(async () => {
  await stack?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

afterEach(() => {
  expect(stack.kongSandbox?.control.contractViolations).toEqual([]);
  expect(stack.oktaSandbox?.control.contractViolations).toEqual([]);
});

type Json = Record<string, unknown>;

interface Answer {
  status: number;
  headers: Headers;
  body: Json;
}

interface CallOptions {
  /** A JSON body; checked against the document before it is sent (unless `invalid`). */
  body?: unknown;
  /** Sent as is, e.g. text that is not JSON. */
  raw?: string;
  headers?: Record<string, string>;
  /** The body is wrong on purpose: the document must refuse it too. */
  invalid?: boolean;
}

function explain(result: ContractResult): string {
  return result.ok ? '' : result.errors.map((e) => `  ${e.path || '(root)'}: ${e.message}`).join('\n');
}

/** One HTTP call, with the request and the answer checked against the document. */
async function call(method: string, target: string, options: CallOptions = {}): Promise<Answer> {
  const match = contract.matchPath(method, target);
  if (!match) throw new Error(`the contract has no operation for ${method} ${target}`);
  const { template } = match;
  if (options.body !== undefined) {
    const checked = contract.validateRequest(method, template, options.body);
    if (options.invalid) {
      expect({ refusedByContract: !checked.ok, body: options.body }).toEqual({
        refusedByContract: true,
        body: options.body,
      });
    } else if (!checked.ok) {
      throw new Error(`the request body of ${method} ${target} violates the contract:\n${explain(checked)}`);
    }
  }
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const res = await fetch(`${stack.apiUrl}${target}`, {
    method,
    headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    ...(payload === undefined ? {} : { body: payload }),
  });
  const text = await res.text();
  const body = (text ? JSON.parse(text) : undefined) as Json;
  const checked = contract.validateResponse(method, template, res.status, body);
  if (!checked.ok) {
    throw new Error(
      `${method} ${target} answered ${res.status}, which violates the contract:\n${explain(checked)}\n` +
        `body: ${JSON.stringify(body, null, 2)}`,
    );
  }
  exercised.add(`${method.toUpperCase()} ${template} ${res.status}`);
  return { status: res.status, headers: res.headers, body };
}

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CLEANUP_INCOMPLETE', 'PLANNED']);

/** Polls the status (every answer checked against the document) until it is final. */
async function untilFinal(id: string): Promise<Json> {
  const deadline = Date.now() + POLL_LIMIT_MS;
  for (;;) {
    const answer = await call('GET', `/provisionings/${id}`);
    expect(answer.status).toBe(200);
    if (FINAL.has(String(answer.body.status))) return answer.body;
    if (Date.now() > deadline)
      throw new Error(`request ${id} still ${String(answer.body.status)} after ${POLL_LIMIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function expectAccepted(answer: Answer): string {
  expect(answer.status).toBe(202);
  const id = String(answer.body.id);
  expect(answer.body.statusUrl).toBe(`/provisionings/${id}`);
  expect(answer.headers.get('location')).toBe(`/provisionings/${id}`);
  return id;
}

function fieldsOf(answer: Answer): string[] {
  return (answer.body.issues as Array<{ field: string }>).map((i) => i.field);
}

const provision = { workspace: 'default', environment: 'dev', oktaGroups: ['Everyone'] };
let running: string;
let succeeded: Json;

describe('POST /provisionings and GET /provisionings/{id}', () => {
  it('accepts a provisioning (202 + Location) and shows it RUNNING', async () => {
    // Slow down ConfigurePortal's PATCH so the run is still RUNNING for the conflict checks below.
    stack.kongSandbox!.control.inject({
      route: '/workspaces/{workspace_id_or_name}',
      method: 'PATCH',
      latencyMs: 3000,
    });
    const answer = await call('POST', '/provisionings', {
      body: provision,
      headers: { 'Idempotency-Key': 'contract-provision-1' },
    });
    running = expectAccepted(answer);
    expect(answer.body).toEqual({
      id: running,
      status: 'RUNNING',
      statusUrl: `/provisionings/${running}`,
      dryRun: false,
    });

    const status = await call('GET', `/provisionings/${running}`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      id: running,
      kind: 'provision',
      status: 'RUNNING',
      workspace: 'default',
      environment: 'dev',
      dryRun: false,
      source: { channel: 'api' },
    });
  });

  it('answers a repeated request (same Idempotency-Key, same body) with the same request', async () => {
    const again = await call('POST', '/provisionings', {
      body: provision,
      headers: { 'Idempotency-Key': 'contract-provision-1' },
    });
    expect(expectAccepted(again)).toBe(running);
  });

  it('refuses a different request for the busy workspace (409 runningRequest)', async () => {
    const other = await call('POST', '/provisionings', { body: { ...provision, autoApprove: true } });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({
      error: 'Conflict',
      runningRequest: { id: running, statusUrl: `/provisionings/${running}` },
    });
  });

  it('refuses an Idempotency-Key reused for a different request (409 existingRequest)', async () => {
    const reused = await call('POST', '/provisionings', {
      body: { ...provision, sslVerify: false },
      headers: { 'Idempotency-Key': 'contract-provision-1' },
    });
    expect(reused.status).toBe(409);
    expect(reused.body).toMatchObject({ error: 'Conflict', existingRequest: { id: running } });
    expect(reused.body).not.toHaveProperty('runningRequest');
  });

  it('refuses a teardown of the busy workspace (409 runningRequest)', async () => {
    const teardown = await call('DELETE', '/workspaces/default/portal?environment=dev');
    expect(teardown.status).toBe(409);
    expect(teardown.body).toMatchObject({ error: 'Conflict', runningRequest: { id: running } });
  });

  it('reports SUCCEEDED with every step and the outputs (200)', async () => {
    const final = await untilFinal(running);
    expect(final.status).toBe('SUCCEEDED');
    const steps = final.steps as Array<{ name: string; state: string }>;
    expect(steps.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'ValidatePlan',
        'ResolvePortal',
        'CreateOktaApp',
        'ConfigurePortal',
        'VerifyPortal',
      ]),
    );
    // Once the request is final, every step is finished, Finalize included.
    expect(steps.filter((s) => s.state !== 'SUCCEEDED')).toEqual([]);
    expect(final.outputs).toMatchObject({
      requestId: running,
      workspace: 'default',
      environment: 'dev',
      issuer: expect.stringContaining('/oauth2/'),
      clientId: expect.any(String),
      portalUrl: expect.any(String),
      clientSecretArn: expect.stringMatching(/^arn:aws:secretsmanager:/),
      created: expect.objectContaining({ oktaApp: true, authServer: true }),
    });
    expect(final).not.toHaveProperty('plan');
    expect(final).not.toHaveProperty('error');
    succeeded = final;
  });

  it('plans a dry run (202 dryRun, then PLANNED with a plan)', async () => {
    const answer = await call('POST', '/provisionings', {
      body: { ...provision, dryRun: true, tokenLifetimes: { accessTokenMinutes: 30 } },
    });
    const id = expectAccepted(answer);
    expect(answer.body).toMatchObject({ status: 'RUNNING', dryRun: true });
    const final = await untilFinal(id);
    expect(final).toMatchObject({ status: 'PLANNED', dryRun: true, outputs: { requestId: id } });
    expect(final.plan).toMatchObject({
      okta: expect.arrayContaining([expect.objectContaining({ action: 'reuse' })]),
      portal: { portal: 'default', target: 'kong-ee-workspace', action: expect.any(String) },
      secrets: expect.any(Array),
    });
    // The plan shows the Kong settings, never the client secret in them.
    expect(JSON.stringify(final.plan)).toContain('***');
  });

  it('refuses invalid bodies with every offending field (400)', async () => {
    const wrong = await call('POST', '/provisionings', {
      body: {
        workspace: 'rbac_users',
        environment: 'Dev',
        oktaGroups: [],
        tokenLifetimes: { accessTokenMinutes: 2, extra: 1 },
        colour: 'blue',
      },
      invalid: true,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('ValidationError');
    expect(fieldsOf(wrong).sort()).toEqual(
      [
        'colour',
        'environment',
        'oktaGroups',
        'tokenLifetimes.accessTokenMinutes',
        'tokenLifetimes.extra',
        'workspace',
      ].sort(),
    );

    const missing = await call('POST', '/provisionings', { body: { workspace: 'default' }, invalid: true });
    expect(missing.status).toBe(400);
    // The environment defaults to the one served (`dev` locally); the groups cannot be guessed.
    expect(missing.body.issues).toEqual([{ field: 'oktaGroups', reason: 'is required' }]);

    const notAnObject = await call('POST', '/provisionings', { body: ['default'], invalid: true });
    expect(notAnObject.status).toBe(400);
    expect(fieldsOf(notAnObject)).toEqual(['']);

    const notJson = await call('POST', '/provisionings', { raw: '{"workspace": "default",' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.issues).toEqual([{ field: '', reason: 'the request body is not valid JSON' }]);

    const badKey = await call('POST', '/provisionings', {
      body: { ...provision, dryRun: true },
      headers: { 'Idempotency-Key': 'not a key!' },
    });
    expect(badKey.status).toBe(400);
    expect(fieldsOf(badKey)).toEqual(['Idempotency-Key']);
  });
});

describe('GET /provisionings', () => {
  it('pages through the history newest first with limit and next (200)', async () => {
    const first = await call('GET', '/provisionings?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(typeof first.body.next).toBe('string');

    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const query = next === undefined ? '' : `&next=${encodeURIComponent(next)}`;
      const page = await call('GET', `/provisionings?limit=1${query}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body.items as Array<{ id: string }>).map((i) => i.id));
      next = page.body.next as string | undefined;
      pages++;
    } while (next !== undefined && pages < 50);
    expect(next).toBeUndefined();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(running);
    expect(seen[0]).toBe((first.body.items as Array<{ id: string }>)[0]?.id);

    const filtered = await call('GET', '/provisionings?workspace=default&environment=dev&limit=100');
    expect(filtered.status).toBe(200);
    const items = filtered.body.items as Array<{ id: string; workspace: string; environment: string }>;
    expect(items.map((i) => i.id)).toContain(running);
    expect(items.every((i) => i.workspace === 'default' && i.environment === 'dev')).toBe(true);
  });

  it('refuses a bad query (400)', async () => {
    const badLimit = await call('GET', '/provisionings?limit=0&colour=blue');
    expect(badLimit.status).toBe(400);
    expect(fieldsOf(badLimit).sort()).toEqual(['colour', 'limit']);

    const badName = await call('GET', '/provisionings?workspace=no%20spaces&limit=101');
    expect(badName.status).toBe(400);
    expect(fieldsOf(badName).sort()).toEqual(['limit', 'workspace']);

    const badToken = await call('GET', '/provisionings?next=not-a-token');
    expect(badToken.status).toBe(400);
    expect(fieldsOf(badToken)).toEqual(['next']);
  });
});

describe('GET /provisionings/{id}', () => {
  it('answers 404 for an unknown or malformed id', async () => {
    const unknown = await call('GET', '/provisionings/req-does-not-exist');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('NotFound');
    const malformed = await call('GET', `/provisionings/${encodeURIComponent('../etc/passwd')}`);
    expect(malformed.status).toBe(404);
    // Broken percent-encoding is a malformed id too, not a server error.
    const undecodable = await call('GET', '/provisionings/%E0%A4%A');
    expect(undecodable.status).toBe(404);
  });

  it('refuses a body over 1 MiB (413) without reading it all, and keeps serving', async () => {
    const huge = JSON.stringify({
      workspace: 'default',
      oktaGroups: ['Everyone'],
      requestedBy: 'x'.repeat(5 * 1024 * 1024),
    });
    const tooLarge = await call('POST', '/provisionings', { raw: huge });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ error: 'PayloadTooLarge' });
    expect((await call('DELETE', '/workspaces/default/portal', { raw: huge })).status).toBe(413);
    expect((await call('GET', '/provisionings?limit=1')).status).toBe(200);
  });
});

describe('DELETE /workspaces/{workspace}/portal', () => {
  it('refuses a teardown with a bad environment, of a reserved name, or with a bad body (400)', async () => {
    const badEnvironment = await call('DELETE', '/workspaces/default/portal?environment=Prod!');
    expect(badEnvironment.status).toBe(400);
    expect(fieldsOf(badEnvironment)).toEqual(['environment']);

    const undecodable = await call('DELETE', '/workspaces/%E0%A4%A/portal');
    expect(undecodable.status).toBe(400);
    expect(fieldsOf(undecodable)).toEqual(['workspace']);

    const reserved = await call('DELETE', '/workspaces/workspaces/portal?environment=dev');
    expect(reserved.status).toBe(400);
    expect(fieldsOf(reserved)).toEqual(['workspace']);

    const badBody = await call('DELETE', '/workspaces/default/portal?environment=dev', {
      body: { requestedBy: 'ops', colour: 'blue' },
      invalid: true,
    });
    expect(badBody.status).toBe(400);
    expect(fieldsOf(badBody)).toEqual(['colour']);
  });

  it('accepts a teardown (202 + Location) that removes what the provisioning made', async () => {
    const answer = await call('DELETE', '/workspaces/default/portal?environment=dev', {
      body: { requestedBy: 'contract-test' },
    });
    const id = expectAccepted(answer);
    expect(answer.body).toEqual({ id, status: 'RUNNING', statusUrl: `/provisionings/${id}` });
    const final = await untilFinal(id);
    expect(final).toMatchObject({
      kind: 'teardown',
      status: 'SUCCEEDED',
      requestedBy: 'contract-test',
      outputs: { requestId: id, workspace: 'default', environment: 'dev' },
    });
    expect((final.outputs as { removed: string[] }).removed.length).toBeGreaterThan(0);
  });
});

describe('POST /webhooks/jira and /webhooks/servicenow', () => {
  const jiraDelivery = (payload: unknown, headers: Record<string, string> = {}) => {
    const raw = JSON.stringify(payload);
    return {
      body: payload,
      raw,
      headers: {
        'X-Hub-Signature': hubSignature(stack.webhookSecrets.jira, raw),
        'X-Atlassian-Webhook-Identifier': randomUUID(),
        ...headers,
      },
    };
  };
  const serviceNowDelivery = (payload: Record<string, unknown>, signature?: string) => {
    const raw = JSON.stringify(payload);
    const ts = String(Math.floor(Date.now() / 1000));
    return {
      body: payload,
      raw,
      headers: {
        'X-SN-Timestamp': ts,
        'X-SN-Signature':
          signature ?? serviceNowSignature(stack.webhookSecrets.servicenow, ts, Buffer.from(raw)),
      },
    };
  };
  const jiraIssue = (workspace: string | null) => {
    if (workspace) stack.kongSandbox!.control.addWorkspace(workspace, { portal: false });
    const issue = stack.jiraSandbox!.control.addIssue('KPP', {
      summary: 'portal',
      project: { key: 'KPP' },
      issuetype: { name: 'Service Request' },
    });
    return jiraFixture('jira/issue-created.json', issue, { customfield_10050: workspace });
  };

  it('answers a Jira delivery: 202 run, 200 rejected, 204 not a request, 400 not a webhook, 401 unsigned, 413 too large', async () => {
    const accepted = await call('POST', '/webhooks/jira', jiraDelivery(jiraIssue('contract-jira')));
    expect(accepted).toMatchObject({ status: 202, body: { status: 'RUNNING' } });
    expect(accepted.headers.get('location')).toBe(accepted.body.statusUrl);
    expect((await call('POST', '/webhooks/jira', jiraDelivery(jiraIssue(null)))).status).toBe(200);
    const edited = jiraIssue('contract-jira-2');
    expect(
      (await call('POST', '/webhooks/jira', jiraDelivery({ ...edited, webhookEvent: 'jira:issue_deleted' })))
        .status,
    ).toBe(204);
    expect(
      (await call('POST', '/webhooks/jira', jiraDelivery({ webhookEvent: 'jira:issue_created' }))).status,
    ).toBe(400);
    const unsigned = jiraDelivery(jiraIssue('contract-jira-3'), { 'X-Hub-Signature': 'sha256=00' });
    expect((await call('POST', '/webhooks/jira', unsigned)).status).toBe(401);
    const huge = { raw: JSON.stringify({ webhookEvent: 'x', padding: 'x'.repeat(300 * 1024) }) };
    expect((await call('POST', '/webhooks/jira', huge)).status).toBe(413);
    await stack.idle();
  });

  it('answers a ServiceNow delivery: 202, 200, 204, 400, 401, 409 replayed, 413', async () => {
    const sn = stack.servicenowSandbox!;
    const item = (variables: Record<string, string>) => {
      const created = sn.control.addRequestedItem(variables);
      sn.control.updateItem(created.sys_id, { state: '2' });
      return sn.deliveryPayload(created.sys_id);
    };
    stack.kongSandbox!.control.addWorkspace('contract-sn', { portal: false });
    const delivery = serviceNowDelivery(item({ kong_workspace: 'contract-sn', okta_groups: 'Everyone' }));
    expect((await call('POST', '/webhooks/servicenow', delivery)).status).toBe(202);
    const replayed = await call('POST', '/webhooks/servicenow', serviceNowDelivery(delivery.body));
    expect(replayed).toMatchObject({ status: 409, body: { error: 'Conflict' } });
    expect(
      (await call('POST', '/webhooks/servicenow', serviceNowDelivery(item({ okta_groups: 'Everyone' }))))
        .status,
    ).toBe(200);
    expect(
      (await call('POST', '/webhooks/servicenow', serviceNowDelivery({ ...item({}), state: '1' }))).status,
    ).toBe(204);
    expect(
      (await call('POST', '/webhooks/servicenow', serviceNowDelivery({ table: 'incident' }))).status,
    ).toBe(400);
    expect(
      (await call('POST', '/webhooks/servicenow', serviceNowDelivery(item({}), 'A'.repeat(43) + '='))).status,
    ).toBe(401);
    expect((await call('POST', '/webhooks/servicenow', { raw: 'x'.repeat(300 * 1024) })).status).toBe(413);
    await stack.idle();
  });
});

describe('the document', () => {
  it('is closed where the handlers are: an extra field in an answer is drift', () => {
    const check = (body: unknown) => contract.validateResponse('GET', '/provisionings/{id}', 200, body).ok;
    expect(check(succeeded)).toBe(true);
    expect(check({ ...succeeded, clientSecret: 'x' })).toBe(false);
    expect(check({ ...succeeded, outputs: { ...(succeeded.outputs as Json), clientSecret: 'x' } })).toBe(
      false,
    );
    expect(check({ ...succeeded, status: 'PENDING' })).toBe(false);
    const { source: _source, ...withoutSource } = succeeded;
    expect(check(withoutSource)).toBe(false);
  });

  it('lists no operation or status (other than 500/503) that this file did not exercise', () => {
    const doc = parse(fs.readFileSync(DOC_FILE, 'utf8')) as {
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
    };
    const documented: string[] = [];
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!['get', 'put', 'post', 'delete', 'patch'].includes(method)) continue;
        for (const status of Object.keys(op.responses ?? {})) {
          if (!NOT_EXERCISED.has(status)) documented.push(`${method.toUpperCase()} ${template} ${status}`);
        }
      }
    }
    expect(documented.length).toBeGreaterThanOrEqual(10);
    expect(documented.filter((entry) => !exercised.has(entry))).toEqual([]);
    // And nothing was answered that the document does not list (call() would have thrown).
    expect([...exercised].filter((entry) => !documented.includes(entry))).toEqual([]);
  });
});

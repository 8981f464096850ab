/**
 * `sample-ticket`: the ticket front door, tried end to end against the local service. It files a
 * ticket in the local Jira (or ServiceNow) sandbox through that system's own REST API, approves it,
 * sends the webhook that system would send - correctly signed with the local webhook secret - to
 * the local API, follows the run, and prints the answer the ticket received.
 *
 * It talks to the local service only: it reads where the sandboxes are (and the field mapping)
 * from the local API's readiness answer, and uses the documented local development credentials.
 */
import { randomUUID } from 'node:crypto';
import { hubSignature, serviceNowSignature } from '../../lambdas/core/webhook-signatures';
import { JIRA_SANDBOX_USER, LOCAL_WEBHOOK_SECRETS, SERVICENOW_SANDBOX_USER } from '../../local/dev-defaults';
import type { ApiClient } from './api';
import { EXIT, exitCodeForStatus, formatOutcome, isFinal, type ExitCode, type RunView } from './format';

export interface SampleTicketOptions {
  system: 'jira' | 'servicenow';
  workspace: string;
  groups: string[];
  environment?: string;
  /** The webhook's signing secret; the local default unless given. */
  secret?: string;
  timeoutSeconds: number;
}

interface Io {
  stdout(line: string): void;
  stderr(line: string): void;
  fetch: typeof fetch;
  sleep(ms: number): Promise<void>;
  now(): number;
  pollIntervalMs?: number;
}

type Json = Record<string, unknown>;
interface Ready {
  tickets?: {
    jira?: {
      url: string;
      mapping: {
        projects: string[];
        issueTypes: string[];
        approvedStatus: string;
        fields: Record<string, string>;
      };
    };
    servicenow?: { url: string; mapping: { catalogItems: string[]; variables: Record<string, string> } };
  };
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

class SampleError extends Error {}

async function vendor(io: Io, method: string, url: string, auth: string, body?: unknown): Promise<Json> {
  const res = await io.fetch(url, {
    method,
    headers: {
      Authorization: auth,
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok)
    throw new SampleError(`${method} ${new URL(url).pathname} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as Json) : {};
}

/** What the ticket's answer says, as a reader sees it (ADF paragraphs and list items on lines). */
export function adfToText(node: unknown): string {
  if (typeof node !== 'object' || node === null) return '';
  const n = node as { type?: unknown; text?: unknown; content?: unknown };
  const own = typeof n.text === 'string' ? n.text : '';
  const parts = Array.isArray(n.content) ? n.content.map(adfToText) : [];
  if (n.type === 'paragraph') return own + parts.join('');
  if (n.type === 'listItem') return `- ${parts.join('')}`;
  return own + parts.join('\n');
}

async function sendJira(
  api: ApiClient,
  io: Io,
  ready: NonNullable<Ready['tickets']>['jira'],
  o: SampleTicketOptions,
) {
  if (!ready) throw new SampleError('The local service has no Jira configured');
  const auth = basic(JIRA_SANDBOX_USER.emailAddress, JIRA_SANDBOX_USER.apiToken);
  const { mapping } = ready;
  const fields: Json = {
    summary: `Kong Dev Portal for workspace ${o.workspace}`,
    project: { key: mapping.projects[0] },
    issuetype: { name: mapping.issueTypes[0] },
    [mapping.fields.workspace as string]: o.workspace,
    [mapping.fields.oktaGroups as string]: o.groups.map((value) => ({ value })),
    ...(o.environment && mapping.fields.environment
      ? { [mapping.fields.environment]: { value: o.environment } }
      : {}),
  };
  const created = (await vendor(io, 'POST', `${ready.url}/rest/api/3/issue`, auth, { fields })) as {
    id: string;
    key: string;
  };
  io.stdout(`Filed ${created.key} in Jira (${ready.url}/browse/${created.key})`);
  const { transitions } = (await vendor(
    io,
    'GET',
    `${ready.url}/rest/api/3/issue/${created.key}/transitions`,
    auth,
  )) as {
    transitions: Array<{ id: string; to: { id: string; name: string } }>;
  };
  const approve = transitions.find((t) => t.to.name === mapping.approvedStatus);
  if (!approve) throw new SampleError(`No transition of ${created.key} leads to '${mapping.approvedStatus}'`);
  await vendor(io, 'POST', `${ready.url}/rest/api/3/issue/${created.key}/transitions`, auth, {
    transition: { id: approve.id },
  });
  io.stdout(`Approved ${created.key} (status '${mapping.approvedStatus}'); sending Jira's webhook`);
  const payload = {
    timestamp: io.now(),
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_generic',
    user: { accountId: JIRA_SANDBOX_USER.accountId, displayName: JIRA_SANDBOX_USER.displayName },
    issue: {
      id: created.id,
      key: created.key,
      self: `${ready.url}/rest/api/2/issue/${created.id}`,
      fields: {
        ...fields,
        reporter: { accountId: JIRA_SANDBOX_USER.accountId, displayName: JIRA_SANDBOX_USER.displayName },
      },
    },
    changelog: {
      id: String(io.now()),
      items: [
        {
          field: 'status',
          fieldtype: 'jira',
          fieldId: 'status',
          to: approve.to.id,
          toString: approve.to.name,
        },
      ],
    },
  };
  const raw = JSON.stringify(payload);
  const headers = {
    'X-Hub-Signature': hubSignature(o.secret ?? LOCAL_WEBHOOK_SECRETS.jira, Buffer.from(raw)),
    'X-Atlassian-Webhook-Identifier': randomUUID(),
  };
  return {
    raw,
    headers,
    path: '/webhooks/jira',
    answer: async () => {
      const page = (await vendor(
        io,
        'GET',
        `${ready.url}/rest/api/3/issue/${created.key}/comment`,
        auth,
      )) as {
        comments: Array<{ body: unknown; author?: { displayName?: string } }>;
      };
      return page.comments.map(
        (c) => `Comment by ${c.author?.displayName ?? 'unknown'}:\n${adfToText(c.body)}`,
      );
    },
  };
}

async function sendServiceNow(
  io: Io,
  ready: NonNullable<Ready['tickets']>['servicenow'],
  o: SampleTicketOptions,
) {
  if (!ready) throw new SampleError('The local service has no ServiceNow configured');
  const auth = basic(SERVICENOW_SANDBOX_USER.username, SERVICENOW_SANDBOX_USER.password);
  const table = `${ready.url}/api/now/table/sc_req_item`;
  const { result: item } = (await vendor(io, 'POST', table, auth, {
    short_description: `Kong Dev Portal for ${o.workspace}`,
  })) as {
    result: { sys_id: string; number: string; state?: string; cat_item: { value: string } };
  };
  io.stdout(`Filed ${item.number} in ServiceNow (${ready.url})`);
  // Approval moves the requested item to Work in Progress (state 2), which fires the business rule.
  const { result: approved } = (await vendor(io, 'PATCH', `${table}/${item.sys_id}`, auth, {
    state: '2',
  })) as {
    result: { sys_mod_count?: string };
  };
  const current = ((await vendor(io, 'GET', `${table}/${item.sys_id}`, auth)) as { result: Json }).result;
  const v = ready.mapping.variables;
  const payload = {
    delivery_id: randomUUID().replace(/-/g, ''),
    table: 'sc_req_item',
    sys_id: item.sys_id,
    number: item.number,
    sys_mod_count: String(current.sys_mod_count ?? approved.sys_mod_count ?? '1'),
    state: '2',
    // What the rule reads from `previous`: the state the item was filed in (Open, 1).
    previous_state: String(item.state ?? '1'),
    cat_item: {
      sys_id: item.cat_item.value,
      name: ready.mapping.catalogItems.find((c) => !/^[0-9a-f]{32}$/.test(c)) ?? 'Kong Dev Portal',
    },
    requested_for: { name: 'Local Developer', user_name: 'local.developer' },
    variables: {
      [v.workspace as string]: o.workspace,
      [v.oktaGroups as string]: o.groups.join(', '),
      ...(o.environment && v.environment ? { [v.environment]: o.environment } : {}),
    },
  };
  io.stdout(`Approved ${item.number}; sending the business rule's delivery`);
  const raw = JSON.stringify(payload);
  const ts = String(Math.floor(io.now() / 1000));
  const headers = {
    'X-SN-Timestamp': ts,
    'X-SN-Signature': serviceNowSignature(o.secret ?? LOCAL_WEBHOOK_SECRETS.servicenow, ts, Buffer.from(raw)),
  };
  return {
    raw,
    headers,
    path: '/webhooks/servicenow',
    answer: async () => {
      const query = encodeURIComponent(`element_id=${item.sys_id}^element=work_notes`);
      const { result } = (await vendor(
        io,
        'GET',
        `${ready.url}/api/now/table/sys_journal_field?sysparm_query=${query}`,
        auth,
      )) as {
        result: Array<{ value: string; sys_created_by: string }>;
      };
      return result.map((note) => `Work note by ${note.sys_created_by}:\n${note.value}`);
    },
  };
}

export async function sampleTicket(api: ApiClient, io: Io, o: SampleTicketOptions): Promise<ExitCode> {
  try {
    const ready = await api.call('GET', '/');
    const tickets = (ready.body as Ready | undefined)?.tickets;
    if (ready.status !== 200 || !tickets)
      throw new SampleError('sample-ticket works against the local service only: start it with `npm start`');
    const delivery =
      o.system === 'jira'
        ? await sendJira(api, io, tickets.jira, o)
        : await sendServiceNow(io, tickets.servicenow, o);

    const res = await io.fetch(`${api.baseUrl}${delivery.path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...delivery.headers },
      body: delivery.raw,
    });
    const body = (await res.json().catch(() => ({}))) as Json;
    io.stdout(`Webhook answered ${res.status}: ${JSON.stringify(body)}`);
    let exit: ExitCode = EXIT.SUCCESS;
    if (res.status === 202) {
      const run = await follow(api, io, String(body.id), o.timeoutSeconds);
      if (!run) return EXIT.ERROR;
      formatOutcome(run).forEach((line) => io.stdout(line));
      exit = exitCodeForStatus(run.status);
    } else if (res.status !== 200) {
      return res.status === 401 ? EXIT.BAD_INPUT : EXIT.ERROR;
    } else exit = EXIT.BAD_INPUT;

    // The answer is posted once the run-ended event is handled: give it a moment.
    const deadline = io.now() + 10_000;
    let answers = await delivery.answer();
    while (answers.length === 0 && io.now() < deadline) {
      await io.sleep(io.pollIntervalMs ?? 300);
      answers = await delivery.answer();
    }
    io.stdout('');
    io.stdout(answers.length ? 'The ticket received:' : 'The ticket received no answer yet.');
    answers.forEach((a) => a.split('\n').forEach((line) => io.stdout(`  ${line}`)));
    return exit;
  } catch (err) {
    io.stderr(`kong-portal-provisioner sample-ticket: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.ERROR;
  }
}

async function follow(
  api: ApiClient,
  io: Io,
  id: string,
  timeoutSeconds: number,
): Promise<RunView | undefined> {
  const deadline = io.now() + timeoutSeconds * 1000;
  for (;;) {
    const answer = await api.call('GET', `/provisionings/${encodeURIComponent(id)}`);
    const run = answer.body as RunView;
    if (answer.status === 200 && isFinal(run.status)) return run;
    if (io.now() > deadline) {
      io.stderr(`Request ${id} is still running after ${timeoutSeconds} s`);
      return undefined;
    }
    await io.sleep(io.pollIntervalMs ?? 300);
  }
}

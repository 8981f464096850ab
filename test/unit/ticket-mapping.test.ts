// Intent: a ticket becomes exactly the provisioning request its mapped fields say, whatever shape
// Jira or ServiceNow gives those fields (text, select option, multi-select, labels, catalog
// variable text); only ticket creation and an approval start a run, and only for the mapped project,
// issue type or catalog item; an invalid ticket is refused naming the field as the ticket shows it;
// who asked is the reporter (by name and account id), and a ticket event always names the same run.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { jiraDecision, jiraMappingSchema } from '../../lambdas/core/jira-webhook';
import { serviceNowDecision, serviceNowMappingSchema } from '../../lambdas/core/servicenow-webhook';
import {
  ticketIdempotencyKey,
  validateTicketRequest,
  type TicketDecision,
  type TicketRequest,
} from '../../lambdas/core/ticket-request';

type Json = Record<string, unknown>;
const fixture = (file: string): Json =>
  JSON.parse(readFileSync(path.join(__dirname, '../fixtures', file), 'utf8')) as Json;
const issueFields = (payload: Json) => (payload.issue as { fields: Json }).fields;

const JIRA = jiraMappingSchema.parse({
  projects: ['KPP'],
  issueTypes: ['Service Request'],
  approvedStatus: 'Approved',
  fields: {
    workspace: 'customfield_10050',
    environment: 'customfield_10051',
    oktaGroups: 'customfield_10052',
    options: 'customfield_10053',
  },
});

function provision(decision: TicketDecision): TicketRequest {
  if (decision.action !== 'provision') throw new Error(`expected a request, got ${JSON.stringify(decision)}`);
  return decision.request;
}

const validate = (request: TicketRequest) => validateTicketRequest(request, { environment: 'dev' });

describe('Jira deliveries', () => {
  it('turn a created ticket into its request, asked by the reporter', () => {
    const request = provision(jiraDecision(fixture('jira/issue-created.json'), 'delivery-1', JIRA));
    expect(request).toMatchObject({
      ticket: { channel: 'jira', key: 'KPP-1', id: '10010' },
      deliveryId: 'delivery-1',
      trigger: 'created',
      requestedBy: 'Mia Krystof (jira:5b10ac8d82e05b22cc7d4ef5)',
      fields: { workspace: 'default', environment: 'dev', oktaGroups: ['Everyone'] },
    });
    expect(validate(request)).toMatchObject({
      ok: true,
      request: {
        workspace: 'default',
        environment: 'dev',
        oktaGroups: ['Everyone'],
        dryRun: false,
        idempotencyKey: 'KPP-1-created',
      },
    });
  });

  it('start a run on the update that moves the status into the approved one, asked by the reporter not the approver', () => {
    const request = provision(jiraDecision(fixture('jira/issue-approved.json'), undefined, JIRA));
    expect(request).toMatchObject({
      trigger: 'c10412',
      requestedBy: 'Mia Krystof (jira:5b10ac8d82e05b22cc7d4ef5)',
    });
    // Automation rules send no identifier: the ticket event names the delivery.
    expect(request.deliveryId).toBe('KPP-1:c10412');
  });

  it('start a run when the approval comes with changelog items that carry no toString (field cleared, custom fields)', () => {
    // Intent: `toString` is also the name of an Object method; an item without the key is no
    // reason to call the whole delivery malformed.
    const approved = fixture('jira/issue-approved.json');
    const items = (approved.changelog as Json).items as Json[];
    items.unshift({ field: 'assignee', fieldtype: 'jira', fieldId: 'assignee', from: 'x', to: null });
    items.push({ field: 'Approvers', fieldtype: 'custom', fieldId: 'customfield_10003' });
    expect(jiraDecision(approved, 'd', JIRA)).toMatchObject({ action: 'provision' });
  });

  it.each([
    ['an edit that is not a transition', 'jira/issue-edited.json', /does not move the status/],
    ['a comment', 'jira/comment-created.json', /comment_created is not handled/],
  ])('ignore %s', (_what, file, reason) => {
    const decision = jiraDecision(fixture(file), 'd', JIRA);
    expect(decision).toEqual({ action: 'ignore', reason: expect.stringMatching(reason) });
  });

  it('ignore other projects and issue types, and a transition into another status', () => {
    const other = fixture('jira/issue-approved.json');
    (issueFields(other).project as Json).key = 'HR';
    expect(jiraDecision(other, 'd', JIRA)).toMatchObject({
      action: 'ignore',
      reason: expect.stringMatching(/project HR/),
    });
    const task = fixture('jira/issue-approved.json');
    issueFields(task).issuetype = { id: '10006', name: 'Task' };
    expect(jiraDecision(task, 'd', JIRA)).toMatchObject({
      action: 'ignore',
      reason: expect.stringMatching(/issue type Task/),
    });
    const done = fixture('jira/issue-approved.json');
    Object.assign(((done.changelog as Json).items as Json[])[0] as Json, { toString: 'Done', to: '10002' });
    expect(jiraDecision(done, 'd', JIRA).action).toBe('ignore');
    const noCreate = jiraMappingSchema.parse({ ...JIRA, onCreate: false });
    expect(jiraDecision(fixture('jira/issue-created.json'), 'd', noCreate).action).toBe('ignore');
  });

  it('refuse what is not a Jira webhook', () => {
    for (const body of [
      [],
      'text',
      { webhook: 'x' },
      { webhookEvent: 'jira:issue_created' },
      { webhookEvent: 'jira:issue_created', issue: { key: 'x', id: '1', fields: {} } },
    ])
      expect(jiraDecision(body, 'd', JIRA).action).toBe('malformed');
    expect(jiraDecision(fixture('jira/issue-created.json'), 'bad id with spaces', JIRA).action).toBe(
      'malformed',
    );
  });

  it.each([
    ['a labels field', ['Developers', 'Admins'], ['Developers', 'Admins']],
    ['a group picker', [{ name: 'Developers', groupId: 'g1' }], ['Developers']],
    ['a text field with commas or lines', 'Developers, Admins\nOps', ['Developers', 'Admins', 'Ops']],
    ['a single select', { value: 'Developers', id: '1' }, ['Developers']],
  ])('read the groups from %s', (_what, value, groups) => {
    const payload = fixture('jira/issue-created.json');
    issueFields(payload).customfield_10052 = value;
    expect(provision(jiraDecision(payload, 'd', JIRA)).fields.oktaGroups).toEqual(groups);
  });

  it('refuse a ticket missing a mapped field, naming the field as Jira shows it', () => {
    const payload = fixture('jira/issue-created.json');
    delete issueFields(payload).customfield_10050;
    issueFields(payload).customfield_10052 = [];
    expect(validate(provision(jiraDecision(payload, 'd', JIRA)))).toEqual({
      ok: false,
      issues: [
        { field: 'oktaGroups (Jira field customfield_10052)', reason: 'is required' },
        { field: 'workspace (Jira field customfield_10050)', reason: 'is required' },
      ],
    });
  });

  it('take further request fields from the options field, refusing ones a ticket may not set', () => {
    const payload = fixture('jira/issue-created.json');
    issueFields(payload).customfield_10053 =
      '{"autoApprove": true, "tokenLifetimes": {"accessTokenMinutes": 2}, "dryRun": true}';
    const request = provision(jiraDecision(payload, 'd', JIRA));
    expect(request.fields).toMatchObject({ autoApprove: true });
    const result = validate(request);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((i) => i.field)).toEqual([
      'options (Jira field customfield_10053): dryRun',
      'options (Jira field customfield_10053): tokenLifetimes.accessTokenMinutes',
    ]);
    issueFields(payload).customfield_10053 = 'autoApprove please';
    expect(validate(provision(jiraDecision(payload, 'd', JIRA)))).toEqual({
      ok: false,
      issues: [
        {
          field: 'options (Jira field customfield_10053)',
          reason: 'must be a JSON object, e.g. {"autoApprove": true}',
        },
      ],
    });
  });

  it('name the same run for every delivery of one ticket event, and another run for a later approval', () => {
    const first = provision(jiraDecision(fixture('jira/issue-approved.json'), 'a', JIRA));
    const again = provision(jiraDecision(fixture('jira/issue-approved.json'), 'b', JIRA));
    const later = fixture('jira/issue-approved.json');
    (later.changelog as Json).id = '10999';
    const key = (r: TicketRequest) => ticketIdempotencyKey(r.ticket, r.trigger);
    expect(key(first)).toBe(key(again));
    expect(key(provision(jiraDecision(later, 'c', JIRA)))).not.toBe(key(first));
    // Within the request schema's key rule even for long keys.
    expect(
      ticketIdempotencyKey(
        { channel: 'jira', key: `A${'B'.repeat(40)}-123456789`, id: '1' },
        'c123456789012345',
      ),
    ).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});

describe('ServiceNow deliveries', () => {
  const SN = serviceNowMappingSchema.parse({
    catalogItems: ['Kong Dev Portal'],
    states: ['2'],
    variables: {
      workspace: 'kong_workspace',
      environment: 'kong_environment',
      oktaGroups: 'okta_groups',
      options: 'portal_options',
    },
  });

  it('turn the requested item into its request, asked by the requested-for user', () => {
    const request = provision(serviceNowDecision(fixture('servicenow/ritm-approved.json'), SN));
    expect(request).toMatchObject({
      ticket: { channel: 'servicenow', key: 'RITM0010042', id: '7f3a9c2e1b5d4a6f8e0c2b4d6f8a0c1e' },
      deliveryId: '6c1f0e7a9b2d4e0f8a3b5c7d9e1f2a3b',
      trigger: 'm4',
      requestedBy: 'Mia Krystof (servicenow:mia.krystof)',
    });
    expect(validate(request)).toMatchObject({
      ok: true,
      request: { workspace: 'default', oktaGroups: ['Everyone'], autoApprove: true },
    });
  });

  it('ignore other catalog items and states, refuse what our business rule does not send', () => {
    const other = fixture('servicenow/ritm-approved.json');
    other.cat_item = { sys_id: 'a'.repeat(32), name: 'Laptop' };
    expect(serviceNowDecision(other, SN).action).toBe('ignore');
    const open = fixture('servicenow/ritm-approved.json');
    open.state = '1';
    expect(serviceNowDecision(open, SN).action).toBe('ignore');
    for (const broken of [
      {},
      { ...fixture('servicenow/ritm-approved.json'), table: 'incident' },
      { ...fixture('servicenow/ritm-approved.json'), sys_id: 'x' },
    ])
      expect(serviceNowDecision(broken, SN).action).toBe('malformed');
  });

  it('name a missing catalog variable in the refusal', () => {
    const payload = fixture('servicenow/ritm-approved.json');
    delete (payload.variables as Json).kong_workspace;
    expect(validate(provision(serviceNowDecision(payload, SN)))).toEqual({
      ok: false,
      issues: [{ field: 'workspace (catalog variable kong_workspace)', reason: 'is required' }],
    });
  });
});

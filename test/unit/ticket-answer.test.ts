// Intent: what the service writes on a ticket is valid Atlassian Document Format (Jira refuses
// anything else) and readable plain text (ServiceNow work notes), and says what the requester
// needs: the portal, issuer, client id and the secret's ARN on success; the failed step, the reason
// and "rolled back" - or the leftovers - on failure; the offending fields on a refusal.
import { validateAdf } from '../../local/contracts/validator';
import { toAdf, toPlainText, type TicketAnswer } from '../../lambdas/core/ticket-answer';
import { ENDED_STATUSES, readEvent, runEndedPattern } from '../../lambdas/core/run-events';
import { failedStepOf, possibleLeftovers } from '../../lambdas/runs/reconcile';

const facts = {
  requestId: 'req-abc',
  workspace: 'team-a',
  environment: 'dev',
  statusUrl: 'https://api.example.com/v1/provisionings/req-abc',
};

const answers: Record<string, TicketAnswer> = {
  succeeded: {
    kind: 'succeeded',
    ...facts,
    portalUrl: 'https://portal.example.com/team-a',
    issuer: 'https://acme.okta.com/oauth2/aus1',
    clientId: '0oa1',
    clientSecretArn:
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-portal-provisioner/dev/team-a/client-secret-AbCdEf',
  },
  failed: {
    kind: 'failed',
    ...facts,
    failedStep: 'ConfigurePortal',
    reason: 'Kong updateWorkspace was rejected as invalid (HTTP 400)',
  },
  incomplete: {
    kind: 'cleanup-incomplete',
    ...facts,
    failedStep: 'CreateAuthServer',
    reason: 'The run was stopped from outside',
    leftovers: ['okta-app:kong-portal-dev-team-a'],
  },
  rejected: {
    kind: 'rejected',
    ticketKey: 'KPP-7',
    deliveryId: 'd-1',
    issues: [{ field: 'workspace (Jira field customfield_10050)', reason: 'is required' }],
  },
};

describe('ticket answers', () => {
  it.each(Object.keys(answers))("render the %s answer as ADF that Atlassian's schema accepts", (kind) => {
    expect(validateAdf(toAdf(answers[kind] as TicketAnswer))).toEqual({ ok: true });
  });

  it('tell a success everything needed to use the portal, linking it', () => {
    const adf = JSON.stringify(toAdf(answers.succeeded as TicketAnswer));
    expect(adf).toContain('"href":"https://portal.example.com/team-a"');
    const text = toPlainText(answers.succeeded as TicketAnswer);
    for (const part of [
      'https://portal.example.com/team-a',
      'https://acme.okta.com/oauth2/aus1',
      '0oa1',
      'client-secret-AbCdEf',
      'req-abc',
    ])
      expect(text).toContain(part);
  });

  it('link only a real URL: a success recorded without a portal URL says so, and links nothing', () => {
    const unknown = { ...(answers.succeeded as TicketAnswer), portalUrl: '(unknown)' } as TicketAnswer;
    const adf = toAdf(unknown);
    expect(validateAdf(adf)).toEqual({ ok: true });
    expect(JSON.stringify(adf)).not.toContain('"href":"(unknown)"');
  });

  it('tell a failure the step, the reason and that it was rolled back; an incomplete one its leftovers', () => {
    expect(toPlainText(answers.failed as TicketAnswer)).toMatch(
      /Failed step: ConfigurePortal[\s\S]*HTTP 400[\s\S]*rolled back/,
    );
    const incomplete = toPlainText(answers.incomplete as TicketAnswer);
    expect(incomplete).toContain('okta-app:kong-portal-dev-team-a');
    expect(incomplete).not.toContain('rolled back;');
  });

  it('name every refused field', () => {
    expect(toPlainText(answers.rejected as TicketAnswer)).toContain(
      'workspace (Jira field customfield_10050): is required',
    );
  });

  it('never emit an empty ADF text node (Jira refuses the whole comment)', () => {
    const adf = toAdf({ ...(answers.failed as TicketAnswer), reason: '' } as TicketAnswer);
    expect(validateAdf(adf)).toEqual({ ok: true });
  });
});

describe('run-ended events', () => {
  // The examples in the Step Functions Developer Guide, "Step Functions event examples".
  const example = (status: string) => ({
    version: '0',
    id: '315c1398-40ff-a850-213b-158f73e60175',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '012345678912',
    time: '2019-02-26T19:42:21Z',
    region: 'us-east-1',
    resources: ['arn:aws:states:us-east-1:012345678912:execution:state-machine-name:execution-name'],
    detail: {
      executionArn: 'arn:aws:states:us-east-1:012345678912:execution:state-machine-name:execution-name',
      stateMachineArn: 'arn:aws:states:us-east-1:012345678912:stateMachine:state-machine',
      name: 'execution-name',
      status,
      startDate: 1551225014968,
      stopDate: status === 'RUNNING' ? null : 1551225017576,
      input: '{}',
      output: null,
    },
  });

  it('read every terminal status of the documented event, and not a start', () => {
    for (const status of ENDED_STATUSES)
      expect(readEvent(example(status))).toMatchObject({
        kind: 'execution-ended',
        requestId: 'execution-name',
        status,
        stopDate: 1551225017576,
      });
    expect(readEvent(example('RUNNING')).kind).toBe('not-handled');
    expect(readEvent({ source: 'aws.ec2' }).kind).toBe('not-handled');
  });

  it('match exactly the terminal statuses of the given state machines', () => {
    expect(runEndedPattern(['arn:1'])).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: ['arn:1'] },
    });
  });

  it('list what an interrupted run may have left: every started step whose undo did not finish', () => {
    const record = {
      id: 'req-1',
      kind: 'provision' as const,
      environment: 'dev',
      workspace: 'team-a',
      status: 'RUNNING' as const,
      requestedBy: 'x',
      source: { channel: 'api' as const },
      inputHash: 'h',
      dryRun: false,
      createdAt: '',
      updatedAt: '',
    };
    const steps = [
      { name: 'ResolvePortal', state: 'SUCCEEDED' },
      { name: 'CreateOktaApp', state: 'SUCCEEDED' },
      { name: 'AssignGroups', state: 'RUNNING' },
    ];
    expect(possibleLeftovers(record, steps)).toEqual([
      'secret:kong-portal-provisioner/dev/team-a/kong-rollback',
      'okta-app:kong-portal-dev.team-a (if request req-1 created it)',
      'secret:kong-portal-provisioner/dev/team-a/client-secret',
      'okta-group-assignments:kong-portal-dev.team-a (groups request req-1 assigned)',
    ]);
    const rolledBackApp = [
      ...steps,
      { name: 'DeleteOktaApp', state: 'SUCCEEDED' },
      { name: 'DeleteClientSecret', state: 'FAILED' },
    ];
    expect(possibleLeftovers(record, rolledBackApp).some((l) => l.startsWith('okta-app:'))).toBe(false);
    expect(possibleLeftovers(record, rolledBackApp)).toContain(
      'secret:kong-portal-provisioner/dev/team-a/client-secret',
    );
  });

  it('name the forward step that failed, not an undo that failed after it', () => {
    expect(
      failedStepOf([
        { name: 'CreateOktaApp', state: 'SUCCEEDED' },
        { name: 'CreateAuthServer', state: 'FAILED' },
        { name: 'DeleteOktaApp', state: 'FAILED' },
        { name: 'FinalizeFailed', state: 'SUCCEEDED' },
      ]),
    ).toBe('CreateAuthServer');
  });
});

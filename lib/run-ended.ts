/**
 * The end of every run, observed: an EventBridge rule on both state machines' execution status
 * changes (SUCCEEDED, FAILED, TIMED_OUT, ABORTED) and one on "Ticket Rejected", both targeting the
 * run-ended function (lambdas/events), which reconciles the request record and lock, emits the
 * business metrics and answers tickets. Delivery is at least once and retried at two levels: the
 * rule's target retries an invocation EventBridge could not make, Lambda retries a failed
 * asynchronous invocation twice; an event that still fails lands in an encrypted dead-letter queue
 * (alarmed), where an operator can inspect and redrive it. Only this function reads the Jira and
 * ServiceNow credentials.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import * as path from 'node:path';
import { runEndedPattern, TICKET_REJECTED_PATTERN } from '../lambdas/core/run-events';
import { executionArnPattern } from './api';
import { ProvisionerFunction } from './provisioner-function';
import type { RequestsTable } from './requests-table';

import { DEFAULT_METRICS_NAMESPACE as METRICS_NAMESPACE } from '../lambdas/core/metric-names';

export interface TicketNotifierSettings {
  jira?: { siteUrl: string; credentialsSecretName: string; successTransitionId?: string };
  servicenow?: {
    instanceUrl: string;
    credentialsSecretName: string;
    successState?: string;
    failureState?: string;
  };
}

export interface RunEndedProps {
  requests: RequestsTable;
  provisioning: sfn.StateMachine;
  teardown: sfn.StateMachine;
  /** The API's stage URL, for status links in ticket answers. */
  statusBaseUrl: string;
  tickets: TicketNotifierSettings;
}

/** An EventBridge pattern as CDK spells it (`detailType`, not `detail-type`). */
function cdkPattern(pattern: {
  source: readonly string[];
  'detail-type': readonly string[];
  detail?: object;
}) {
  return {
    source: [...pattern.source],
    detailType: [...pattern['detail-type']],
    ...(pattern.detail ? { detail: { ...pattern.detail } } : {}),
  };
}

export class RunEndedHandler extends Construct {
  readonly function: ProvisionerFunction;
  readonly deadLetters: sqs.Queue;
  readonly rules: events.Rule[] = [];

  constructor(scope: Construct, id: string, props: RunEndedProps) {
    super(scope, id);
    const { jira, servicenow } = props.tickets;
    const secret = (name: string, secretName: string) =>
      secretsmanager.Secret.fromSecretNameV2(this, name, secretName);
    const jiraCredentials = jira ? secret('JiraCredentials', jira.credentialsSecretName) : undefined;
    const servicenowCredentials = servicenow
      ? secret('ServiceNowCredentials', servicenow.credentialsSecretName)
      : undefined;

    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue of the run-ended events (Lambda on-failure destination and rule target DLQ); it is alarmed and redriven by hand',
    });

    this.function = new ProvisionerFunction(this, 'Function', {
      name: 'RunEnded',
      kind: 'events',
      entry: path.join(__dirname, '../lambdas/events/lambda.ts'),
      environment: {
        REQUESTS_TABLE: props.requests.table.tableName,
        PROVISIONING_STATE_MACHINE_ARN: props.provisioning.stateMachineArn,
        TEARDOWN_STATE_MACHINE_ARN: props.teardown.stateMachineArn,
        STATUS_BASE_URL: props.statusBaseUrl,
        METRICS_NAMESPACE,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...(jira && jiraCredentials
          ? {
              JIRA_BASE_URL: jira.siteUrl,
              JIRA_CREDENTIALS_SECRET_ARN: jiraCredentials.secretArn,
              ...(jira.successTransitionId ? { JIRA_SUCCESS_TRANSITION_ID: jira.successTransitionId } : {}),
            }
          : {}),
        ...(servicenow && servicenowCredentials
          ? {
              SERVICENOW_INSTANCE_URL: servicenow.instanceUrl,
              SERVICENOW_CREDENTIALS_SECRET_ARN: servicenowCredentials.secretArn,
              ...(servicenow.successState ? { SERVICENOW_SUCCESS_STATE: servicenow.successState } : {}),
              ...(servicenow.failureState ? { SERVICENOW_FAILURE_STATE: servicenow.failureState } : {}),
            }
          : {}),
      },
    });
    const fn = this.function;
    fn.fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.deadLetters),
    });
    props.requests.grantReadWrite(fn.role);
    for (const credentials of [jiraCredentials, servicenowCredentials]) credentials?.grantRead(fn.role);
    for (const machine of [props.provisioning, props.teardown]) {
      fn.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
          resources: [executionArnPattern(machine)],
        }),
      );
      const machineId = Stack.of(this).getLogicalId(machine.node.defaultChild as sfn.CfnStateMachine);
      Validations.of(fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${machineId}.Name>:*]`,
        reason:
          'Reading any execution of this one state machine: execution names are request ids, unknown in advance',
      });
    }

    const target = new targets.LambdaFunction(fn.fn, {
      retryAttempts: 8,
      maxEventAge: Duration.hours(2),
      deadLetterQueue: this.deadLetters,
    });
    this.rules.push(
      new events.Rule(this, 'RunEnded', {
        description: 'kong-portal-provisioner: every provisioning or teardown execution that ended',
        eventPattern: cdkPattern(
          runEndedPattern([props.provisioning.stateMachineArn, props.teardown.stateMachineArn]),
        ),
        targets: [target],
      }),
    );
    if (jira || servicenow) {
      this.rules.push(
        new events.Rule(this, 'TicketRejected', {
          description: 'kong-portal-provisioner: a ticket whose request was refused, to be answered',
          eventPattern: cdkPattern(TICKET_REJECTED_PATTERN),
          targets: [target],
        }),
      );
    }
  }
}

/**
 * The alarms an operator needs (docs/operations.md says what to do for each): executions that
 * failed or timed out; the one that means something was left behind - a run that ended
 * CLEANUP_INCOMPLETE, however it got there (a rollback that could not finish, a run that timed out
 * or was stopped, Finalize failing); ticket answers that could not be posted; and run-ended events
 * that could not be handled at all (dead letters).
 *
 * The business alarms read the EMF metrics the run-ended handler emits (core/metric-names.ts):
 * simpler than a log metric filter, and they cover runs that never reached Finalize.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEFAULT_METRICS_NAMESPACE, METRIC_NAMES, METRICS_SERVICE } from '../lambdas/core/metric-names';

export interface WorkflowAlarmsProps {
  stateMachine: sfn.StateMachine;
  teardownStateMachine: sfn.StateMachine;
  /** The run-ended handler's dead-letter queue. */
  runEndedDeadLetters: sqs.IQueue;
  /** Whether tickets are answered (alarm on failed answers). */
  ticketsConfigured: boolean;
}

/** A business metric as the run-ended handler emits it (its `service` dimension only). */
export function businessMetric(name: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: DEFAULT_METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: METRICS_SERVICE },
    period,
    statistic: 'Sum',
  });
}

export class WorkflowAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[];

  /**
   * CloudWatch can only publish to an encrypted topic if the key policy lets it use the key; the
   * AWS managed SNS key's policy cannot be changed, so the topic gets a key of its own.
   */
  private topicKey(): kms.Key {
    const key = new kms.Key(this, 'TopicKey', {
      enableKeyRotation: true,
      description: 'kong-portal-provisioner alarm topic',
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    return key;
  }

  constructor(scope: Construct, id: string, props: WorkflowAlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'kong-portal-provisioner alarms',
      enforceSSL: true,
      masterKey: this.topicKey(),
    });

    const period = Duration.minutes(5);
    const alarm = (id: string, metric: cloudwatch.IMetric, description: string) =>
      new cloudwatch.Alarm(this, id, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
    this.alarms = [
      alarm(
        'ExecutionsFailed',
        props.stateMachine.metricFailed({ period, statistic: 'Sum' }),
        'A provisioning failed (it was rolled back, or see CleanupIncomplete).',
      ),
      alarm(
        'ExecutionsTimedOut',
        props.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
        'A provisioning timed out: resources may be left behind.',
      ),
      alarm(
        'CleanupIncomplete',
        businessMetric(METRIC_NAMES.cleanupIncomplete, period),
        'A run ended CLEANUP_INCOMPLETE (rollback could not finish, run timed out or was stopped): GET /provisionings/{id} lists the leftovers. Runbook: docs/operations.md#cleanupincomplete.',
      ),
      alarm(
        'RunEndedDeadLetters',
        props.runEndedDeadLetters.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        'A run-ended event could not be handled after its retries (record/lock not reconciled or ticket not answered): inspect and redrive the dead-letter queue.',
      ),
    ];
    if (props.ticketsConfigured) {
      this.alarms.push(
        alarm(
          'TicketAnswersFailed',
          businessMetric(METRIC_NAMES.answersFailed, period),
          'An answer could not be posted on a ticket after its retries (credentials, permissions or the ticket system); it is retried, then dead-lettered.',
        ),
      );
    }
    this.alarms.push(
      alarm(
        'TeardownsFailed',
        props.teardownStateMachine.metricFailed({ period, statistic: 'Sum' }),
        'A teardown failed: provisioner-made resources may remain; run the teardown again.',
      ),
    );
    for (const a of this.alarms) a.addAlarmAction(new actions.SnsAction(this.topic));
  }
}

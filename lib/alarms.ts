/**
 * The alarms an operator needs: executions that failed or timed out, and - the one that means
 * something was left behind - rollbacks that could not finish (CleanupIncomplete).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface WorkflowAlarmsProps {
  stateMachine: sfn.StateMachine;
  teardownStateMachine: sfn.StateMachine;
  /** Log group of the Finalize function: it logs `status: CLEANUP_INCOMPLETE` with the leftovers. */
  finalizeLogGroup: logs.ILogGroup;
}

export const CLEANUP_INCOMPLETE_METRIC = {
  namespace: 'KongPortalProvisioner',
  name: 'CleanupIncomplete',
} as const;

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

    new logs.MetricFilter(this, 'CleanupIncompleteFilter', {
      logGroup: props.finalizeLogGroup,
      filterPattern: logs.FilterPattern.stringValue('$.status', '=', 'CLEANUP_INCOMPLETE'),
      metricNamespace: CLEANUP_INCOMPLETE_METRIC.namespace,
      metricName: CLEANUP_INCOMPLETE_METRIC.name,
      metricValue: '1',
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
        new cloudwatch.Metric({
          namespace: CLEANUP_INCOMPLETE_METRIC.namespace,
          metricName: CLEANUP_INCOMPLETE_METRIC.name,
          period,
          statistic: 'Sum',
        }),
        'A rollback could not remove everything: the execution output lists the leftover resource ids.',
      ),
    ];
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

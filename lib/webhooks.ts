/**
 * The ticketing front doors: POST /webhooks/jira and POST /webhooks/servicenow on the provisioning
 * API. Jira and ServiceNow cannot sign SigV4, so these routes have no IAM authorization; each
 * delivery is authenticated in its handler (HMAC over the raw body, or the JSM shared-secret
 * header) against a signing secret generated into Secrets Manager, which only that webhook's
 * function may read. The routes are throttled per method (stage method settings, see api.ts) and
 * the handlers refuse bodies over WEBHOOK_MAX_BODY_BYTES with 413 (REST APIs have no size setting).
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import * as path from 'node:path';
import type { JiraMapping } from '../lambdas/core/jira-webhook';
import type { ServiceNowMapping } from '../lambdas/core/servicenow-webhook';
import { PRODUCT } from '../lambdas/core/naming';
import { executionArnPattern } from './api';
import { ProvisionerFunction } from './provisioner-function';
import type { RequestsTable } from './requests-table';

export type WebhookName = 'jira' | 'servicenow';

/** Largest body a webhook accepts; Jira issue payloads with long descriptions stay well below. */
export const WEBHOOK_MAX_BODY_BYTES = 256 * 1024;

export interface WebhookSettings {
  jira?: { mapping: JiraMapping; auth: 'hmac' | 'shared-secret'; secretHeader?: string };
  servicenow?: { mapping: ServiceNowMapping; toleranceSeconds?: number };
}

export interface TicketWebhooksProps {
  environmentName: string;
  api: apigw.RestApi;
  /** The API functions' shared environment (table, state machines, base path, environment). */
  apiEnvironment: Record<string, string>;
  requests: RequestsTable;
  provisioning: sfn.StateMachine;
  teardown: sfn.StateMachine;
  settings: WebhookSettings;
}

const API_DIR = path.join(__dirname, '../lambdas/api');

export class TicketWebhooks extends Construct {
  readonly functions: Partial<Record<WebhookName, ProvisionerFunction>> = {};
  readonly signingSecrets: Partial<Record<WebhookName, secretsmanager.Secret>> = {};

  constructor(scope: Construct, id: string, props: TicketWebhooksProps) {
    super(scope, id);
    const { jira, servicenow } = props.settings;
    const webhooks = props.api.root.addResource('webhooks');
    if (jira) {
      this.add(props, webhooks, 'jira', 'jira-webhook.ts', {
        JIRA_WEBHOOK_AUTH: jira.auth,
        ...(jira.secretHeader ? { JIRA_WEBHOOK_SECRET_HEADER: jira.secretHeader } : {}),
        JIRA_FIELD_MAPPING: JSON.stringify(jira.mapping),
      });
    }
    if (servicenow) {
      this.add(props, webhooks, 'servicenow', 'servicenow-webhook.ts', {
        SERVICENOW_FIELD_MAPPING: JSON.stringify(servicenow.mapping),
        ...(servicenow.toleranceSeconds
          ? { SERVICENOW_TIMESTAMP_TOLERANCE_SECONDS: String(servicenow.toleranceSeconds) }
          : {}),
      });
    }
  }

  private add(
    props: TicketWebhooksProps,
    parent: apigw.Resource,
    name: WebhookName,
    file: string,
    environment: Record<string, string>,
  ): void {
    const label = name === 'jira' ? 'Jira' : 'ServiceNow';
    // Outside `kong-portal-provisioner/`, the prefix workflow steps may write and delete under.
    const secret = new secretsmanager.Secret(this, `${label}SigningSecret`, {
      secretName: `${PRODUCT}-webhooks/${props.environmentName}/${name}-signing-secret`,
      description: `Signing secret of the ${label} webhook (paste it into ${label}; see docs/operations.md)`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: `Rotating the ${label} signing secret needs the same new value set in ${label} at the same time; it is rotated by hand with the runbook in docs/operations.md`,
    });

    const fn = new ProvisionerFunction(this, `${label}Webhook`, {
      name: `${label}Webhook`,
      kind: 'webhook',
      entry: path.join(API_DIR, file),
      environment: {
        ...props.apiEnvironment,
        ...environment,
        WEBHOOK_SECRET_ARN: secret.secretArn,
        WEBHOOK_MAX_BODY_BYTES: String(WEBHOOK_MAX_BODY_BYTES),
        TICKET_EVENT_BUS: 'default',
      },
      timeout: Duration.seconds(29),
    });
    // Only its own signing secret; no other secret at all.
    secret.grantRead(fn.role);
    props.requests.grantReadWrite(fn.role);
    // Tickets only provision; teardown stays a self-service (IAM) operation.
    props.provisioning.grantStartExecution(fn.role);
    for (const machine of [props.provisioning, props.teardown]) {
      // acceptRun checks whether the run holding a workspace lock has ended.
      fn.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['states:DescribeExecution'],
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
    // Refused tickets are answered by the run-ended handler: the webhook hands them over as an event.
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [
          Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' }),
        ],
      }),
    );

    const method = parent.addResource(name).addMethod('POST', new apigw.LambdaIntegration(fn.fn), {
      authorizationType: apigw.AuthorizationType.NONE,
    });
    for (const rule of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
      Validations.of(method).acknowledge({
        id: rule,
        reason: `${label} cannot sign requests with SigV4 or Cognito; every delivery is authenticated by its handler (HMAC-SHA256 over the raw body, or the shared-secret header) before anything is read or written, and the method is throttled`,
      });
    }
    this.functions[name] = fn;
    this.signingSecrets[name] = secret;
  }
}

/**
 * One workflow step as a Lambda function, with the defaults every step shares: Node.js 22 on
 * ARM64, bundled locally by esbuild (class names kept: Step Functions matches errors by name),
 * X-Ray tracing, and an explicit log group with a retention period.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import * as path from 'node:path';
import type { SecretAccess } from '../lambdas/steps/catalogue';

export interface StepFunctionProps {
  stepName: string;
  /** Source file of the handler; the shared step entry by default. */
  entry?: string;
  /** Extra environment (table names, state machine ARNs). */
  environment?: Record<string, string>;
  access: readonly SecretAccess[];
  oktaOrgUrl: string;
  kongAdminUrl: string;
  oktaTokenSecret: secretsmanager.ISecret;
  kongTokenSecret: secretsmanager.ISecret;
  /** Name prefix of the secrets the provisioner itself writes (client secrets, Kong snapshots). */
  managedSecretsPrefix: string;
  logRetention?: logs.RetentionDays;
}

export const STEP_ENTRY = path.join(__dirname, '../lambdas/steps/lambda.ts');

export class StepFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: StepFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const role = (this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `kong-portal-provisioner ${props.stepName}`,
    }));
    // Written out instead of AWSLambdaBasicExecutionRole: only this function's own log group.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    const environment: Record<string, string> = {
      STEP_NAME: props.stepName,
      POWERTOOLS_SERVICE_NAME: 'kong-portal-provisioner',
      NODE_OPTIONS: '--enable-source-maps',
      ...props.environment,
    };
    if (props.access.includes('okta-token')) {
      environment.OKTA_ORG_URL = props.oktaOrgUrl;
      environment.OKTA_TOKEN_SECRET_ARN = props.oktaTokenSecret.secretArn;
      props.oktaTokenSecret.grantRead(role);
    }
    if (props.access.includes('kong-token')) {
      environment.KONG_ADMIN_URL = props.kongAdminUrl;
      environment.KONG_TOKEN_SECRET_ARN = props.kongTokenSecret.secretArn;
      props.kongTokenSecret.grantRead(role);
    }
    if (props.access.includes('managed-secrets')) {
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: [
            'secretsmanager:CreateSecret',
            'secretsmanager:PutSecretValue',
            'secretsmanager:GetSecretValue',
            'secretsmanager:DescribeSecret',
            'secretsmanager:DeleteSecret',
            'secretsmanager:RestoreSecret',
            'secretsmanager:TagResource',
          ],
          resources: [managedSecretsArnPattern(Stack.of(this), props.managedSecretsPrefix)],
        }),
      );
    }

    this.fn = new NodejsFunction(this, 'Function', {
      entry: props.entry ?? STEP_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      // A rate-limited call may wait up to 60 s for the vendor's window to reset.
      timeout: Duration.seconds(90),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      role,
      environment,
      description: `kong-portal-provisioner: ${props.stepName}`,
      bundling: {
        minify: true,
        keepNames: true,
        sourceMap: true,
        target: 'node22',
        format: OutputFormat.CJS,
        // The runtime's SDK v3 would be a different version than the one tested: bundle ours.
        externalModules: [],
        forceDockerBundling: false,
      },
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray actions (PutTraceSegments, PutTelemetryRecords) added by active tracing: X-Ray has no resource-level permissions',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to Node.js 22, the runtime the suite is tested against; moving to a newer runtime is a deliberate, tested change',
    });
    if (props.access.includes('managed-secrets')) {
      Validations.of(this).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${props.managedSecretsPrefix}*]`,
        reason:
          'Client secrets and Kong snapshots are created at run time under kong-portal-provisioner/<env>/<workspace>/; the name prefix is the narrowest scope that covers them',
      });
    }
  }
}

/** `arn:aws:secretsmanager:<region>:<account>:secret:kong-portal-provisioner/*` for the given stack. */
export function managedSecretsArnPattern(stack: Stack, prefix: string): string {
  return stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${prefix}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

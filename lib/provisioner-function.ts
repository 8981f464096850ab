/**
 * A Lambda function of this service (a workflow step or an API route), with the defaults every
 * one shares: Node.js 22 on ARM64, bundled locally by esbuild with lib/bundling.ts (class names
 * kept: Step Functions matches errors by name), X-Ray tracing, an explicit log group with a
 * retention period, and a role that reaches only the secrets its `access` names. Each step has its
 * own entry (lambdas/steps/functions/), so its bundle holds that step and the clients it uses.
 *
 * Source maps, measured with bench/source-maps.ts and bench/cold-start.ts (Node 20, 2 cores):
 * --enable-source-maps adds a median ~20 ms of CPU to every init over the 31 functions (up to
 * ~100 ms; ~100 ms on the old 6 MB bundle with its 22 MB map), and ~50-120 ms more at the first
 * stack it formats, wherever that happens; an inline map costs the same and makes the file 2.5-3x
 * larger; process.setSourceMapsEnabled(true) after init maps nothing (Node keeps maps only for
 * modules loaded while it was on). So no NODE_OPTIONS: the map ships beside the bundle, positions
 * only (sourcesContent off: 3.4x smaller; the source is in the repository), and an error leaving a
 * step (or the run-ended) function has its frames mapped at the handler boundary
 * (lambdas/clients/stack-traces.ts), to `lambdas/...ts:line:col` - paid once per container on the
 * first such error (~15-120 ms, as the flag pays at its first stack), never at init. API handlers
 * answer every error themselves (logged by name, no stack), so for them the map only matters to an
 * operator reading a crash.
 *
 * Memory: Lambda gives CPU in proportion to memory (1 vCPU at 1,769 MB), and init is CPU-bound
 * (compiling and running the bundle's top level), so it is chosen from init CPU time measured by
 * bench/cold-start.ts on one full core: Okta steps ~150-280 ms, every other function ~35-140 ms;
 * resident memory after init is 47-100 MB and an invocation adds little (a few JSON pages). At
 * 512 MB (~0.29 vCPU) an Okta step's init would take ~0.7-1 s if it got only its share; at 1,024 MB
 * ~0.35-0.5 s. Okta steps get 1,024 MB, the rest keep 512 MB (~0.15-0.5 s); the extra cost is a
 * fraction of a cent per provisioning. Not measured on Lambda itself (no AWS here): how much CPU the
 * Init phase really gets is the assumption to check with a deployed function's Init Duration.
 * ARM64 stays: about 20% cheaper per GB-second, and the bundles are plain JavaScript (no native code).
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import * as path from 'node:path';
import { SECRET_KINDS, type SecretKind } from '../lambdas/core/naming';
import type { SecretAccess, SecretUse } from '../lambdas/steps/catalogue';
import { FUNCTION_BUNDLING } from './bundling';

/** Where the Okta org / Kong Admin API is and the secret holding its token. */
export interface VendorEndpoint {
  url: string;
  tokenSecret: secretsmanager.ISecret;
  /** Kong only: the header the Admin API reads the RBAC token from; Kong's default when absent. */
  rbacHeader?: string;
  /** Kong only: the portal session cookie domain when the GUI and API hosts differ; derived when absent. */
  portalSessionCookieDomain?: string;
}

/** What a function is for; Okta steps are told apart because they carry (and load) the Okta SDK. */
export type FunctionKind = 'okta-step' | 'step' | 'api' | 'events' | 'webhook';

export interface ProvisionerFunctionProps {
  /** The handler this function runs (a step's state name) or the API route's name. */
  name: string;
  kind: Exclude<FunctionKind, 'okta-step'>;
  /** Source file of the handler; for a step, its own entry in lambdas/steps/functions/ by default. */
  entry?: string;
  /** Extra environment (table names, state machine ARNs). */
  environment?: Record<string, string>;
  /** What it may read; default none. */
  access?: readonly SecretAccess[];
  /** Required when `access` names the Okta / Kong token. */
  okta?: VendorEndpoint;
  kong?: VendorEndpoint;
  /** Optional even when `access` names the Konnect token: a deployment need not serve Konnect portals. */
  konnect?: VendorEndpoint;
  /** Name prefix of the secrets the provisioner itself keeps; required when `access` names one. */
  managedSecretsPrefix?: string;
  logRetention?: logs.RetentionDays;
  /** Default 90 s: a rate-limited step may wait up to 60 s for the vendor's window to reset. */
  timeout?: Duration;
}

/** A step function's entry: `CreateOktaApp` -> lambdas/steps/functions/create-okta-app.ts. */
export function stepEntry(stepName: string): string {
  const file = stepName.replace(/(?<!^)(?=[A-Z])/g, '-').toLowerCase();
  return path.join(__dirname, '../lambdas/steps/functions', `${file}.ts`);
}

/** See the comment at the top: memory buys the CPU a cold start spends. */
export const MEMORY_MB: Record<FunctionKind, number> = {
  'okta-step': 1024,
  step: 512,
  api: 512,
  webhook: 512,
  events: 512,
};

export class ProvisionerFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  readonly name: string;
  readonly kind: FunctionKind;
  /** The source file bundled into this function. */
  readonly entry: string;
  readonly access: readonly SecretAccess[];

  constructor(scope: Construct, id: string, props: ProvisionerFunctionProps) {
    super(scope, id);
    const access = (this.access = props.access ?? []);
    this.name = props.name;
    this.kind = props.kind === 'step' && access.includes('okta-token') ? 'okta-step' : props.kind;
    this.entry = props.entry ?? stepEntry(props.name);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const role = (this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `kong-portal-provisioner ${props.name}`,
    }));
    // Written out instead of AWSLambdaBasicExecutionRole: only this function's own log group.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    const environment: Record<string, string> = {
      ...(props.entry ? {} : { STEP_NAME: props.name }),
      POWERTOOLS_SERVICE_NAME: 'kong-portal-provisioner',
      ...props.environment,
    };
    if (access.includes('okta-token')) {
      const okta = required(props.okta, 'okta');
      environment.OKTA_ORG_URL = okta.url;
      environment.OKTA_TOKEN_SECRET_ARN = okta.tokenSecret.secretArn;
      okta.tokenSecret.grantRead(role);
    }
    if (access.includes('kong-token')) {
      const kong = required(props.kong, 'kong');
      environment.KONG_ADMIN_URL = kong.url;
      environment.KONG_TOKEN_SECRET_ARN = kong.tokenSecret.secretArn;
      if (kong.rbacHeader) environment.KONG_RBAC_HEADER = kong.rbacHeader;
      if (kong.portalSessionCookieDomain)
        environment.KONG_PORTAL_SESSION_COOKIE_DOMAIN = kong.portalSessionCookieDomain;
      kong.tokenSecret.grantRead(role);
    }
    // Only the portal steps may read the Konnect token, and only where Konnect is configured.
    if (access.includes('konnect-token') && props.konnect) {
      environment.KONNECT_API_URL = props.konnect.url;
      environment.KONNECT_TOKEN_SECRET_ARN = props.konnect.tokenSecret.secretArn;
      props.konnect.tokenSecret.grantRead(role);
    }
    const secretUses = managedSecretUses(access);
    const managedSecretsPrefix = secretUses.length
      ? required(props.managedSecretsPrefix, 'managedSecretsPrefix')
      : undefined;
    const managedKinds = new Set<SecretKind>();
    for (const { use, kinds } of secretUses) {
      const resources = kinds.map((kind) =>
        managedSecretArnPattern(Stack.of(this), managedSecretsPrefix ?? '', kind),
      );
      kinds.forEach((kind) => managedKinds.add(kind));
      role.addToPolicy(new iam.PolicyStatement({ actions: [...SECRET_ACTIONS[use]], resources }));
    }

    this.fn = new NodejsFunction(this, 'Function', {
      entry: this.entry,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: MEMORY_MB[this.kind],
      // A rate-limited call may wait up to 60 s for the vendor's window to reset.
      timeout: props.timeout ?? Duration.seconds(90),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      role,
      environment,
      description: `kong-portal-provisioner: ${props.name}`,
      bundling: FUNCTION_BUNDLING,
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
    for (const kind of managedKinds) {
      Validations.of(this).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${managedSecretsPrefix}*/${kind}-*]`,
        reason:
          'One kind of per-workspace secret (kong-portal-provisioner/<env>/<workspace>/<kind>), created at run time for workspaces not known in advance: the narrowest pattern that covers them',
      });
    }
  }
}

function required<T>(value: T | undefined, prop: string): T {
  if (value === undefined)
    throw new Error(`ProvisionerFunction: '${prop}' is required for the access it is given`);
  return value;
}

/** What each use of a managed secret needs (put() restores a secret scheduled for deletion and tags it). */
const SECRET_ACTIONS: Record<SecretUse, readonly string[]> = {
  read: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
  write: [
    'secretsmanager:CreateSecret',
    'secretsmanager:PutSecretValue',
    'secretsmanager:DescribeSecret',
    'secretsmanager:RestoreSecret',
    'secretsmanager:TagResource',
  ],
  delete: ['secretsmanager:DescribeSecret', 'secretsmanager:DeleteSecret'],
};

/** The access entries about managed secrets, grouped by use. */
export function managedSecretUses(
  access: readonly SecretAccess[],
): Array<{ use: SecretUse; kinds: SecretKind[] }> {
  const byUse = new Map<SecretUse, SecretKind[]>();
  for (const entry of access) {
    const [use, kind] = entry.split(':');
    const secretUse = (['read', 'write', 'delete'] as const).find((u) => u === use);
    const secretKind = SECRET_KINDS.find((k) => k === kind);
    if (secretUse && secretKind) byUse.set(secretUse, [...(byUse.get(secretUse) ?? []), secretKind]);
  }
  return [...byUse].map(([use, kinds]) => ({ use, kinds }));
}

/**
 * The ARN pattern of one kind of managed secret in any workspace of this environment
 * (`kong-portal-provisioner/<env>/<any workspace>/<kind>-<suffix>`):
 * the final wildcard is the random suffix Secrets Manager appends to every secret's ARN.
 */
export function managedSecretArnPattern(stack: Stack, prefix: string, kind: SecretKind): string {
  return stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${prefix}*/${kind}-*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

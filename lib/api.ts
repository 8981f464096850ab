/**
 * The front door: an API Gateway REST API with IAM (SigV4) authorization on every self-service
 * route, request validation at the gateway (and again in the handlers), throttling, access logs,
 * tracing, and no CORS. One Lambda per route, each allowed exactly what its route needs.
 */
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import * as path from 'node:path';
import { z } from 'zod';
import { provisioningRequestSchema, teardownRequestSchema } from '../lambdas/core/request';
import type { RequestsTable } from './requests-table';
import { ProvisionerFunction } from './provisioner-function';
import type { PortalTargetKind } from '../lambdas/core/portal-target';

export interface ProvisioningApiProps {
  /** The one environment this deployment provisions (requests for another are refused). */
  environmentName: string;
  /** The portal targets served (requests for another are refused with a 400); default the Kong workspace only. */
  portalTargets?: readonly PortalTargetKind[];
  requests: RequestsTable;
  provisioning: sfn.StateMachine;
  teardown: sfn.StateMachine;
  throttle?: { rateLimit: number; burstLimit: number };
  /** Webhook routes (`POST /webhooks/<name>`) that get their own, tighter throttle. */
  webhooks?: readonly string[];
  webhookThrottle?: { rateLimit: number; burstLimit: number };
}

const API_DIR = path.join(__dirname, '../lambdas/api');

/**
 * The gateway's validation message, for a JSON string: `$util.escapeJavaScript` turns ' into \',
 * which JSON does not allow, so it is turned back, as AWS documents for that function.
 */
const DETAIL = String.raw`$util.escapeJavaScript($context.error.validationErrorString).replaceAll("\\'","'")`;
const STAGE = 'v1';

/** API Gateway models are JSON Schema draft 4: generated from the same zod schema the handler uses. */
function modelSchema(schema: z.ZodType, defaultedByHandler: readonly string[] = []): apigw.JsonSchema {
  const generated = z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-4',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  delete generated.$schema;
  // Fields the handler fills in from the authenticated caller are optional on the wire.
  if (Array.isArray(generated.required)) {
    generated.required = (generated.required as string[]).filter((f) => !defaultedByHandler.includes(f));
  }
  return { schema: apigw.JsonSchemaVersion.DRAFT4, ...(generated as apigw.JsonSchema) };
}

export class ProvisioningApi extends Construct {
  readonly api: apigw.RestApi;
  readonly accessLogs: logs.LogGroup;
  /** The environment every API function gets (table, state machines, base path, environment). */
  readonly functionEnvironment: Record<string, string>;

  constructor(scope: Construct, id: string, props: ProvisioningApiProps) {
    super(scope, id);
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_YEAR });
    const throttle = props.throttle ?? { rateLimit: 10, burstLimit: 20 };
    // Ticketing systems send a few deliveries a minute; a flood of (unsigned) calls stops here.
    const webhookThrottle = props.webhookThrottle ?? { rateLimit: 5, burstLimit: 10 };
    const methodOptions = Object.fromEntries(
      (props.webhooks ?? []).map((name) => [
        `/webhooks/${name}/POST`,
        { throttlingRateLimit: webhookThrottle.rateLimit, throttlingBurstLimit: webhookThrottle.burstLimit },
      ]),
    );

    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: 'kong-portal-provisioner',
      description: 'Kong Developer Portals with Okta SSO, on request',
      cloudWatchRole: true,
      deployOptions: {
        stageName: STAGE,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Request bodies are not secret, but keep execution data out of logs on principle.
        dataTraceEnabled: false,
        tracingEnabled: true,
        metricsEnabled: true,
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
        methodOptions,
      },
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      endpointTypes: [apigw.EndpointType.REGIONAL],
    });

    const env = {
      REQUESTS_TABLE: props.requests.table.tableName,
      PROVISIONING_STATE_MACHINE_ARN: props.provisioning.stateMachineArn,
      TEARDOWN_STATE_MACHINE_ARN: props.teardown.stateMachineArn,
      API_BASE_PATH: `/${STAGE}`,
      PROVISIONER_ENVIRONMENT: props.environmentName,
      PORTAL_TARGETS: (props.portalTargets ?? ['kong-ee-workspace']).join(','),
    };
    this.functionEnvironment = env;
    // API functions read no secret at all: they record requests and start executions.
    const fn = (name: string, file: string) =>
      new ProvisionerFunction(this, name, {
        name,
        kind: 'api',
        entry: path.join(API_DIR, file),
        environment: env,
      });

    const start = fn('StartProvisioning', 'start-provisioning.ts');
    const teardown = fn('StartTeardown', 'start-teardown.ts');
    const status = fn('GetProvisioning', 'get-provisioning.ts');
    const list = fn('ListProvisionings', 'list-provisionings.ts');

    for (const f of [start, teardown]) {
      props.requests.grantReadWrite(f.role);
      props.provisioning.grantStartExecution(f.role);
      props.teardown.grantStartExecution(f.role);
    }
    props.requests.grantRead(list.role);
    props.requests.grantRead(status.role);
    // The status view reads history; the start handlers check whether a lock holder's run ended.
    const readers: Array<[ProvisionerFunction, string[]]> = [
      [status, ['states:DescribeExecution', 'states:GetExecutionHistory']],
      [start, ['states:DescribeExecution']],
      [teardown, ['states:DescribeExecution']],
    ];
    for (const machine of [props.provisioning, props.teardown]) {
      const name = Stack.of(this).getLogicalId(machine.node.defaultChild as sfn.CfnStateMachine);
      for (const [reader, actions] of readers) {
        reader.role.addToPolicy(
          new iam.PolicyStatement({ actions, resources: [executionArnPattern(machine)] }),
        );
        Validations.of(reader).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${name}.Name>:*]`,
          reason:
            'Reading any execution of this one state machine: execution names are request ids, unknown in advance',
        });
      }
    }

    const validator = new apigw.RequestValidator(this, 'Validator', {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const model = (name: string, schema: z.ZodType, defaultedByHandler: readonly string[] = []) =>
      this.api.addModel(name, {
        contentType: 'application/json',
        modelName: name,
        schema: modelSchema(schema, defaultedByHandler),
      });
    const provisioningModel = model('ProvisioningRequest', provisioningRequestSchema, [
      'requestedBy',
      'environment',
    ]);
    const teardownModel = model(
      'TeardownRequest',
      teardownRequestSchema.pick({ requestedBy: true }).partial(),
    );

    const provisionings = this.api.root.addResource('provisionings');
    provisionings.addMethod('POST', new apigw.LambdaIntegration(start.fn), {
      requestValidator: validator,
      requestModels: { 'application/json': provisioningModel },
      requestParameters: { 'method.request.header.Idempotency-Key': false },
    });
    provisionings.addMethod('GET', new apigw.LambdaIntegration(list.fn), {
      requestValidator: validator,
      requestParameters: {
        'method.request.querystring.workspace': false,
        'method.request.querystring.environment': false,
        'method.request.querystring.limit': false,
        'method.request.querystring.next': false,
      },
    });
    provisionings.addResource('{id}').addMethod('GET', new apigw.LambdaIntegration(status.fn), {
      requestValidator: validator,
      requestParameters: { 'method.request.path.id': true },
    });
    this.api.root
      .addResource('workspaces')
      .addResource('{workspace}')
      .addResource('portal')
      .addMethod('DELETE', new apigw.LambdaIntegration(teardown.fn), {
        requestValidator: validator,
        requestModels: { 'application/json': teardownModel },
        requestParameters: {
          'method.request.path.workspace': true,
          // Optional: a deployment serves one environment, which is the default.
          'method.request.querystring.environment': false,
        },
      });

    // Requests the gateway itself refuses get the same error shape as the handlers' 400s.
    for (const type of [apigw.ResponseType.BAD_REQUEST_BODY, apigw.ResponseType.BAD_REQUEST_PARAMETERS]) {
      this.api.addGatewayResponse(`${type.responseType}Response`, {
        type,
        statusCode: '400',
        templates: {
          'application/json': `{"error":"ValidationError","message":"Invalid request: ${DETAIL}","issues":[{"field":"","reason":"${DETAIL}"}]}`,
        },
      });
    }

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'Every self-service route requires IAM (SigV4) authorization, the webhook routes a signature checked by their handler, and all are throttled; a WAF web ACL is an organisation-level choice, attachable without code changes',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'Self-service callers are AWS principals authorized with IAM (SigV4), not Cognito users',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level role API Gateway needs to write execution logs; AWS maintains its narrow policy',
    });
  }
}

export function executionArnPattern(machine: sfn.StateMachine): string {
  return Stack.of(machine).formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${machine.stateMachineName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

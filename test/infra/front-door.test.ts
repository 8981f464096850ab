/**
 * The front door as an operator checks it in the template: every self-service route requires
 * IAM (SigV4) auth and is validated at the gateway, the stage throttles and writes access logs,
 * CORS is off, the requests table is encrypted with point-in-time recovery and TTL, and each API
 * function may do only what its route needs.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { requestsTableDefinition } from '../../lambdas/clients/requests';
import { ProvisioningStack } from '../../lib/stack';

const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
const stack = new ProvisioningStack(app, 'FrontDoor', {
  config: {
    environmentName: 'test',
    oktaOrgUrl: 'https://example.okta.com',
    kongAdminUrl: 'https://kong.example.com:8444',
    oktaTokenSecretName: 'ops/okta',
    kongTokenSecretName: 'ops/kong',
  },
});
const template = Template.fromStack(stack);
type Resource = { Type: string; Properties: Record<string, unknown> };
const resources = template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('API Gateway', () => {
  const methods = ofType('AWS::ApiGateway::Method').filter(([, m]) => m.Properties.HttpMethod !== 'OPTIONS');

  it('serves exactly the four self-service routes, each with IAM authorization', () => {
    // Intent: no route is reachable without SigV4, and there is no undocumented route.
    expect(methods.map(([, m]) => m.Properties.HttpMethod).sort()).toEqual(['DELETE', 'GET', 'GET', 'POST']);
    for (const [, m] of methods) expect(m.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  it('has no CORS preflight methods', () => {
    // Intent: browsers from other origins get nothing by default.
    expect(
      ofType('AWS::ApiGateway::Method').filter(([, m]) => m.Properties.HttpMethod === 'OPTIONS'),
    ).toEqual([]);
  });

  it('validates bodies and parameters at the gateway, with the model generated from the handler schema', () => {
    // Intent: bad input is refused before any Lambda runs, by the same rules the handler applies.
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    for (const [, m] of methods) expect(m.Properties.RequestValidatorId).toBeDefined();
    const models = ofType('AWS::ApiGateway::Model').map(([, m]) => m.Properties);
    const provisioning = models.find((m) => m.Name === 'ProvisioningRequest')?.Schema as {
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { pattern?: string }>;
    };
    // `environment` defaults to the served one and `requestedBy` to the caller: neither is required on the wire.
    // `workspace` (Kong) or `portal` (Konnect): which one is required depends on `target`, checked by the handler.
    expect(provisioning.required.sort()).toEqual(['oktaGroups']);
    expect(provisioning.additionalProperties).toBe(false);
    expect(provisioning.properties.workspace?.pattern).toBe('^[A-Za-z0-9._~-]+$');
  });

  it('throttles the stage, traces it, and writes access logs to a retained log group', () => {
    // Intent: a runaway client cannot flood Okta/Kong through us, and every call is auditable.
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          ThrottlingRateLimit: Match.anyValue(),
          ThrottlingBurstLimit: Match.anyValue(),
          DataTraceEnabled: false,
        }),
      ]),
    });
  });
});

describe('requests table', () => {
  const [, table] = ofType('AWS::DynamoDB::Table')[0]!;

  it('is on-demand, encrypted, point-in-time recoverable, with TTL for stale locks', () => {
    // Intent: the audit trail survives mistakes and a crashed run's lock eventually disappears.
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
    expect(resources[ofType('AWS::DynamoDB::Table')[0]![0]]).toMatchObject({ DeletionPolicy: 'Retain' });
  });

  it('has exactly the keys and indexes local mode creates', () => {
    // Intent: the table the code is tested against is the table that is deployed.
    expect(table.Properties.KeySchema).toEqual(requestsTableDefinition.KeySchema);
    const indexes = (
      table.Properties.GlobalSecondaryIndexes as Array<{ IndexName: string; KeySchema: unknown }>
    ).map((i) => ({
      IndexName: i.IndexName,
      KeySchema: i.KeySchema,
    }));
    expect(indexes).toEqual(
      requestsTableDefinition.GlobalSecondaryIndexes.map((i) => ({
        IndexName: i.IndexName,
        KeySchema: i.KeySchema,
      })),
    );
  });
});

describe('API function permissions', () => {
  const policies = ofType('AWS::IAM::Policy');
  const actionsOf = (fnName: string): string[] => {
    const role = Object.entries(resources).find(
      ([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith(`Api${fnName}Role`),
    )?.[0];
    return policies
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(role ?? '-'))
      .flatMap(
        ([, p]) =>
          (p.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[] }> }).Statement,
      )
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
  };

  it('lets only the start handlers start executions, and the status handler read them', () => {
    // Intent: reading history cannot start runs; starting runs cannot read other data.
    expect(actionsOf('StartProvisioning')).toContain('states:StartExecution');
    expect(actionsOf('StartTeardown')).toContain('states:StartExecution');
    expect(actionsOf('GetProvisioning')).not.toContain('states:StartExecution');
    expect(actionsOf('GetProvisioning')).toEqual(
      expect.arrayContaining(['states:DescribeExecution', 'states:GetExecutionHistory']),
    );
    expect(actionsOf('ListProvisionings')).not.toContain('dynamodb:PutItem');
    expect(actionsOf('ListProvisionings')).not.toContain('states:StartExecution');
    for (const fn of ['StartProvisioning', 'StartTeardown', 'GetProvisioning', 'ListProvisionings']) {
      expect(actionsOf(fn).some((a) => a.startsWith('secretsmanager:'))).toBe(false);
    }
  });

  it('gives API functions no Okta or Kong settings: they never talk to either', () => {
    // Intent: a route handler cannot even learn where the vendors are, let alone their tokens.
    const apiFunctions = ofType('AWS::Lambda::Function').filter(([, f]) =>
      /kong-portal-provisioner: (Start|Get|List)/.test(String(f.Properties.Description)),
    );
    expect(apiFunctions).toHaveLength(4);
    for (const [, f] of apiFunctions) {
      const variables = Object.keys(
        (f.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
      );
      expect(variables.filter((v) => /^(OKTA|KONG)_|STEP_NAME/.test(v))).toEqual([]);
    }
  });
});

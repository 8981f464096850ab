/**
 * ProvisioningStack: one function per step, the provisioning and teardown state machines, the API
 * (self-service routes and, when configured, the Jira / ServiceNow webhooks), the run-ended handler
 * and the alarms. API tokens and vendor credentials are referenced by secret name; their values
 * never enter the template.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ZodType } from 'zod';
import { FINALIZE_HANDLERS, allHandlers } from '../lambdas/steps/catalogue';
import { jiraMappingSchema, type JiraMappingInput } from '../lambdas/core/jira-webhook';
import { PRODUCT, secretNamePrefix } from '../lambdas/core/naming';
import { serviceNowMappingSchema, type ServiceNowMappingInput } from '../lambdas/core/servicenow-webhook';
import { WorkflowAlarms } from './alarms';
import { ProvisioningApi } from './api';
import { RequestsTable } from './requests-table';
import { RunEndedHandler } from './run-ended';
import { TicketWebhooks, type WebhookName } from './webhooks';
import { TeardownWorkflow } from './teardown-workflow';
import { ProvisionerFunction } from './provisioner-function';
import { ProvisioningWorkflow } from './workflow';

export interface ProvisioningConfig {
  /** Deployment name, e.g. `dev` or `prod`: names the stack's resources. */
  environmentName: string;
  oktaOrgUrl: string;
  kongAdminUrl: string;
  /** Names of existing Secrets Manager secrets holding the Okta SSWS token and the Kong RBAC token. */
  oktaTokenSecretName: string;
  kongTokenSecretName: string;
  /**
   * A Konnect Dev Portal target, optional: the Portal Management API of the organization's region
   * (`https://{us|eu|au|me|in|sg}.api.konghq.com`) and the secret holding a personal (`kpat_`) or
   * system-account (`spat_`) token. Without it, a request for a Konnect portal is refused (400,
   * field `target`) by the API and the webhooks.
   */
  konnect?: { apiUrl: string; tokenSecretName: string };
  /** kong.conf `rbac_auth_header`, when the Kong node renamed it (default `Kong-Admin-Token`). */
  kongRbacHeader?: string;
  /** Portal session cookie domain when the portal GUI and API hosts differ (default: their common parent). */
  kongPortalSessionCookieDomain?: string;
  /** Ticketing front doors; each system is optional. */
  tickets?: {
    jira?: JiraDeployment;
    servicenow?: ServiceNowDeployment;
  };
}

export interface JiraDeployment {
  /** The Jira Cloud site, e.g. https://acme.atlassian.net. */
  siteUrl: string;
  /** Secret holding `{"email": ..., "apiToken": ...}` of the account that comments. */
  credentialsSecretName: string;
  mapping: JiraMappingInput;
  /** `hmac` for admin webhooks with a secret (default), `shared-secret` for JSM automation rules. */
  auth?: 'hmac' | 'shared-secret';
  /** The header carrying the shared secret (shared-secret mode). */
  secretHeader?: string;
  /** A transition to make after a successful run (optional). */
  successTransitionId?: string;
}

export interface ServiceNowDeployment {
  /** e.g. https://acme.service-now.com */
  instanceUrl: string;
  /** Secret holding `{"username", "password"}` or, for OAuth, `{"clientId", "clientSecret", "username", "password"}`. */
  credentialsSecretName: string;
  mapping: ServiceNowMappingInput;
  successState?: string;
  failureState?: string;
  toleranceSeconds?: number;
}

/** A mapping that does not parse fails the synth, naming each field: better than a webhook that 500s. */
function checked<T>(what: string, schema: ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ');
  throw new Error(`Invalid ${what}: ${problems}`);
}

export interface ProvisioningStackProps extends StackProps {
  config: ProvisioningConfig;
}

export class ProvisioningStack extends Stack {
  readonly workflow: ProvisioningWorkflow;
  readonly teardown: TeardownWorkflow;
  readonly requests: RequestsTable;
  readonly api: ProvisioningApi;
  readonly functions: Record<string, ProvisionerFunction>;
  readonly runEnded: RunEndedHandler;
  readonly webhooks?: TicketWebhooks;

  constructor(scope: Construct, id: string, props: ProvisioningStackProps) {
    super(scope, id, props);
    const { config } = props;
    const { jira, servicenow } = config.tickets ?? {};
    for (const name of [
      config.oktaTokenSecretName,
      config.kongTokenSecretName,
      ...(config.konnect ? [config.konnect.tokenSecretName] : []),
      ...(jira ? [jira.credentialsSecretName] : []),
      ...(servicenow ? [servicenow.credentialsSecretName] : []),
    ]) {
      // The steps may write and delete under the product prefix: API tokens must live elsewhere.
      if (name.startsWith(`${PRODUCT}/`)) {
        throw new Error(
          `Token secret '${name}' must not be under '${PRODUCT}/', where the workflow manages its own secrets`,
        );
      }
    }
    const oktaTokenSecret = secretsmanager.Secret.fromSecretNameV2(
      this,
      'OktaToken',
      config.oktaTokenSecretName,
    );
    const kongTokenSecret = secretsmanager.Secret.fromSecretNameV2(
      this,
      'KongToken',
      config.kongTokenSecretName,
    );
    const konnectTokenSecret = config.konnect
      ? secretsmanager.Secret.fromSecretNameV2(this, 'KonnectToken', config.konnect.tokenSecretName)
      : undefined;

    this.functions = Object.fromEntries(
      allHandlers().map(({ name, access }) => [
        name,
        new ProvisionerFunction(this, name, {
          name,
          kind: 'step',
          access,
          okta: { url: config.oktaOrgUrl, tokenSecret: oktaTokenSecret },
          kong: {
            url: config.kongAdminUrl,
            tokenSecret: kongTokenSecret,
            rbacHeader: config.kongRbacHeader,
            portalSessionCookieDomain: config.kongPortalSessionCookieDomain,
          },
          ...(config.konnect && konnectTokenSecret
            ? { konnect: { url: config.konnect.apiUrl, tokenSecret: konnectTokenSecret } }
            : {}),
          managedSecretsPrefix: secretNamePrefix(config.environmentName),
          environment: { PROVISIONER_ENVIRONMENT: config.environmentName },
        }),
      ]),
    );
    // The Finalize handlers record each outcome and release the workspace lock.
    this.requests = new RequestsTable(this, 'Requests');
    const finalizers = Object.values(FINALIZE_HANDLERS).map(
      (h) => this.functions[h.name] as ProvisionerFunction,
    );
    for (const finalize of finalizers) {
      this.requests.grantReadWrite(finalize.role);
      finalize.fn.addEnvironment('REQUESTS_TABLE', this.requests.table.tableName);
    }

    const functions = Object.fromEntries(Object.entries(this.functions).map(([name, f]) => [name, f.fn]));
    this.workflow = new ProvisioningWorkflow(this, 'Provisioning', { functions });
    this.teardown = new TeardownWorkflow(this, 'Teardown', { functions });
    const webhookNames: WebhookName[] = [
      ...(jira ? ['jira' as const] : []),
      ...(servicenow ? ['servicenow' as const] : []),
    ];
    this.api = new ProvisioningApi(this, 'Api', {
      environmentName: config.environmentName,
      portalTargets: config.konnect ? ['kong-ee-workspace', 'konnect'] : ['kong-ee-workspace'],
      requests: this.requests,
      provisioning: this.workflow.stateMachine,
      teardown: this.teardown.stateMachine,
      webhooks: webhookNames,
    });
    if (webhookNames.length) {
      this.webhooks = new TicketWebhooks(this, 'Webhooks', {
        environmentName: config.environmentName,
        api: this.api.api,
        apiEnvironment: this.api.functionEnvironment,
        requests: this.requests,
        provisioning: this.workflow.stateMachine,
        teardown: this.teardown.stateMachine,
        settings: {
          ...(jira
            ? {
                jira: {
                  mapping: checked('Jira mapping', jiraMappingSchema, jira.mapping),
                  auth: jira.auth ?? 'hmac',
                  ...(jira.secretHeader ? { secretHeader: jira.secretHeader } : {}),
                },
              }
            : {}),
          ...(servicenow
            ? {
                servicenow: {
                  mapping: checked('ServiceNow mapping', serviceNowMappingSchema, servicenow.mapping),
                  ...(servicenow.toleranceSeconds ? { toleranceSeconds: servicenow.toleranceSeconds } : {}),
                },
              }
            : {}),
        },
      });
    }
    this.runEnded = new RunEndedHandler(this, 'RunEnded', {
      requests: this.requests,
      provisioning: this.workflow.stateMachine,
      teardown: this.teardown.stateMachine,
      statusBaseUrl: this.api.api.url,
      tickets: {
        ...(jira
          ? {
              jira: {
                siteUrl: jira.siteUrl,
                credentialsSecretName: jira.credentialsSecretName,
                ...(jira.successTransitionId ? { successTransitionId: jira.successTransitionId } : {}),
              },
            }
          : {}),
        ...(servicenow
          ? {
              servicenow: {
                instanceUrl: servicenow.instanceUrl,
                credentialsSecretName: servicenow.credentialsSecretName,
                ...(servicenow.successState ? { successState: servicenow.successState } : {}),
                ...(servicenow.failureState ? { failureState: servicenow.failureState } : {}),
              },
            }
          : {}),
      },
    });
    // What an operator looks up (docs/operations.md): where to point Jira / ServiceNow, which
    // secret to paste into them, and where failed run-ended events and their logs are.
    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url });
    for (const [name, secret] of Object.entries(this.webhooks?.signingSecrets ?? {})) {
      const label = name === 'jira' ? 'Jira' : 'ServiceNow';
      new CfnOutput(this, `${label}WebhookUrl`, { value: `${this.api.api.url}webhooks/${name}` });
      new CfnOutput(this, `${label}SigningSecretName`, { value: secret.secretName });
    }
    new CfnOutput(this, 'RunEndedDeadLetterQueueUrl', { value: this.runEnded.deadLetters.queueUrl });
    new CfnOutput(this, 'RunEndedLogGroup', { value: this.runEnded.function.logGroup.logGroupName });
    new WorkflowAlarms(this, 'Alarms', {
      stateMachine: this.workflow.stateMachine,
      teardownStateMachine: this.teardown.stateMachine,
      runEndedDeadLetters: this.runEnded.deadLetters,
      ticketsConfigured: webhookNames.length > 0,
    });
  }
}

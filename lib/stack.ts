/**
 * ProvisioningStack: one function per step, the provisioning state machine, and its alarms.
 * Okta / Kong API tokens are referenced by secret name; their values never enter the template.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { FINALIZE_HANDLERS, allHandlers } from '../lambdas/steps/catalogue';
import { PRODUCT, secretNamePrefix } from '../lambdas/core/naming';
import { WorkflowAlarms } from './alarms';
import { ProvisioningApi } from './api';
import { RequestsTable } from './requests-table';
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
  /** kong.conf `rbac_auth_header`, when the Kong node renamed it (default `Kong-Admin-Token`). */
  kongRbacHeader?: string;
  /** Portal session cookie domain when the portal GUI and API hosts differ (default: their common parent). */
  kongPortalSessionCookieDomain?: string;
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

  constructor(scope: Construct, id: string, props: ProvisioningStackProps) {
    super(scope, id, props);
    const { config } = props;
    for (const name of [config.oktaTokenSecretName, config.kongTokenSecretName]) {
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

    this.functions = Object.fromEntries(
      allHandlers().map(({ name, access }) => [
        name,
        new ProvisionerFunction(this, name, {
          name,
          access,
          okta: { url: config.oktaOrgUrl, tokenSecret: oktaTokenSecret },
          kong: {
            url: config.kongAdminUrl,
            tokenSecret: kongTokenSecret,
            rbacHeader: config.kongRbacHeader,
            portalSessionCookieDomain: config.kongPortalSessionCookieDomain,
          },
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
    const finalize = this.functions[FINALIZE_HANDLERS.provisioning.name] as ProvisionerFunction;

    const functions = Object.fromEntries(Object.entries(this.functions).map(([name, f]) => [name, f.fn]));
    this.workflow = new ProvisioningWorkflow(this, 'Provisioning', { functions });
    this.teardown = new TeardownWorkflow(this, 'Teardown', { functions });
    new WorkflowAlarms(this, 'Alarms', {
      stateMachine: this.workflow.stateMachine,
      teardownStateMachine: this.teardown.stateMachine,
      finalizeLogGroup: finalize.logGroup,
    });
    this.api = new ProvisioningApi(this, 'Api', {
      environmentName: config.environmentName,
      requests: this.requests,
      provisioning: this.workflow.stateMachine,
      teardown: this.teardown.stateMachine,
    });
  }
}

/**
 * The ticketing side of local mode: Jira and ServiceNow (built-in sandboxes unless real ones are
 * configured), the webhooks' signing secrets and the notifier's credentials in Secrets Manager, and
 * the field mappings local mode serves. The secrets below are documented development defaults for
 * loopback only: a deployment generates its signing secrets and reads vendor credentials the
 * operator stored (docs/operations.md).
 */
import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { JiraSigning } from '../lambdas/core/webhook-config';
import { jiraMappingSchema, type JiraMapping } from '../lambdas/core/jira-webhook';
import { serviceNowMappingSchema, type ServiceNowMapping } from '../lambdas/core/servicenow-webhook';
import type { JiraCredentials, ServiceNowCredentials } from '../lambdas/core/ticket-credentials';
import { LOCAL_WEBHOOK_SECRETS } from './dev-defaults';
import { startJiraSandbox, type JiraSandbox } from './sandboxes/jira';
import { SANDBOX_CATALOG_ITEM, startServiceNowSandbox, type ServiceNowSandbox } from './sandboxes/servicenow';

export { LOCAL_WEBHOOK_SECRETS };

/** What local mode reads from a Jira ticket (the sandbox's KPP project uses these fields). */
export const LOCAL_JIRA_MAPPING: JiraMapping = jiraMappingSchema.parse({
  projects: ['KPP'],
  issueTypes: ['Service Request'],
  approvedStatus: 'Approved',
  onCreate: true,
  fields: {
    workspace: 'customfield_10050',
    environment: 'customfield_10051',
    oktaGroups: 'customfield_10052',
    options: 'customfield_10053',
  },
});

/** The sandbox's "Done" transition (Approved -> Done), made after a successful run. */
export const LOCAL_JIRA_SUCCESS_TRANSITION = '31';

export const LOCAL_SERVICENOW_MAPPING: ServiceNowMapping = serviceNowMappingSchema.parse({
  catalogItems: [SANDBOX_CATALOG_ITEM.sys_id, SANDBOX_CATALOG_ITEM.name],
  states: ['2'],
  variables: {
    workspace: 'kong_workspace',
    environment: 'kong_environment',
    oktaGroups: 'okta_groups',
    options: 'portal_options',
  },
});

/** sc_req_item state 3 is "Closed Complete" on a default instance (TaskStateUtil.SYSTEM_DEFAULT_CLOSE). */
export const LOCAL_SERVICENOW_SUCCESS_STATE = '3';

export interface TicketSystemsOptions {
  /** A real Jira Cloud site instead of the sandbox. */
  jira?: { baseUrl: string; credentials: JiraCredentials };
  /** A real ServiceNow instance instead of the sandbox. */
  servicenow?: { instanceUrl: string; credentials: ServiceNowCredentials };
  webhookSecrets?: { jira?: string; servicenow?: string };
  jiraSigning?: JiraSigning;
}

export interface TicketSystems {
  jiraSandbox?: JiraSandbox;
  servicenowSandbox?: ServiceNowSandbox;
  jiraUrl: string;
  servicenowUrl: string;
  webhookSecrets: { jira: string; servicenow: string };
  jiraSigning: JiraSigning;
  /** Secrets Manager ARNs (functions get these, never the values). */
  arns: {
    jiraWebhook: string;
    servicenowWebhook: string;
    jiraCredentials: string;
    servicenowCredentials: string;
  };
  close(): Promise<void>;
}

export async function startTicketSystems(
  sm: SecretsManagerClient,
  options: TicketSystemsOptions,
): Promise<TicketSystems> {
  const jiraSandbox = options.jira ? undefined : await startJiraSandbox();
  const servicenowSandbox = options.servicenow
    ? undefined
    : await startServiceNowSandbox().catch(async (err: unknown) => {
        await jiraSandbox?.close();
        throw err;
      });
  const close = async () => {
    await Promise.all([jiraSandbox?.close(), servicenowSandbox?.close()]);
  };
  try {
    const jira = options.jira ?? {
      baseUrl: jiraSandbox!.url,
      credentials: { email: jiraSandbox!.user.emailAddress, apiToken: jiraSandbox!.user.apiToken },
    };
    // The sandbox is reached with OAuth, so local mode exercises the token flow too.
    const servicenow = options.servicenow ?? {
      instanceUrl: servicenowSandbox!.url,
      credentials: { ...servicenowSandbox!.oauthClient, ...servicenowSandbox!.user },
    };
    const webhookSecrets = {
      jira: options.webhookSecrets?.jira ?? LOCAL_WEBHOOK_SECRETS.jira,
      servicenow: options.webhookSecrets?.servicenow ?? LOCAL_WEBHOOK_SECRETS.servicenow,
    };
    const secret = async (name: string, value: string) =>
      (await sm.send(new CreateSecretCommand({ Name: `local/${name}`, SecretString: value }))).ARN as string;
    return {
      ...(jiraSandbox ? { jiraSandbox } : {}),
      ...(servicenowSandbox ? { servicenowSandbox } : {}),
      jiraUrl: jira.baseUrl,
      servicenowUrl: servicenow.instanceUrl,
      webhookSecrets,
      jiraSigning: options.jiraSigning ?? { mode: 'hmac' },
      arns: {
        jiraWebhook: await secret('jira-webhook-secret', webhookSecrets.jira),
        servicenowWebhook: await secret('servicenow-webhook-secret', webhookSecrets.servicenow),
        jiraCredentials: await secret('jira-credentials', JSON.stringify(jira.credentials)),
        servicenowCredentials: await secret('servicenow-credentials', JSON.stringify(servicenow.credentials)),
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

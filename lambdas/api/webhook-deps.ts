/** What the webhook handlers need: the API's run lifecycle plus the delivery log, signing secret and events. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CachedSecret } from '../clients/cached-secret';
import { DeliveryLog } from '../clients/requests';
import { SecretStore } from '../clients/secrets';
import { EventBridgeTicketEvents } from '../clients/ticket-events';
import {
  jiraWebhookConfigFromEnv,
  serviceNowWebhookConfigFromEnv,
  type JiraWebhookConfig,
  type ServiceNowWebhookConfig,
  type WebhookConfig,
} from '../core/webhook-config';
import type { JiraWebhookDeps, ServiceNowWebhookDeps, WebhookDeps } from '../tickets/webhooks';
import { buildApiDeps } from './deps';

export interface WebhookHttpDeps {
  /** Refused with 413 before anything else happens. */
  maxBodyBytes: number;
}

function webhookDeps(config: WebhookConfig, now: () => Date): WebhookDeps & WebhookHttpDeps {
  const aws = config.aws ?? {};
  const client = { region: aws.region, credentials: aws.credentials };
  const secrets = new SecretStore(
    new SecretsManagerClient({ ...client, endpoint: aws.endpoints?.secretsManager }),
  );
  return {
    ...buildApiDeps(config, now),
    deliveries: new DeliveryLog({
      tableName: config.requestsTable,
      client: new DynamoDBClient({ ...client, endpoint: aws.endpoints?.dynamodb }),
      ttlSeconds: config.deliveryTtlSeconds,
      now,
    }),
    events: new EventBridgeTicketEvents(
      config.eventBusName,
      new EventBridgeClient({ ...client, endpoint: aws.endpoints?.eventBridge }),
    ),
    signingSecret: new CachedSecret(secrets, config.signingSecretArn, config.secretCacheSeconds * 1000),
    maxBodyBytes: config.maxBodyBytes,
  };
}

export type JiraHandlerDeps = JiraWebhookDeps & WebhookHttpDeps;
export type ServiceNowHandlerDeps = ServiceNowWebhookDeps & WebhookHttpDeps;

export function buildJiraWebhookDeps(
  config: JiraWebhookConfig,
  now: () => Date = () => new Date(),
): JiraHandlerDeps {
  return { ...webhookDeps(config, now), signing: config.signing, mapping: config.mapping };
}

export function buildServiceNowWebhookDeps(
  config: ServiceNowWebhookConfig,
  now: () => Date = () => new Date(),
): ServiceNowHandlerDeps {
  return {
    ...webhookDeps(config, now),
    signatureHeader: config.signatureHeader,
    timestampHeader: config.timestampHeader,
    toleranceSeconds: config.toleranceSeconds,
    mapping: config.mapping,
  };
}

let jira: JiraHandlerDeps | undefined;
let servicenow: ServiceNowHandlerDeps | undefined;

export const jiraDepsFromEnv = (): JiraHandlerDeps =>
  (jira ??= buildJiraWebhookDeps(jiraWebhookConfigFromEnv()));
export const serviceNowDepsFromEnv = (): ServiceNowHandlerDeps =>
  (servicenow ??= buildServiceNowWebhookDeps(serviceNowWebhookConfigFromEnv()));

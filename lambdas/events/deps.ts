/**
 * What the run-ended handler needs, built once per container from its configuration. Vendor
 * credentials are read from Secrets Manager on first use and re-read every few minutes, so a rotated
 * Jira token or ServiceNow password takes effect without a deployment; only this function reads them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CachedSecret } from '../clients/cached-secret';
import { StepFunctionsExecutions } from '../clients/executions';
import { AnswerClaims, DeliveryLog, RequestStore, RunEnds } from '../clients/requests';
import { SecretStore } from '../clients/secrets';
import { JiraClient } from '../clients/tickets/jira';
import { ServiceNowClient } from '../clients/tickets/servicenow';
import { runEndedConfigFromEnv, type RunEndedConfig } from '../core/config';
import { parseJiraCredentials, parseServiceNowCredentials } from '../core/ticket-credentials';
import { powertoolsMetrics, type EmfSink } from './metrics';
import type { RunEndedDeps } from './run-ended';

const CREDENTIALS_CACHE_MS = 5 * 60_000;

/** A client rebuilt whenever the secret behind it changes. */
function clientFrom<T>(secret: CachedSecret, build: (value: string) => T): () => Promise<T> {
  let current: { value: string; client: T } | undefined;
  return async () => {
    const value = await secret.value();
    if (current?.value !== value) current = { value, client: build(value) };
    return current.client;
  };
}

export interface RunEndedOptions {
  /** Where EMF documents go instead of stdout (local mode). */
  emf?: EmfSink;
  sleep?(ms: number): Promise<void>;
  /** In-place attempts and first backoff when posting an answer. */
  attempts?: number;
  backoffMs?: number;
  now?(): Date;
}

export function buildRunEndedDeps(config: RunEndedConfig, options: RunEndedOptions = {}): RunEndedDeps {
  const aws = config.aws ?? {};
  const client = { region: aws.region, credentials: aws.credentials };
  const dynamo = new DynamoDBClient({ ...client, endpoint: aws.endpoints?.dynamodb });
  const secrets = new SecretStore(
    new SecretsManagerClient({ ...client, endpoint: aws.endpoints?.secretsManager }),
  );
  const now = options.now ?? (() => new Date());
  const cached = (arn: string) => new CachedSecret(secrets, arn, CREDENTIALS_CACHE_MS);
  const { jira, servicenow } = config;
  return {
    store: new RequestStore({ tableName: config.requestsTable, client: dynamo, now }),
    runEnds: new RunEnds({ tableName: config.requestsTable, client: dynamo, now }),
    // Read only (a rejection is answered from its delivery record): the webhooks write and expire it.
    deliveries: new DeliveryLog({ tableName: config.requestsTable, client: dynamo, ttlSeconds: 86_400, now }),
    executions: new StepFunctionsExecutions(
      config.stateMachines,
      new SFNClient({ ...client, endpoint: aws.endpoints?.sfn }),
    ),
    stateMachines: config.stateMachines,
    ...(config.statusBaseUrl ? { statusBaseUrl: config.statusBaseUrl } : {}),
    notifier: {
      claims: new AnswerClaims({ tableName: config.requestsTable, client: dynamo, now }),
      ...(jira
        ? {
            jira: clientFrom(
              cached(jira.credentialsSecretArn),
              (value) => new JiraClient({ baseUrl: jira.url, credentials: parseJiraCredentials(value) }),
            ),
            ...(jira.successTransitionId ? { jiraSuccessTransitionId: jira.successTransitionId } : {}),
          }
        : {}),
      ...(servicenow
        ? {
            servicenow: clientFrom(
              cached(servicenow.credentialsSecretArn),
              (value) =>
                new ServiceNowClient({
                  instanceUrl: servicenow.url,
                  credentials: parseServiceNowCredentials(value),
                }),
            ),
            servicenowStates: {
              ...(servicenow.successState ? { success: servicenow.successState } : {}),
              ...(servicenow.failureState ? { failure: servicenow.failureState } : {}),
            },
          }
        : {}),
      // Longer than the function may run (90 s): a live invocation never loses its claim.
      leaseMs: 120_000,
      attempts: options.attempts ?? 3,
      backoffMs: options.backoffMs ?? 1_000,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    },
    metrics: () => powertoolsMetrics(config.metricsNamespace, options.emf),
  };
}

let cachedDeps: RunEndedDeps | undefined;

/** One set per Lambda container. */
export function runEndedDepsFromEnv(): RunEndedDeps {
  cachedDeps ??= buildRunEndedDeps(runEndedConfigFromEnv());
  return cachedDeps;
}

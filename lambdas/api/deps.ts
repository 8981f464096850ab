/** What the API handlers need, built once per container from the parsed configuration. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsExecutions } from '../clients/executions';
import { RequestStore } from '../clients/requests';
import { apiConfigFromEnv, type ApiConfig } from '../core/config';
import type { RunDeps } from '../runs/deps';

export interface ApiDeps extends RunDeps {
  /** A request without `environment` is for this one. */
  defaultEnvironment: string;
}

export function buildApiDeps(config: ApiConfig, now: () => Date = () => new Date()): ApiDeps {
  const aws = config.aws ?? {};
  const client = { region: aws.region, credentials: aws.credentials };
  return {
    store: new RequestStore({
      tableName: config.requestsTable,
      client: new DynamoDBClient({ ...client, endpoint: aws.endpoints?.dynamodb }),
    }),
    executions: new StepFunctionsExecutions(
      config.stateMachines,
      new SFNClient({ ...client, endpoint: aws.endpoints?.sfn }),
    ),
    ...(config.servedEnvironment ? { servedEnvironment: config.servedEnvironment } : {}),
    defaultEnvironment: config.defaultEnvironment,
    basePath: config.basePath,
    lockTtlSeconds: config.lockTtlSeconds,
    ...(config.servedTargets ? { servedTargets: config.servedTargets } : {}),
    now,
  };
}

let cached: ApiDeps | undefined;

/** One set per Lambda container, reused by warm invocations. */
export function depsFromEnv(): ApiDeps {
  cached ??= buildApiDeps(apiConfigFromEnv());
  return cached;
}

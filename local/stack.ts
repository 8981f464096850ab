/**
 * The whole service on one machine, no AWS account: dynalite for the requests table (on disk, so
 * history survives restarts), loopback Secrets Manager and Step Functions emulators speaking the
 * AWS wire protocols (the real SDK clients reach them through AWS_ENDPOINT_URL_*), the same ASL
 * CDK synthesizes run by aws-local-stepfunctions with the Lambda handlers, the API server, and
 * the Okta / Kong sandboxes unless real ones are configured.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { buildApiDeps } from '../lambdas/api/deps';
import {
  DEFAULT_LOCK_TTL_SECONDS,
  LOCAL_DEFAULT_ENVIRONMENT,
  type ApiConfig,
  type AwsClientOptions,
  type StepConfig,
} from '../lambdas/core/config';
import { buildStepContext } from '../lambdas/steps/context';
import { startApiServer } from './api-server';
import { ensureRequestsTable, startDynamoDb } from './dynamodb';
import { startSecretsManagerEmulator } from './emulators/secrets-manager';
import {
  startStepFunctionsEmulator,
  stateMachineArn,
  type HostedStateMachine,
} from './emulators/step-functions';
import { startKongSandbox, type KongSandbox } from './sandboxes/kong';
import { startOktaSandbox, type OktaSandbox } from './sandboxes/okta';
import { provisioningAsl, teardownAsl } from './workflow/asl';
import { runLocally } from './workflow/runner';

export interface LocalStackOptions {
  /** API port; 0 picks a free one. */
  port?: number;
  /** Where dynalite and the execution history live. */
  dataDir: string;
  /** A real Okta org instead of the sandbox. */
  okta?: { orgUrl: string; token: string };
  /** A real Kong Admin API instead of the sandbox (and its kong.conf `rbac_auth_header`, if renamed). */
  kong?: { adminUrl: string; token: string; rbacHeader?: string; portalSessionCookieDomain?: string };
  /** Workspace lock lifetime (tests shorten it to see a stale lock expire). */
  lockTtlSeconds?: number;
  /** Replace Step Functions retry waits (ms); the real backoff when omitted. */
  retryDelayMs?: number;
}

export interface LocalStack {
  apiUrl: string;
  /** Where the emulated AWS services answer: the real SDK clients reach them with these. */
  aws: AwsClientOptions;
  requestsTable: string;
  stateMachines: { provision: string; teardown: string };
  oktaUrl: string;
  kongUrl: string;
  /** Present when the built-in sandboxes are used. */
  oktaSandbox?: OktaSandbox;
  kongSandbox?: KongSandbox;
  close(): Promise<void>;
}

const REGION = 'us-east-1';
const TABLE = 'kong-portal-provisioner-requests';

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  mkdirSync(options.dataDir, { recursive: true });
  const closers: Array<() => Promise<void>> = [];
  try {
    const dynamo = await startDynamoDb({ dataDir: path.join(options.dataDir, 'dynamodb') });
    closers.push(() => dynamo.close());
    const secretsEmulator = await startSecretsManagerEmulator({ region: REGION });
    closers.push(() => secretsEmulator.close());
    const oktaSandbox = options.okta ? undefined : await startOktaSandbox();
    if (oktaSandbox) closers.push(() => oktaSandbox.close());
    const kongSandbox = options.kong ? undefined : await startKongSandbox();
    if (kongSandbox) closers.push(() => kongSandbox.close());
    const okta = options.okta ?? { orgUrl: oktaSandbox!.url, token: oktaSandbox!.token };
    const kong = options.kong ?? { adminUrl: kongSandbox!.url, token: kongSandbox!.token };

    const aws: AwsClientOptions = {
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      endpoints: { dynamodb: dynamo.endpoint, secretsManager: secretsEmulator.url },
    };
    const client = { region: REGION, credentials: aws.credentials };
    await ensureRequestsTable(new DynamoDBClient({ ...client, endpoint: dynamo.endpoint }), TABLE);

    // API tokens live in Secrets Manager, as deployed: functions get ARNs, never values.
    const sm = new SecretsManagerClient({ ...client, endpoint: secretsEmulator.url });
    const tokenArn = async (name: string, value: string) =>
      (await sm.send(new CreateSecretCommand({ Name: `local/${name}`, SecretString: value }))).ARN as string;
    const stepConfig: StepConfig = {
      okta: { url: okta.orgUrl, tokenSecretArn: await tokenArn('okta-api-token', okta.token) },
      kong: {
        url: kong.adminUrl,
        tokenSecretArn: await tokenArn('kong-admin-token', kong.token),
        ...(options.kong?.rbacHeader ? { rbacHeader: options.kong.rbacHeader } : {}),
        ...(options.kong?.portalSessionCookieDomain
          ? { portalSessionCookieDomain: options.kong.portalSessionCookieDomain }
          : {}),
      },
      requestsTable: TABLE,
      aws,
    };
    const ctx = await buildStepContext(stepConfig);
    const hosted = (name: string, definition: HostedStateMachine['definition']): HostedStateMachine => ({
      arn: stateMachineArn(name, REGION),
      name,
      definition,
      // StopExecution stops the run before its next state, as on AWS (a Task in flight completes).
      execute: (input, onEvent, signal) =>
        runLocally(input, ctx, { definition, onEvent, signal, retryDelayMs: options.retryDelayMs }),
    });
    const provisioning = hosted('kong-portal-provisioning', provisioningAsl());
    const teardown = hosted('kong-portal-teardown', teardownAsl());
    const sfn = await startStepFunctionsEmulator({
      stateMachines: [provisioning, teardown],
      region: REGION,
      dataFile: path.join(options.dataDir, 'executions.json'),
    });
    closers.push(() => sfn.close());
    // Local mode serves any environment; a request that names none is for `dev`.
    const apiConfig: ApiConfig = {
      requestsTable: TABLE,
      stateMachines: { provision: provisioning.arn, teardown: teardown.arn },
      basePath: '',
      defaultEnvironment: LOCAL_DEFAULT_ENVIRONMENT,
      lockTtlSeconds: options.lockTtlSeconds ?? DEFAULT_LOCK_TTL_SECONDS,
      aws: { ...aws, endpoints: { ...aws.endpoints, sfn: sfn.url } },
    };

    const api = await startApiServer(buildApiDeps(apiConfig), {
      port: options.port,
      ready: () => ({ okta: okta.orgUrl, kong: kong.adminUrl, sandboxes: Boolean(oktaSandbox) }),
    });
    closers.push(() => api.close());

    return {
      apiUrl: api.url,
      aws: apiConfig.aws ?? {},
      requestsTable: TABLE,
      stateMachines: apiConfig.stateMachines,
      oktaUrl: okta.orgUrl,
      kongUrl: kong.adminUrl,
      ...(oktaSandbox ? { oktaSandbox } : {}),
      ...(kongSandbox ? { kongSandbox } : {}),
      close: () => closeAll(closers),
    };
  } catch (err) {
    await closeAll(closers);
    throw err;
  }
}

/** Last started, first stopped: the API goes before the emulators it talks to. */
async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  for (const close of [...closers].reverse()) await close().catch(() => undefined);
}

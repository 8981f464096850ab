/**
 * The whole service on one machine, no AWS account: dynalite for the requests table (on disk, so
 * history survives restarts), loopback Secrets Manager and Step Functions emulators speaking the
 * AWS wire protocols (the real SDK clients reach them through AWS_ENDPOINT_URL_*), the same ASL
 * CDK synthesizes run by aws-local-stepfunctions with the Lambda handlers, the API server, and
 * the Okta / Kong sandboxes unless real ones are configured. Tickets too: the Jira and ServiceNow
 * webhooks on the API server, an EventBridge emulator whose rules deliver the Step Functions
 * emulator's execution status changes (and "Ticket Rejected") to the same run-ended handler the
 * Lambda runs, and Jira / ServiceNow sandboxes unless real ones are configured.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { buildApiDeps } from '../lambdas/api/deps';
import { buildJiraWebhookDeps, buildServiceNowWebhookDeps } from '../lambdas/api/webhook-deps';
import { buildRunEndedDeps } from '../lambdas/events/deps';
import { handleRunEvent, type RunEndedDeps } from '../lambdas/events/run-ended';
import { runEndedPattern, TICKET_REJECTED_PATTERN } from '../lambdas/core/run-events';
import {
  DEFAULT_LOCK_TTL_SECONDS,
  LOCAL_DEFAULT_ENVIRONMENT,
  type ApiConfig,
  type AwsClientOptions,
  type StepConfig,
} from '../lambdas/core/config';
import { buildStepContext } from '../lambdas/steps/context';
import { ALL_CLIENTS } from '../lambdas/steps/wiring/all';
import { startApiServer } from './api-server';
import { ensureRequestsTable, startDynamoDb } from './dynamodb';
import { startEventBridgeEmulator, type EventBridgeEmulator } from './emulators/event-bridge';
import { startSecretsManagerEmulator } from './emulators/secrets-manager';
import {
  startStepFunctionsEmulator,
  type StepFunctionsEmulator,
  stateMachineArn,
  statusChangeEvent,
  type HostedStateMachine,
} from './emulators/step-functions';
import type { JiraSandbox } from './sandboxes/jira';
import type { ServiceNowSandbox } from './sandboxes/servicenow';
import {
  LOCAL_JIRA_MAPPING,
  LOCAL_JIRA_SUCCESS_TRANSITION,
  LOCAL_SERVICENOW_MAPPING,
  LOCAL_SERVICENOW_SUCCESS_STATE,
  startTicketSystems,
  type TicketSystemsOptions,
} from './tickets';
import { startKongSandbox, type KongSandbox } from './sandboxes/kong';
import { startKonnectSandbox, type KonnectSandbox } from './sandboxes/konnect';
import { startOktaSandbox, type OktaSandbox } from './sandboxes/okta';
import { provisioningAsl, teardownAsl } from './workflow/asl';
import { runLocally } from './workflow/runner';

export interface LocalStackOptions {
  /** API port; 0 picks a free one. */
  port?: number;
  /** Where dynalite and the execution history live. */
  dataDir: string;
  /** A real Okta org instead of the sandbox. */
  okta?: { orgUrl: string; token: string; httpsProxy?: string };
  /** A real Kong Admin API instead of the sandbox (and its kong.conf `rbac_auth_header`, if renamed). */
  kong?: { adminUrl: string; token: string; rbacHeader?: string; portalSessionCookieDomain?: string };
  /** A real Konnect Portal Management API (a region's base URL) and token instead of the sandbox. */
  konnect?: { apiUrl: string; token: string };
  /** Workspace lock lifetime (tests shorten it to see a stale lock expire). */
  lockTtlSeconds?: number;
  /** Replace Step Functions retry waits (ms); the real backoff when omitted. */
  retryDelayMs?: number;
  /** Real Jira / ServiceNow, webhook secrets and the Jira signing mode (sandboxes and dev defaults otherwise). */
  tickets?: TicketSystemsOptions;
  /** The provisioning state machine's TimeoutSeconds (tests shorten it to see a run time out). */
  executionTimeoutSeconds?: number;
  /** Waits between redeliveries of a failed event and between attempts to post an answer (ms). */
  eventRetryDelayMs?: number;
  /** How long the webhooks reuse a read signing secret (tests set 0 to see a rotation at once). */
  webhookSecretCacheSeconds?: number;
}

export interface LocalStack {
  apiUrl: string;
  /** Where the emulated AWS services answer: the real SDK clients reach them with these. */
  aws: AwsClientOptions;
  requestsTable: string;
  stateMachines: { provision: string; teardown: string };
  oktaUrl: string;
  kongUrl: string;
  konnectUrl: string;
  /** Present when the built-in sandboxes are used. */
  oktaSandbox?: OktaSandbox;
  kongSandbox?: KongSandbox;
  konnectSandbox?: KonnectSandbox;
  jiraSandbox?: JiraSandbox;
  servicenowSandbox?: ServiceNowSandbox;
  jiraUrl: string;
  servicenowUrl: string;
  /** The webhooks' signing secrets (local development values). */
  webhookSecrets: { jira: string; servicenow: string };
  eventBus: EventBridgeEmulator;
  /** Secrets Manager requests answered so far, per operation (the benchmark prices them). */
  secretsManager: { operationCounts(): Record<string, number> };
  /** The Step Functions emulator, for tests that model its throttling. */
  stepFunctions: Pick<StepFunctionsEmulator, 'throttleStarts'>;
  /** Every EMF metrics document the run-ended handler wrote. */
  metrics: Array<Record<string, unknown>>;
  /** Resolves once no execution runs and every event (retries included) has been handled. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const REGION = 'us-east-1';
const TABLE = 'kong-portal-provisioner-requests';

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  mkdirSync(options.dataDir, { recursive: true });
  const closers: Array<() => Promise<void>> = [];
  let abandonRunEnded: ((reason: unknown) => void) | undefined;
  try {
    const dynamo = await startDynamoDb({ dataDir: path.join(options.dataDir, 'dynamodb') });
    closers.push(() => dynamo.close());
    const secretsEmulator = await startSecretsManagerEmulator({ region: REGION });
    closers.push(() => secretsEmulator.close());
    const oktaSandbox = options.okta ? undefined : await startOktaSandbox();
    if (oktaSandbox) closers.push(() => oktaSandbox.close());
    const kongSandbox = options.kong ? undefined : await startKongSandbox();
    if (kongSandbox) closers.push(() => kongSandbox.close());
    const konnectSandbox = options.konnect ? undefined : await startKonnectSandbox();
    if (konnectSandbox) closers.push(() => konnectSandbox.close());
    const okta = options.okta ?? { orgUrl: oktaSandbox!.url, token: oktaSandbox!.token };
    const konnect = options.konnect ?? { apiUrl: konnectSandbox!.url, token: konnectSandbox!.token };
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
      okta: {
        url: okta.orgUrl,
        tokenSecretArn: await tokenArn('okta-api-token', okta.token),
        ...(options.okta?.httpsProxy ? { httpsProxy: options.okta.httpsProxy } : {}),
      },
      kong: {
        url: kong.adminUrl,
        tokenSecretArn: await tokenArn('kong-admin-token', kong.token),
        ...(options.kong?.rbacHeader ? { rbacHeader: options.kong.rbacHeader } : {}),
        ...(options.kong?.portalSessionCookieDomain
          ? { portalSessionCookieDomain: options.kong.portalSessionCookieDomain }
          : {}),
      },
      konnect: { url: konnect.apiUrl, tokenSecretArn: await tokenArn('konnect-token', konnect.token) },
      requestsTable: TABLE,
      aws,
    };
    const ctx = await buildStepContext(stepConfig, ALL_CLIENTS);
    const tickets = await startTicketSystems(sm, options.tickets ?? {});
    closers.push(() => tickets.close());

    // Run-ended deps need the API's URL (status links), known once it listens: events wait for them.
    let resolveRunEnded!: (deps: RunEndedDeps) => void;
    const runEnded = new Promise<RunEndedDeps>((resolve, reject) => {
      resolveRunEnded = resolve;
      // A start that fails later must not leave events waiting for deps that never come.
      abandonRunEnded = reject;
    });
    // Handled by the deliveries that wait for it; this only keeps an unused rejection quiet.
    runEnded.catch(() => undefined);
    const eventBus = await startEventBridgeEmulator({
      region: REGION,
      retryDelayMs: options.eventRetryDelayMs,
    });
    closers.push(() => eventBus.close());
    const hosted = (name: string, definition: HostedStateMachine['definition']): HostedStateMachine => ({
      arn: stateMachineArn(name, REGION),
      name,
      definition,
      // StopExecution stops the run before its next state, as on AWS (a Task in flight completes).
      execute: (input, onEvent, signal) =>
        runLocally(input, ctx, { definition, onEvent, signal, retryDelayMs: options.retryDelayMs }),
    });
    const provisioningDefinition =
      options.executionTimeoutSeconds === undefined
        ? provisioningAsl()
        : { ...provisioningAsl(), TimeoutSeconds: options.executionTimeoutSeconds };
    const provisioning = hosted('kong-portal-provisioning', provisioningDefinition);
    const teardown = hosted('kong-portal-teardown', teardownAsl());
    // The deployed rules, with the same patterns: both kinds of event go to the run-ended handler.
    const deliver = async (event: Record<string, unknown>) => handleRunEvent(await runEnded, event);
    eventBus.addRule({
      name: 'RunEnded',
      pattern: runEndedPattern([provisioning.arn, teardown.arn]),
      target: deliver,
    });
    eventBus.addRule({ name: 'TicketRejected', pattern: { ...TICKET_REJECTED_PATTERN }, target: deliver });
    const sfn = await startStepFunctionsEmulator({
      stateMachines: [provisioning, teardown],
      region: REGION,
      dataFile: path.join(options.dataDir, 'executions.json'),
      onExecutionEnded: (execution) => eventBus.publish(statusChangeEvent(execution, REGION)),
    });
    closers.push(() => sfn.close());
    // Local mode serves any environment; a request that names none is for `dev`.
    const apiConfig: ApiConfig = {
      requestsTable: TABLE,
      stateMachines: { provision: provisioning.arn, teardown: teardown.arn },
      basePath: '',
      defaultEnvironment: LOCAL_DEFAULT_ENVIRONMENT,
      lockTtlSeconds: options.lockTtlSeconds ?? DEFAULT_LOCK_TTL_SECONDS,
      aws: { ...aws, endpoints: { ...aws.endpoints, sfn: sfn.url, eventBridge: eventBus.url } },
    };
    const webhook = {
      ...apiConfig,
      maxBodyBytes: 256 * 1024,
      secretCacheSeconds: options.webhookSecretCacheSeconds ?? 300,
      deliveryTtlSeconds: 24 * 3600,
      eventBusName: 'default',
    };

    const api = await startApiServer(
      {
        api: buildApiDeps(apiConfig),
        jira: buildJiraWebhookDeps({
          ...webhook,
          signingSecretArn: tickets.arns.jiraWebhook,
          signing: tickets.jiraSigning,
          mapping: LOCAL_JIRA_MAPPING,
        }),
        servicenow: buildServiceNowWebhookDeps({
          ...webhook,
          signingSecretArn: tickets.arns.servicenowWebhook,
          signatureHeader: 'X-SN-Signature',
          timestampHeader: 'X-SN-Timestamp',
          toleranceSeconds: 300,
          mapping: LOCAL_SERVICENOW_MAPPING,
        }),
      },
      {
        port: options.port,
        ready: () => ({
          okta: okta.orgUrl,
          kong: kong.adminUrl,
          konnect: konnect.apiUrl,
          sandboxes: Boolean(oktaSandbox),
          // What the sample-ticket CLI needs to build a ticket (no secret here).
          tickets: {
            jira: {
              url: tickets.jiraUrl,
              sandbox: Boolean(tickets.jiraSandbox),
              mapping: LOCAL_JIRA_MAPPING,
            },
            servicenow: {
              url: tickets.servicenowUrl,
              sandbox: Boolean(tickets.servicenowSandbox),
              mapping: LOCAL_SERVICENOW_MAPPING,
            },
          },
        }),
      },
    );
    closers.push(() => api.close());

    const metrics: Array<Record<string, unknown>> = [];
    const retryDelay = options.eventRetryDelayMs ?? 1000;
    resolveRunEnded(
      buildRunEndedDeps(
        {
          requestsTable: TABLE,
          stateMachines: apiConfig.stateMachines,
          statusBaseUrl: api.url,
          jira: {
            url: tickets.jiraUrl,
            credentialsSecretArn: tickets.arns.jiraCredentials,
            successTransitionId: LOCAL_JIRA_SUCCESS_TRANSITION,
          },
          servicenow: {
            url: tickets.servicenowUrl,
            credentialsSecretArn: tickets.arns.servicenowCredentials,
            successState: LOCAL_SERVICENOW_SUCCESS_STATE,
          },
          metricsNamespace: 'KongPortalProvisioner',
          aws: apiConfig.aws,
        },
        { emf: (document) => metrics.push(document), backoffMs: retryDelay },
      ),
    );

    return {
      apiUrl: api.url,
      aws: apiConfig.aws ?? {},
      requestsTable: TABLE,
      stateMachines: apiConfig.stateMachines,
      oktaUrl: okta.orgUrl,
      kongUrl: kong.adminUrl,
      konnectUrl: konnect.apiUrl,
      ...(oktaSandbox ? { oktaSandbox } : {}),
      ...(kongSandbox ? { kongSandbox } : {}),
      ...(konnectSandbox ? { konnectSandbox } : {}),
      ...(tickets.jiraSandbox ? { jiraSandbox: tickets.jiraSandbox } : {}),
      ...(tickets.servicenowSandbox ? { servicenowSandbox: tickets.servicenowSandbox } : {}),
      jiraUrl: tickets.jiraUrl,
      servicenowUrl: tickets.servicenowUrl,
      webhookSecrets: tickets.webhookSecrets,
      eventBus,
      stepFunctions: { throttleStarts: (count) => sfn.throttleStarts(count) },
      secretsManager: { operationCounts: () => secretsEmulator.operationCounts() },
      metrics,
      async idle() {
        // An ended run's event may be handled while another run starts: wait until both are quiet.
        for (let round = 0; round < 5; round++) {
          await sfn.waitForIdle();
          await eventBus.idle();
        }
      },
      close: () => closeAll(closers),
    };
  } catch (err) {
    abandonRunEnded?.(err);
    await closeAll(closers);
    throw err;
  }
}

/** Last started, first stopped: the API goes before the emulators it talks to. */
async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  for (const close of [...closers].reverse()) await close().catch(() => undefined);
}

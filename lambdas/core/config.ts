/**
 * Configuration, parsed once. Each Lambda reads its environment here and nowhere else; local
 * mode and tests build the same objects directly, so two stacks can live in one process.
 * Functions get ARNs and names, never token values.
 */
import * as z from 'zod';
import { PermanentError } from './errors';
import { jiraMappingSchema, type JiraMapping } from './jira-webhook';
import { DEFAULT_METRICS_NAMESPACE } from './metric-names';
import { serviceNowMappingSchema, type ServiceNowMapping } from './servicenow-webhook';
import { DEFAULT_TIMESTAMP_TOLERANCE_SECONDS } from './webhook-signatures';

/** AWS client settings local mode passes explicitly (deployed, the SDK's own defaults apply). */
export interface AwsClientOptions {
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  endpoints?: { dynamodb?: string; secretsManager?: string; sfn?: string; eventBridge?: string };
}

export interface VendorAccess {
  /** Okta org URL or Kong Admin API URL. */
  url: string;
  /** Secrets Manager ARN of the API token. */
  tokenSecretArn: string;
}

/** The Kong Admin API, plus the header it reads the RBAC token from (kong.conf `rbac_auth_header`). */
export interface KongAccess extends VendorAccess {
  rbacHeader?: string;
  /** A session cookie domain chosen by the operator when the portal GUI and API hosts differ. */
  portalSessionCookieDomain?: string;
}

/** The Okta org, plus the HTTPS proxy the Okta SDK has always taken from HTTPS_PROXY / https_proxy. */
export interface OktaAccess extends VendorAccess {
  httpsProxy?: string;
}

export interface StepConfig {
  /** Which handler this function runs (one function per handler). */
  stepName?: string;
  /** The one environment a deployment serves; absent locally (any environment). */
  servedEnvironment?: string;
  okta?: OktaAccess;
  kong?: KongAccess;
  /** The request log, for the Finalize handlers. */
  requestsTable?: string;
  aws?: AwsClientOptions;
}

export interface ApiConfig {
  requestsTable: string;
  stateMachines: { provision: string; teardown: string };
  /** Deployed, the API lives under its stage (`/v1`); locally at the root. */
  basePath: string;
  servedEnvironment?: string;
  /** A request without `environment` is for this one: the served one, or `dev` locally. */
  defaultEnvironment: string;
  /** How long a workspace lock lives if its run never releases it (crashed, killed). */
  lockTtlSeconds: number;
  aws?: AwsClientOptions;
}

/** How a Jira webhook proves it is Jira: an HMAC over the body, or (automation rules) a shared header. */
export type JiraSigning = { mode: 'hmac' } | { mode: 'shared-secret'; header: string };

/** What both webhook handlers share: the run lifecycle (as the API) plus the delivery rules. */
export interface WebhookConfig extends ApiConfig {
  /** Secrets Manager ARN of this webhook's signing secret (its function may read only this one). */
  signingSecretArn: string;
  /** Bodies larger than this are refused (413) before anything else is done with them. */
  maxBodyBytes: number;
  /** How long a read signing secret is reused; rotation takes effect within this time. */
  secretCacheSeconds: number;
  /** How long a delivery id is remembered (covers Jira's ~30 minute retry window many times over). */
  deliveryTtlSeconds: number;
  /** The EventBridge bus "Ticket Rejected" events go to. */
  eventBusName: string;
}

export interface JiraWebhookConfig extends WebhookConfig {
  signing: JiraSigning;
  mapping: JiraMapping;
}

export interface ServiceNowWebhookConfig extends WebhookConfig {
  signatureHeader: string;
  timestampHeader: string;
  toleranceSeconds: number;
  mapping: ServiceNowMapping;
}

/** Where a ticket system's REST API is and the secret holding the notifier's credentials. */
export interface TicketSystemAccess {
  url: string;
  credentialsSecretArn: string;
}

export interface RunEndedConfig {
  requestsTable: string;
  stateMachines: { provision: string; teardown: string };
  /** The API's URL including its stage, for the status link in ticket answers (absent: no link). */
  statusBaseUrl?: string;
  jira?: TicketSystemAccess & { successTransitionId?: string };
  servicenow?: TicketSystemAccess & { successState?: string; failureState?: string };
  metricsNamespace: string;
  aws?: AwsClientOptions;
}

/** The provisioning state machine times out after 6 h; a lock outliving that is stale. */
export const DEFAULT_LOCK_TTL_SECONDS = 7 * 3600;
export const LOCAL_DEFAULT_ENVIRONMENT = 'dev';

type Env = Readonly<Record<string, string | undefined>>;

const optional = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));
const required = z.string({ error: 'is not set' }).min(1, 'is not set');
const url = z.url({ error: 'must be a URL' });

const stepEnv = z.object({
  STEP_NAME: optional,
  PROVISIONER_ENVIRONMENT: optional,
  OKTA_ORG_URL: url.optional(),
  OKTA_TOKEN_SECRET_ARN: optional,
  KONG_ADMIN_URL: url.optional(),
  KONG_TOKEN_SECRET_ARN: optional,
  KONG_RBAC_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an HTTP header name (letters, digits, hyphens)')
    .optional(),
  KONG_PORTAL_SESSION_COOKIE_DOMAIN: z
    .string()
    .regex(/^\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, 'must be a domain name such as .example.com')
    .optional(),
  REQUESTS_TABLE: optional,
  https_proxy: optional,
  HTTPS_PROXY: optional,
});

const apiEnv = z.object({
  REQUESTS_TABLE: required,
  PROVISIONING_STATE_MACHINE_ARN: required,
  TEARDOWN_STATE_MACHINE_ARN: required,
  API_BASE_PATH: z
    .string()
    .regex(/^(\/[A-Za-z0-9_-]+)*$/, 'must be empty or a path like /v1')
    .default(''),
  PROVISIONER_ENVIRONMENT: optional,
  LOCK_TTL_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .positive('must be positive')
    .default(DEFAULT_LOCK_TTL_SECONDS),
});

const positiveInt = (what: string, fallback: number) =>
  z.coerce
    .number({ error: `must be a number of ${what}` })
    .int(`must be a whole number of ${what}`)
    .positive('must be positive')
    .default(fallback);

/** A JSON document in one variable (the field mappings), validated by its own schema. */
const jsonOf = <T extends z.ZodType>(schema: T) =>
  z.string({ error: 'is not set' }).transform((text, ctx): z.output<T> => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues)
        ctx.addIssue({ code: 'custom', message: `${issue.path.join('.') || '(root)'} ${issue.message}` });
      return z.NEVER;
    }
    return result.data;
  });

const webhookEnv = z.object({
  WEBHOOK_SECRET_ARN: required,
  WEBHOOK_MAX_BODY_BYTES: positiveInt('bytes', 256 * 1024),
  WEBHOOK_SECRET_CACHE_SECONDS: positiveInt('seconds', 300),
  WEBHOOK_DELIVERY_TTL_SECONDS: positiveInt('seconds', 24 * 3600),
  TICKET_EVENT_BUS: z.string().min(1).default('default'),
});

const jiraWebhookEnv = webhookEnv.extend({
  JIRA_WEBHOOK_AUTH: z
    .enum(['hmac', 'shared-secret'], { error: "must be 'hmac' or 'shared-secret'" })
    .default('hmac'),
  JIRA_WEBHOOK_SECRET_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an HTTP header name')
    .optional(),
  JIRA_FIELD_MAPPING: jsonOf(jiraMappingSchema),
});

const serviceNowWebhookEnv = webhookEnv.extend({
  SERVICENOW_SIGNATURE_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/)
    .default('X-SN-Signature'),
  SERVICENOW_TIMESTAMP_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/)
    .default('X-SN-Timestamp'),
  SERVICENOW_TIMESTAMP_TOLERANCE_SECONDS: positiveInt('seconds', DEFAULT_TIMESTAMP_TOLERANCE_SECONDS),
  SERVICENOW_FIELD_MAPPING: jsonOf(serviceNowMappingSchema),
});

const runEndedEnv = z.object({
  REQUESTS_TABLE: required,
  PROVISIONING_STATE_MACHINE_ARN: required,
  TEARDOWN_STATE_MACHINE_ARN: required,
  STATUS_BASE_URL: url.optional(),
  JIRA_BASE_URL: url.optional(),
  JIRA_CREDENTIALS_SECRET_ARN: optional,
  JIRA_SUCCESS_TRANSITION_ID: z
    .string()
    .regex(/^\d{1,10}$/, 'must be a transition id')
    .optional(),
  SERVICENOW_INSTANCE_URL: url.optional(),
  SERVICENOW_CREDENTIALS_SECRET_ARN: optional,
  SERVICENOW_SUCCESS_STATE: optional,
  SERVICENOW_FAILURE_STATE: optional,
  METRICS_NAMESPACE: z.string().min(1).default(DEFAULT_METRICS_NAMESPACE),
});

function parsed<T>(schema: z.ZodType<T>, env: Env): T {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
  throw new PermanentError(`Configuration error: ${problems}`);
}

function ticketSystem(name: string, urlValue: string | undefined, arn: string | undefined) {
  if (!urlValue && !arn) return undefined;
  if (!urlValue || !arn)
    throw new PermanentError(
      `Configuration error: ${name} needs both its URL and its credentials secret ARN`,
    );
  return { url: urlValue.replace(/\/+$/, ''), credentialsSecretArn: arn };
}

function vendor(
  name: string,
  urlValue: string | undefined,
  arn: string | undefined,
): VendorAccess | undefined {
  if (!urlValue && !arn) return undefined;
  if (!urlValue || !arn)
    throw new PermanentError(`Configuration error: ${name} needs both its URL and its token secret ARN`);
  return { url: urlValue, tokenSecretArn: arn };
}

export function parseStepConfig(env: Env): StepConfig {
  const e = parsed(stepEnv, env);
  const okta = vendor('Okta', e.OKTA_ORG_URL, e.OKTA_TOKEN_SECRET_ARN);
  const kong = vendor('Kong', e.KONG_ADMIN_URL, e.KONG_TOKEN_SECRET_ARN);
  // The lower-case name first, as the SDK's Http reads them.
  const proxy = e.https_proxy ?? e.HTTPS_PROXY;
  return {
    ...(e.STEP_NAME ? { stepName: e.STEP_NAME } : {}),
    ...(e.PROVISIONER_ENVIRONMENT ? { servedEnvironment: e.PROVISIONER_ENVIRONMENT } : {}),
    ...(okta ? { okta: { ...okta, ...(proxy ? { httpsProxy: proxy } : {}) } } : {}),
    ...(kong
      ? {
          kong: {
            ...kong,
            ...(e.KONG_RBAC_HEADER ? { rbacHeader: e.KONG_RBAC_HEADER } : {}),
            ...(e.KONG_PORTAL_SESSION_COOKIE_DOMAIN
              ? { portalSessionCookieDomain: e.KONG_PORTAL_SESSION_COOKIE_DOMAIN }
              : {}),
          },
        }
      : {}),
    ...(e.REQUESTS_TABLE ? { requestsTable: e.REQUESTS_TABLE } : {}),
  };
}

export function parseApiConfig(env: Env): ApiConfig {
  const e = parsed(apiEnv, env);
  return {
    requestsTable: e.REQUESTS_TABLE,
    stateMachines: { provision: e.PROVISIONING_STATE_MACHINE_ARN, teardown: e.TEARDOWN_STATE_MACHINE_ARN },
    basePath: e.API_BASE_PATH,
    ...(e.PROVISIONER_ENVIRONMENT ? { servedEnvironment: e.PROVISIONER_ENVIRONMENT } : {}),
    defaultEnvironment: e.PROVISIONER_ENVIRONMENT ?? LOCAL_DEFAULT_ENVIRONMENT,
    lockTtlSeconds: e.LOCK_TTL_SECONDS,
  };
}

function webhookConfig(env: Env, e: z.output<typeof webhookEnv>): WebhookConfig {
  return {
    ...parseApiConfig(env),
    signingSecretArn: e.WEBHOOK_SECRET_ARN,
    maxBodyBytes: e.WEBHOOK_MAX_BODY_BYTES,
    secretCacheSeconds: e.WEBHOOK_SECRET_CACHE_SECONDS,
    deliveryTtlSeconds: e.WEBHOOK_DELIVERY_TTL_SECONDS,
    eventBusName: e.TICKET_EVENT_BUS,
  };
}

export function parseJiraWebhookConfig(env: Env): JiraWebhookConfig {
  const e = parsed(jiraWebhookEnv, env);
  if (e.JIRA_WEBHOOK_AUTH === 'shared-secret' && !e.JIRA_WEBHOOK_SECRET_HEADER)
    throw new PermanentError(
      'Configuration error: JIRA_WEBHOOK_SECRET_HEADER is needed in shared-secret mode',
    );
  return {
    ...webhookConfig(env, e),
    signing:
      e.JIRA_WEBHOOK_AUTH === 'hmac'
        ? { mode: 'hmac' }
        : { mode: 'shared-secret', header: e.JIRA_WEBHOOK_SECRET_HEADER ?? '' },
    mapping: e.JIRA_FIELD_MAPPING,
  };
}

export function parseServiceNowWebhookConfig(env: Env): ServiceNowWebhookConfig {
  const e = parsed(serviceNowWebhookEnv, env);
  return {
    ...webhookConfig(env, e),
    signatureHeader: e.SERVICENOW_SIGNATURE_HEADER,
    timestampHeader: e.SERVICENOW_TIMESTAMP_HEADER,
    toleranceSeconds: e.SERVICENOW_TIMESTAMP_TOLERANCE_SECONDS,
    mapping: e.SERVICENOW_FIELD_MAPPING,
  };
}

export function parseRunEndedConfig(env: Env): RunEndedConfig {
  const e = parsed(runEndedEnv, env);
  const jira = ticketSystem('Jira', e.JIRA_BASE_URL, e.JIRA_CREDENTIALS_SECRET_ARN);
  const servicenow = ticketSystem(
    'ServiceNow',
    e.SERVICENOW_INSTANCE_URL,
    e.SERVICENOW_CREDENTIALS_SECRET_ARN,
  );
  return {
    requestsTable: e.REQUESTS_TABLE,
    stateMachines: { provision: e.PROVISIONING_STATE_MACHINE_ARN, teardown: e.TEARDOWN_STATE_MACHINE_ARN },
    ...(e.STATUS_BASE_URL ? { statusBaseUrl: e.STATUS_BASE_URL.replace(/\/+$/, '') } : {}),
    ...(jira
      ? {
          jira: {
            ...jira,
            ...(e.JIRA_SUCCESS_TRANSITION_ID ? { successTransitionId: e.JIRA_SUCCESS_TRANSITION_ID } : {}),
          },
        }
      : {}),
    ...(servicenow
      ? {
          servicenow: {
            ...servicenow,
            ...(e.SERVICENOW_SUCCESS_STATE ? { successState: e.SERVICENOW_SUCCESS_STATE } : {}),
            ...(e.SERVICENOW_FAILURE_STATE ? { failureState: e.SERVICENOW_FAILURE_STATE } : {}),
          },
        }
      : {}),
    metricsNamespace: e.METRICS_NAMESPACE,
  };
}

/** The Lambda environment: the only place in `lambdas/` that reads `process.env`. */
export const stepConfigFromEnv = (): StepConfig => parseStepConfig(process.env);
export const apiConfigFromEnv = (): ApiConfig => parseApiConfig(process.env);
export const jiraWebhookConfigFromEnv = (): JiraWebhookConfig => parseJiraWebhookConfig(process.env);
export const serviceNowWebhookConfigFromEnv = (): ServiceNowWebhookConfig =>
  parseServiceNowWebhookConfig(process.env);
export const runEndedConfigFromEnv = (): RunEndedConfig => parseRunEndedConfig(process.env);

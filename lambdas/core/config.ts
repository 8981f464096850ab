/**
 * Configuration, parsed once. Each Lambda reads its environment here and nowhere else (the
 * webhook functions' settings are parsed in webhook-config.ts, from `environment()`, so no other
 * function bundles the ticket mapping schemas); local mode and tests build the same objects
 * directly, so two stacks can live in one process. Functions get ARNs and names, never token values.
 */
import * as z from 'zod';
import { PermanentError } from './errors';
import { DEFAULT_METRICS_NAMESPACE } from './metric-names';
import { PORTAL_TARGETS, type PortalTargetKind } from './portal-target';

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

/** The Konnect Portal Management API of one region (e.g. https://eu.api.konghq.com), with a personal or system-account token. */
export type KonnectAccess = VendorAccess;

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
  konnect?: KonnectAccess;
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
  /** The portal targets served; absent locally (all). */
  servedTargets?: readonly PortalTargetKind[];
  aws?: AwsClientOptions;
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

export type Env = Readonly<Record<string, string | undefined>>;

const optional = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));
export const required = z.string({ error: 'is not set' }).min(1, 'is not set');
const url = z.url({ error: 'must be a URL' });

const stepEnv = z.object({
  STEP_NAME: optional,
  PROVISIONER_ENVIRONMENT: optional,
  OKTA_ORG_URL: url.optional(),
  OKTA_TOKEN_SECRET_ARN: optional,
  KONG_ADMIN_URL: url.optional(),
  KONG_TOKEN_SECRET_ARN: optional,
  KONNECT_API_URL: url.optional(),
  KONNECT_TOKEN_SECRET_ARN: optional,
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
  /** Comma-separated portal targets the deployment serves (set by the stack); absent: all. */
  PORTAL_TARGETS: z
    .string()
    .transform((v) => v.split(',').map((t) => t.trim()))
    .pipe(z.array(z.enum(PORTAL_TARGETS)).min(1))
    .optional(),
  LOCK_TTL_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .positive('must be positive')
    .default(DEFAULT_LOCK_TTL_SECONDS),
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

export function parsed<T>(schema: z.ZodType<T>, env: Env): T {
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
  const konnect = vendor('Konnect', e.KONNECT_API_URL, e.KONNECT_TOKEN_SECRET_ARN);
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
    ...(konnect ? { konnect } : {}),
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
    ...(e.PORTAL_TARGETS ? { servedTargets: e.PORTAL_TARGETS } : {}),
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
export const environment = (): Env => process.env;
export const stepConfigFromEnv = (): StepConfig => parseStepConfig(process.env);
export const apiConfigFromEnv = (): ApiConfig => parseApiConfig(process.env);
export const runEndedConfigFromEnv = (): RunEndedConfig => parseRunEndedConfig(process.env);

/**
 * The webhook functions' configuration, apart from the rest (config.ts): it carries the ticket
 * systems' field-mapping schemas, which no other function parses or needs in its bundle.
 */
import * as z from 'zod';
import { PermanentError } from './errors';
import { environment, parseApiConfig, parsed, required, type ApiConfig, type Env } from './config';
import { jiraMappingSchema, type JiraMapping } from './jira-webhook';
import { serviceNowMappingSchema, type ServiceNowMapping } from './servicenow-webhook';
import { DEFAULT_TIMESTAMP_TOLERANCE_SECONDS } from './webhook-signatures';

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

export const jiraWebhookConfigFromEnv = (): JiraWebhookConfig => parseJiraWebhookConfig(environment());
export const serviceNowWebhookConfigFromEnv = (): ServiceNowWebhookConfig =>
  parseServiceNowWebhookConfig(environment());

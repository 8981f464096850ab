/**
 * The vendor credentials the notifier reads from Secrets Manager (JSON secret strings), checked
 * before use. A malformed secret is reported by the names of its fields, never their values.
 *
 * - Jira Cloud: an Atlassian account e-mail and API token, sent as HTTP basic auth ("Basic auth for
 *   REST APIs": passwords are deprecated, API tokens are the supported way).
 * - ServiceNow: basic auth (user name + password), or OAuth: the instance's `/oauth_token.do`
 *   endpoint with the password grant (client id + secret + user), whose bearer token is then used
 *   ("REST OAuth example" in the ServiceNow REST API docs).
 */
import * as z from 'zod';
import { PermanentError } from './errors';

const text = z.string().min(1);

export const jiraCredentialsSchema = z.strictObject({ email: text, apiToken: text });
export type JiraCredentials = z.output<typeof jiraCredentialsSchema>;

export const serviceNowCredentialsSchema = z.union([
  z.strictObject({ username: text, password: text }),
  z.strictObject({ clientId: text, clientSecret: text, username: text, password: text }),
]);
export type ServiceNowCredentials = z.output<typeof serviceNowCredentialsSchema>;

export function parseCredentials<T>(
  schema: z.ZodType<T>,
  secretString: string,
  what: string,
  expected: string,
): T {
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new PermanentError(`The ${what} secret is not JSON; it must be ${expected}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new PermanentError(`The ${what} secret must be ${expected}`);
  return parsed.data;
}

export const parseJiraCredentials = (secretString: string): JiraCredentials =>
  parseCredentials(
    jiraCredentialsSchema,
    secretString,
    'Jira credentials',
    '{"email": ..., "apiToken": ...}',
  );

export const parseServiceNowCredentials = (secretString: string): ServiceNowCredentials =>
  parseCredentials(
    serviceNowCredentialsSchema,
    secretString,
    'ServiceNow credentials',
    '{"username": ..., "password": ...} or, for OAuth, {"clientId", "clientSecret", "username", "password"}',
  );

/** ServiceNow credentials that ask for OAuth (a bearer token from /oauth_token.do). */
export const usesOAuth = (
  credentials: ServiceNowCredentials,
): credentials is Extract<ServiceNowCredentials, { clientId: string }> => 'clientId' in credentials;

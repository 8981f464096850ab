/**
 * Local development defaults: the built-in sandboxes' accounts and the webhooks' signing secrets
 * that `npm start` uses unless told otherwise. Loopback only, printed in the start banner, and
 * shared with the sample-ticket CLI so it can sign and read back without configuration. A
 * deployment generates its signing secrets and reads the operator's own credentials.
 */

/** Override with JIRA_WEBHOOK_SECRET / SERVICENOW_WEBHOOK_SECRET when starting local mode. */
export const LOCAL_WEBHOOK_SECRETS = {
  jira: 'local-jira-webhook-secret',
  servicenow: 'local-servicenow-webhook-secret',
} as const;

/** The Jira sandbox account the notifier comments as. */
export const JIRA_SANDBOX_USER = {
  accountId: '5b10a2844c20165700ede21g',
  displayName: 'Kong Portal Provisioner',
  emailAddress: 'provisioner@example.com',
  apiToken: 'jira-sandbox-api-token',
} as const;

/** The ServiceNow sandbox's integration user and OAuth client. */
export const SERVICENOW_SANDBOX_USER = {
  username: 'kong.provisioner',
  password: 'servicenow-sandbox-password',
} as const;
export const SERVICENOW_SANDBOX_OAUTH_CLIENT = {
  clientId: 'kpp-local-client',
  clientSecret: 'servicenow-sandbox-client-secret',
} as const;

/** The catalog item local mode maps (its sys_id is fixed so configurations can name it). */
export const SANDBOX_CATALOG_ITEM = {
  sys_id: '0d5e2b1f1b7a4c10a1e0c0ffee000001',
  name: 'Kong Dev Portal',
} as const;

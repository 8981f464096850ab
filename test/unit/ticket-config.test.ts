// Intent: a webhook or run-ended function with a broken configuration refuses to start with a
// message naming the variable and what is wrong - never its value - and a working one reads
// exactly what the stack sets.
import { parseRunEndedConfig } from '../../lambdas/core/config';
import { parseJiraWebhookConfig, parseServiceNowWebhookConfig } from '../../lambdas/core/webhook-config';

const API = {
  REQUESTS_TABLE: 'requests',
  PROVISIONING_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:p',
  TEARDOWN_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:t',
  API_BASE_PATH: '/v1',
  PROVISIONER_ENVIRONMENT: 'prod',
  WEBHOOK_SECRET_ARN:
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kong-portal-provisioner-webhooks/prod/jira-AbCdEf',
};
const MAPPING = JSON.stringify({
  projects: ['SD'],
  issueTypes: ['Dev Portal'],
  approvedStatus: 'Approved',
  fields: { workspace: 'customfield_10050', oktaGroups: 'customfield_10052' },
});

it('reads a Jira webhook configuration, HMAC by default', () => {
  const config = parseJiraWebhookConfig({ ...API, JIRA_FIELD_MAPPING: MAPPING });
  expect(config).toMatchObject({
    signing: { mode: 'hmac' },
    maxBodyBytes: 256 * 1024,
    secretCacheSeconds: 300,
    deliveryTtlSeconds: 86_400,
    servedEnvironment: 'prod',
    mapping: { projects: ['SD'], onCreate: true },
  });
});

it('needs the header name in shared-secret mode', () => {
  expect(() =>
    parseJiraWebhookConfig({ ...API, JIRA_FIELD_MAPPING: MAPPING, JIRA_WEBHOOK_AUTH: 'shared-secret' }),
  ).toThrow(/JIRA_WEBHOOK_SECRET_HEADER is needed/);
  expect(
    parseJiraWebhookConfig({
      ...API,
      JIRA_FIELD_MAPPING: MAPPING,
      JIRA_WEBHOOK_AUTH: 'shared-secret',
      JIRA_WEBHOOK_SECRET_HEADER: 'X-Token',
    }).signing,
  ).toEqual({ mode: 'shared-secret', header: 'X-Token' });
});

it('names what is wrong with a mapping', () => {
  const broken = JSON.stringify({
    projects: ['sd'],
    issueTypes: [],
    approvedStatus: 'Approved',
    fields: { workspace: 'x y' },
  });
  const error = (() => {
    try {
      parseJiraWebhookConfig({ ...API, JIRA_FIELD_MAPPING: broken });
    } catch (err) {
      return (err as Error).message;
    }
    return '';
  })();
  expect(error).toMatch(/JIRA_FIELD_MAPPING projects\.0 must be a Jira project key/);
  expect(error).toMatch(/fields\.oktaGroups/);
  expect(() => parseJiraWebhookConfig({ ...API, JIRA_FIELD_MAPPING: '{not json' })).toThrow(
    /JIRA_FIELD_MAPPING must be JSON/,
  );
  expect(() => parseServiceNowWebhookConfig({ ...API })).toThrow(/SERVICENOW_FIELD_MAPPING is not set/);
});

it('reads the notifier: both systems or none, each needing its URL and credentials', () => {
  const base = { REQUESTS_TABLE: 'r', PROVISIONING_STATE_MACHINE_ARN: 'p', TEARDOWN_STATE_MACHINE_ARN: 't' };
  expect(parseRunEndedConfig(base)).toEqual({
    requestsTable: 'r',
    stateMachines: { provision: 'p', teardown: 't' },
    metricsNamespace: 'KongPortalProvisioner',
  });
  expect(() => parseRunEndedConfig({ ...base, JIRA_BASE_URL: 'https://acme.atlassian.net' })).toThrow(
    /Jira needs both its URL and its credentials secret ARN/,
  );
  expect(
    parseRunEndedConfig({
      ...base,
      STATUS_BASE_URL: 'https://x.execute-api.eu-west-1.amazonaws.com/v1/',
      SERVICENOW_INSTANCE_URL: 'https://acme.service-now.com/',
      SERVICENOW_CREDENTIALS_SECRET_ARN: 'arn:sn',
      SERVICENOW_SUCCESS_STATE: '3',
    }),
  ).toMatchObject({
    statusBaseUrl: 'https://x.execute-api.eu-west-1.amazonaws.com/v1',
    servicenow: { url: 'https://acme.service-now.com', credentialsSecretArn: 'arn:sn', successState: '3' },
  });
});

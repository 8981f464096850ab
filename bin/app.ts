/**
 * The CDK app. Configuration comes from cdk.json context (`-c key=value` overrides) or, failing
 * that, the environment; nothing here needs AWS credentials to synthesize.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  ProvisioningStack,
  type JiraDeployment,
  type ProvisioningConfig,
  type ServiceNowDeployment,
} from '../lib/stack';

const app = new App();

function setting(key: string, envVar: string, fallback?: string): string {
  const value = (app.node.tryGetContext(key) as string | undefined) ?? process.env[envVar] ?? fallback;
  if (!value)
    throw new Error(
      `Missing configuration: set context '${key}' in cdk.json (or -c ${key}=...) or ${envVar}`,
    );
  return value;
}

function optionalSetting(key: string, envVar: string): Record<string, string> {
  const value = (app.node.tryGetContext(key) as string | undefined) ?? process.env[envVar];
  return value ? { [key]: value } : {};
}

/**
 * An optional object in context: cdk.json holds it as JSON, `-c jira='{...}'` as a string of JSON.
 * Its shape is checked by the stack (the mappings by the same zod schemas the handlers use).
 */
function objectSetting<T>(key: string): T | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'object') return value as T;
  try {
    return JSON.parse(String(value)) as T;
  } catch {
    throw new Error(`Context '${key}' must be a JSON object`);
  }
}

const jira = objectSetting<JiraDeployment>('jira');
const servicenow = objectSetting<ServiceNowDeployment>('servicenow');

const konnectApiUrl = optionalSetting('konnectApiUrl', 'KONNECT_API_URL').konnectApiUrl;
const konnectTokenSecretName = optionalSetting(
  'konnectTokenSecretName',
  'KONNECT_TOKEN_SECRET_NAME',
).konnectTokenSecretName;
if (Boolean(konnectApiUrl) !== Boolean(konnectTokenSecretName))
  throw new Error(
    'Konnect needs both konnectApiUrl (KONNECT_API_URL) and konnectTokenSecretName (KONNECT_TOKEN_SECRET_NAME)',
  );

const config: ProvisioningConfig = {
  environmentName: setting('environmentName', 'PROVISIONER_ENVIRONMENT', 'dev'),
  oktaOrgUrl: setting('oktaOrgUrl', 'OKTA_ORG_URL'),
  kongAdminUrl: setting('kongAdminUrl', 'KONG_ADMIN_URL'),
  oktaTokenSecretName: setting('oktaTokenSecretName', 'OKTA_TOKEN_SECRET_NAME'),
  kongTokenSecretName: setting('kongTokenSecretName', 'KONG_TOKEN_SECRET_NAME'),
  ...optionalSetting('kongRbacHeader', 'KONG_RBAC_HEADER'),
  ...optionalSetting('kongPortalSessionCookieDomain', 'KONG_PORTAL_SESSION_COOKIE_DOMAIN'),
  ...(konnectApiUrl && konnectTokenSecretName
    ? { konnect: { apiUrl: konnectApiUrl, tokenSecretName: konnectTokenSecretName } }
    : {}),
  ...(jira || servicenow
    ? { tickets: { ...(jira ? { jira } : {}), ...(servicenow ? { servicenow } : {}) } }
    : {}),
};

new ProvisioningStack(app, `KongPortalProvisioner-${config.environmentName}`, {
  config,
  description: 'kong-portal-provisioner: Kong Developer Portals with Okta SSO, on request',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

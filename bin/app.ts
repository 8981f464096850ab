/**
 * The CDK app. Configuration comes from cdk.json context (`-c key=value` overrides) or, failing
 * that, the environment; nothing here needs AWS credentials to synthesize.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ProvisioningStack, type ProvisioningConfig } from '../lib/stack';

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

const config: ProvisioningConfig = {
  environmentName: setting('environmentName', 'PROVISIONER_ENVIRONMENT', 'dev'),
  oktaOrgUrl: setting('oktaOrgUrl', 'OKTA_ORG_URL'),
  kongAdminUrl: setting('kongAdminUrl', 'KONG_ADMIN_URL'),
  oktaTokenSecretName: setting('oktaTokenSecretName', 'OKTA_TOKEN_SECRET_NAME'),
  kongTokenSecretName: setting('kongTokenSecretName', 'KONG_TOKEN_SECRET_NAME'),
  ...optionalSetting('kongRbacHeader', 'KONG_RBAC_HEADER'),
  ...optionalSetting('kongPortalSessionCookieDomain', 'KONG_PORTAL_SESSION_COOKIE_DOMAIN'),
};

new ProvisioningStack(app, `KongPortalProvisioner-${config.environmentName}`, {
  config,
  description: 'kong-portal-provisioner: Kong Developer Portals with Okta SSO, on request',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

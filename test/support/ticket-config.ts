/** A deployment configuration with both ticketing systems, as an operator would write it in cdk.json. */
import type { ProvisioningConfig } from '../../lib/stack';

export const TICKETS_CONFIG: ProvisioningConfig = {
  environmentName: 'test',
  oktaOrgUrl: 'https://example.okta.com',
  kongAdminUrl: 'https://kong-admin.example.com:8444',
  oktaTokenSecretName: 'ops/okta-api-token',
  kongTokenSecretName: 'ops/kong-admin-token',
  konnect: { apiUrl: 'https://eu.api.konghq.com', tokenSecretName: 'ops/konnect-token' },
  tickets: {
    jira: {
      siteUrl: 'https://acme.atlassian.net',
      credentialsSecretName: 'ops/jira-credentials',
      mapping: {
        projects: ['SD'],
        issueTypes: ['Service Request'],
        approvedStatus: 'Approved',
        fields: { workspace: 'customfield_10050', oktaGroups: 'customfield_10052' },
      },
      successTransitionId: '31',
    },
    servicenow: {
      instanceUrl: 'https://acme.service-now.com',
      credentialsSecretName: 'ops/servicenow-credentials',
      mapping: {
        catalogItems: ['Kong Dev Portal'],
        variables: { workspace: 'kong_workspace', oktaGroups: 'okta_groups' },
      },
      successState: '3',
    },
  },
};

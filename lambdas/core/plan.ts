/**
 * The dry-run plan: what a provisioning would create, change or leave alone, with the Kong
 * config diff. Pure: built from what the planning steps resolved; secrets are always masked.
 */
import { buildPortalAuthConf, maskPortalAuthConf } from './portal-auth-conf';
import type { PortalUrls } from './portal-urls';
import type { ProvisioningRequest } from './request';

/** `ensure`: created unless it is already there (only known once the resource it belongs to exists). */
export type Action = 'create' | 'reuse' | 'reactivate' | 'ensure' | 'conflict' | 'change' | 'unchanged';

export interface PlanInput {
  request: ProvisioningRequest;
  name: string;
  urls: PortalUrls;
  groups: Array<{ ref: string; id: string; name: string }>;
  existing: {
    app?: { id: string; managedByProvisioner: boolean; active: boolean };
    authServer?: { id: string; managedByProvisioner: boolean; active: boolean };
  };
  /** The workspace's current portal settings, secrets already masked. */
  currentSettings: Record<string, unknown>;
  secretNames: string[];
  /** Security-relevant changes to the portal as found. */
  warnings?: readonly string[];
}

export interface PlanItem {
  action: Action;
  what: string;
  detail?: Record<string, unknown>;
}

export interface Plan {
  okta: PlanItem[];
  kong: {
    action: Action;
    workspace: string;
    portalUrl: string;
    redirectUri: string;
    before: Record<string, unknown>;
    after: Record<string, unknown>;
  };
  secrets: PlanItem[];
  warnings?: string[];
}

function existingAction(found: { managedByProvisioner: boolean; active: boolean } | undefined): Action {
  if (!found) return 'create';
  if (!found.managedByProvisioner) return 'conflict';
  return found.active ? 'reuse' : 'reactivate';
}

export function buildPlan(input: PlanInput): Plan {
  const { request, name, urls } = input;
  const appAction = existingAction(input.existing.app);
  const serverAction = existingAction(input.existing.authServer);
  const issuer = input.existing.authServer
    ? `<issuer of ${input.existing.authServer.id}>`
    : `<issuer of the new authorization server ${name}>`;
  const conf = maskPortalAuthConf(
    buildPortalAuthConf({
      issuer,
      clientId: input.existing.app?.id ?? `<client id of the new app ${name}>`,
      clientSecret: '***',
      urls,
      claimName: request.claimName,
      scopes: request.scopes,
      sslVerify: request.sslVerify,
    }),
  );
  const after = {
    portal: true,
    portal_auth: 'openid-connect',
    portal_auth_conf: JSON.stringify(conf),
    portal_auto_approve: request.autoApprove,
  };
  const before = Object.fromEntries(Object.keys(after).map((k) => [k, input.currentSettings[k] ?? null]));
  const changed = Object.keys(after).some(
    (k) => JSON.stringify(before[k]) !== JSON.stringify((after as Record<string, unknown>)[k]),
  );
  return {
    okta: [
      {
        action: appAction,
        what: `OIDC Web app '${name}'`,
        detail: { id: input.existing.app?.id, redirectUri: urls.redirectUri },
      },
      ...input.groups.map((g): PlanItem => ({
        action: appAction === 'create' ? 'create' : 'ensure',
        what: `assignment of group '${g.name}'`,
        detail: { groupId: g.id },
      })),
      {
        action: serverAction,
        what: `authorization server '${name}'`,
        detail: { id: input.existing.authServer?.id, audience: request.audience },
      },
      {
        action: serverAction === 'create' ? 'create' : 'ensure',
        what: `ID-token claim '${request.claimName}' = user.${request.emailAttribute}`,
      },
      {
        action: serverAction === 'create' ? 'create' : 'ensure',
        what: `access policy '${name}' for the app`,
      },
      {
        action: serverAction === 'create' ? 'create' : 'ensure',
        what: `rule '${name}': authorization code, any user, any scope`,
        detail: { ...request.tokenLifetimes },
      },
    ],
    kong: {
      action: changed ? 'change' : 'unchanged',
      workspace: request.workspace,
      portalUrl: urls.portalGuiUrl,
      redirectUri: urls.redirectUri,
      before,
      after,
    },
    secrets: input.secretNames.map((s): PlanItem => ({ action: 'create', what: `secret '${s}'` })),
    ...(input.warnings?.length ? { warnings: [...input.warnings] } : {}),
  };
}

/**
 * The dry-run plan: what a provisioning would create, change or leave alone, with the Kong
 * config diff. Pure: built from what the planning steps resolved; secrets are always masked.
 */
import { buildPortalAuthConf, maskPortalAuthConf } from './portal-auth-conf';
import type { PortalPlan } from './portal-target';
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
  /** The portal's sign-in settings now and after, for either target. */
  portal: PortalPlan & { action: Action };
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
  const preview = {
    issuer: input.existing.authServer
      ? `<issuer of authorization server ${input.existing.authServer.id}>`
      : `<issuer of the new authorization server ${name}>`,
    clientId: input.existing.app?.id ?? `<client id of the new app ${name}>`,
  };
  const { before, after } =
    request.target === 'konnect'
      ? konnectPortalChange(request, input.currentSettings, preview)
      : kongPortalChange(request, urls, input.currentSettings, preview);
  const changed = Object.keys(after).some((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
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
    portal: {
      action: changed ? 'change' : 'unchanged',
      target: request.target,
      portal: request.workspace,
      portalUrl: urls.portalGuiUrl,
      redirectUri: urls.redirectUri,
      before,
      after,
    },
    secrets: input.secretNames.map((s): PlanItem => ({ action: 'create', what: `secret '${s}'` })),
    ...(input.warnings?.length ? { warnings: [...input.warnings] } : {}),
  };
}

type Change = { before: Record<string, unknown>; after: Record<string, unknown> };
type Preview = { issuer: string; clientId: string };

/** A Kong workspace: its four `config.portal*` values. */
function kongPortalChange(
  request: ProvisioningRequest,
  urls: PortalUrls,
  current: Record<string, unknown>,
  preview: Preview,
): Change {
  const conf = maskPortalAuthConf(
    buildPortalAuthConf({
      issuer: preview.issuer,
      clientId: preview.clientId,
      clientSecret: '***',
      urls,
      claimName: request.claimName,
      scopes: request.scopes,
      sslVerify: request.sslVerify,
    }),
  );
  const after: Record<string, unknown> = {
    portal: true,
    portal_auth: 'openid-connect',
    portal_auth_conf: JSON.stringify(conf),
    portal_auto_approve: request.autoApprove,
  };
  return { before: Object.fromEntries(Object.keys(after).map((k) => [k, current[k] ?? null])), after };
}

/** A Konnect portal: its authentication flags and identity providers (never a secret: Konnect returns none). */
function konnectPortalChange(
  request: ProvisioningRequest,
  current: Record<string, unknown>,
  preview: Preview,
): Change {
  const providers = Array.isArray(current.identity_providers) ? current.identity_providers : [];
  const after: Record<string, unknown> = {
    authentication_enabled: true,
    auto_approve_developers: request.autoApprove,
    identity_providers: [
      ...providers.filter(
        (p: unknown) =>
          !(typeof p === 'object' && p !== null && 'clientId' in p && p.clientId === preview.clientId),
      ),
      {
        type: 'oidc',
        enabled: true,
        clientId: preview.clientId,
        issuer: preview.issuer,
        scopes: [...request.scopes],
        claim_mappings: { name: 'name', email: request.claimName, groups: 'groups' },
        client_secret: '***',
      },
    ],
  };
  return { before: Object.fromEntries(Object.keys(after).map((k) => [k, current[k] ?? null])), after };
}

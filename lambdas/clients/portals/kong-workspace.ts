/**
 * The Kong Enterprise workspace Dev Portal as a portal target: the workspace's `config.portal*`
 * values are the sign-in settings, Kong's node configuration says where the portal lives.
 */
import { buildPortalAuthConf } from '../../core/portal-auth-conf';
import { derivePortalUrls, type PortalUrlOptions } from '../../core/portal-urls';
import type {
  PortalLocation,
  PortalPlace,
  PortalRequest,
  PortalTarget,
  SignInSettings,
  StoredSignIn,
} from '../../core/portal-target';
import { maskedSettings } from '../../core/settings-mask';
import { weakeningsOf } from '../../core/weakenings';
import type { KongClient, PortalSettings } from '../kong';

/** What a workspace's portal settings are when nothing ever configured them. */
export const KONG_DEFAULTS: PortalSettings = {
  portal: false,
  portal_auth: null,
  portal_auth_conf: null,
  portal_auto_approve: null,
};

export class KongWorkspacePortal implements PortalTarget {
  readonly kind = 'kong-ee-workspace' as const;

  constructor(
    private readonly kong: KongClient,
    private readonly urlOptions: PortalUrlOptions = {},
  ) {}

  async locate(request: PortalRequest): Promise<PortalLocation> {
    const env = await this.kong.readPortalEnvironment(request.workspace);
    return {
      portalId: env.workspaceId,
      urls: derivePortalUrls(request.workspace, env.configuration, this.urlOptions),
      snapshot: JSON.stringify(env.settings),
      masked: maskedSettings(env.settings),
      warnings: weakeningsOf(env.settings, request),
      aliases: [],
    };
  }

  apply(request: PortalRequest, { urls }: PortalPlace, signIn: SignInSettings): Promise<StoredSignIn> {
    const authConf = buildPortalAuthConf({
      issuer: signIn.issuer,
      clientId: signIn.clientId,
      clientSecret: signIn.clientSecret,
      urls,
      claimName: request.claimName,
      scopes: request.scopes,
      sslVerify: request.sslVerify,
    });
    return this.kong.applyPortalAuth(
      request.workspace,
      { authConf, autoApprove: request.autoApprove },
      { issuer: signIn.issuer, clientId: signIn.clientId, redirectUri: urls.redirectUri },
    );
  }

  /** Kong settings are values, not resources: the snapshot is written back whoever set them since. */
  restore(key: string, snapshot: string): Promise<{ changed: boolean }> {
    return this.kong.restorePortalSettings(key, JSON.parse(snapshot) as PortalSettings);
  }

  async resetIfSignsInWith(
    key: string,
    clientIds: readonly string[],
  ): Promise<'reset' | 'unchanged' | 'not-ours'> {
    const current = await this.kong.readPortalSettings(key);
    const conf = typeof current.portal_auth_conf === 'string' ? current.portal_auth_conf : '';
    if (!clientIds.some((clientId) => conf.includes(`"${clientId}"`))) return 'not-ours';
    return (await this.kong.restorePortalSettings(key, KONG_DEFAULTS)).changed ? 'reset' : 'unchanged';
  }
}

/** The portal's OIDC Web app: find-or-create by label, its client secret, its group assignments, owned removal. */
import type * as okta from '@okta/okta-sdk-nodejs';
import { PermanentError } from '../../core/errors';
import { markerFromProfile, profileMarker, type Owner } from '../../core/naming';
import type { UndoReport } from '../../core/undo-report';
import { logger } from '../logger';
import type { OktaApi } from './api';
import { drift, foreignResource } from './errors';
import {
  locateOwned,
  pickOwned,
  removeLocated,
  removeOwned,
  type EnsureOptions,
  type Located,
  type OwnedRemoval,
} from './owned';
import { ApplicationApi } from './sdk/application-api';
import { ApplicationSSOPublicKeysApi } from './sdk/application-sso-public-keys-api';

export interface AppSpec {
  label: string;
  owner: Owner;
  redirectUri: string;
  /** Further sign-in redirect URIs the portal answers on (a Konnect portal's default domain beside its custom one). */
  otherRedirectUris?: readonly string[];
  /** Where Okta may send the browser after sign-out: Kong passes the portal GUI URL as post_logout_redirect_uri. */
  postLogoutRedirectUris: readonly string[];
  /** Refresh tokens are only granted when the portal asks for `offline_access`. */
  scopes: readonly string[];
}

export interface EnsuredApp {
  id: string;
  clientId: string;
  created: boolean;
  /** Present only when Okta just returned it (on create); otherwise use `readClientSecret`. */
  clientSecret?: string;
}

/** How to find the resource an undo is about: by id when the forward step recorded it, else by name. */
export interface ResourceRef {
  id?: string;
  name: string;
}

const clientIdOf = (app: okta.OpenIdConnectApplication) =>
  app.credentials?.oauthClient?.client_id ?? (app.id as string);

export class OktaApps {
  private readonly sdk: ApplicationApi;
  private readonly keys: ApplicationSSOPublicKeysApi;

  constructor(private readonly api: OktaApi) {
    this.sdk = new ApplicationApi(api.transport);
    this.keys = new ApplicationSSOPublicKeysApi(api.transport);
  }

  /** `q` is a prefix match on name or label: keep exact labels only. */
  async find(label: string): Promise<okta.Application[]> {
    const apps = await this.api.list('listApplications', () => this.sdk.listApplications({ q: label }));
    return apps.filter((app) => app.label === label);
  }

  async ensure(spec: AppSpec, options: EnsureOptions = {}): Promise<EnsuredApp> {
    const candidates = options.knownAbsent ? [] : await this.find(spec.label);
    const existing = pickOwned(candidates, (a) => markerFromProfile(a.profile), spec.owner);
    if (existing && 'foreign' in existing) throw foreignResource('app', spec.label, existing.foreign);
    if (existing) {
      // Apps we create are OIDC apps; a foreign app of another kind was refused above.
      const app = existing.item as okta.OpenIdConnectApplication;
      const redirects = app.settings?.oauthClient?.redirect_uris ?? [];
      if (!redirects.includes(spec.redirectUri))
        throw drift(
          'app',
          spec.label,
          `its sign-in redirect URIs are ${JSON.stringify(redirects)}, not '${spec.redirectUri}'`,
        );
      // Lists include INACTIVE apps; an app of ours left inactive (a teardown that could not finish) is brought back.
      if (app.status === 'INACTIVE') {
        await this.api.call('activateApplication', () =>
          this.sdk.activateApplication({ appId: app.id as string }),
        );
        logger.info('okta app reactivated', { appId: app.id });
      }
      logger.info('okta app adopted', { appId: app.id, ownership: existing.ownership });
      return {
        id: app.id as string,
        clientId: clientIdOf(app),
        created: existing.ownership === 'this-request',
      };
    }
    const created = (await this.api.call('createApplication', () =>
      this.sdk.createApplication({ application: appBody(spec), activate: true }),
    )) as okta.OpenIdConnectApplication;
    logger.info('okta app created', { appId: created.id });
    return {
      id: created.id as string,
      clientId: clientIdOf(created),
      created: true,
      clientSecret: created.credentials?.oauthClient?.client_secret,
    };
  }

  /** The app's sign-in redirect URIs as Okta holds them now. */
  async redirectUris(appId: string): Promise<string[]> {
    const app = (await this.api.call('getApplication', () =>
      this.sdk.getApplication({ appId }),
    )) as okta.OpenIdConnectApplication;
    return app.settings?.oauthClient?.redirect_uris ?? [];
  }

  /**
   * Okta returns a secret only on create; an adopted app's secret is read from its credentials.
   * During a rotation an app holds two ACTIVE secrets: the newest-created one is the one to use
   * (as the Okta Terraform provider's okta_app_oauth data source chooses it).
   */
  async readClientSecret(appId: string): Promise<string> {
    const secrets = await this.api.list('listOAuth2ClientSecrets', () =>
      this.keys.listOAuth2ClientSecrets({ appId }),
    );
    const created = (s: { created?: Date | string }) => new Date(s.created ?? 0).getTime();
    const active = secrets
      .filter((s) => s.status === 'ACTIVE' && s.client_secret)
      .sort((a, b) => created(b) - created(a))[0];
    if (!active?.client_secret) throw new PermanentError(`Okta app ${appId} has no active client secret`);
    return active.client_secret;
  }

  async remove(ref: ResourceRef, owner: Owner): Promise<UndoReport> {
    const candidates = ref.id
      ? [
          await this.api.find('getApplication', () => this.sdk.getApplication({ appId: ref.id as string })),
        ].filter((a): a is okta.Application => a !== undefined)
      : await this.find(ref.name);
    return removeOwned(candidates, owner, this.removal);
  }

  /** The apps with this label, and which of them are the owner's to remove. */
  async locate(label: string, owner: Owner): Promise<Located[]> {
    return locateOwned(await this.find(label), owner, this.removal);
  }

  /** Removes what `locate` judged the owner's, without looking again. */
  removeLocated(located: readonly Located[]): Promise<UndoReport> {
    return removeLocated(located, this.removal);
  }

  private readonly removal: OwnedRemoval<okta.Application> = {
    what: 'okta app',
    idOf: (app) => app.id as string,
    markerOf: (app) => markerFromProfile(app.profile),
    isInactive: (app) => app.status === 'INACTIVE',
    deactivate: (appId) =>
      this.api.gone('deactivateApplication', () => this.sdk.deactivateApplication({ appId })),
    remove: (appId) => this.api.gone('deleteApplication', () => this.sdk.deleteApplication({ appId })),
  };

  // ---- group assignments -----------------------------------------------------------------------

  async assignedGroupIds(appId: string): Promise<string[]> {
    const assigned = await this.api.list('listApplicationGroupAssignments', () =>
      this.sdk.listApplicationGroupAssignments({ appId }),
    );
    return assigned.flatMap((a) => (a.id ? [a.id] : []));
  }

  /** Assigns every missing group at once; `knownAbsent`: the app has no assignments yet (made moments ago). */
  async ensureGroupAssignments(
    appId: string,
    groupIds: readonly string[],
    options: EnsureOptions = {},
  ): Promise<Array<{ groupId: string; created: boolean }>> {
    const present = new Set(options.knownAbsent ? [] : await this.assignedGroupIds(appId));
    await Promise.all(
      groupIds
        .filter((groupId) => !present.has(groupId))
        .map((groupId) =>
          this.api.call('assignGroupToApplication', () =>
            this.sdk.assignGroupToApplication({ appId, groupId }),
          ),
        ),
    );
    return groupIds.map((groupId) => ({ groupId, created: !present.has(groupId) }));
  }

  /** Reads first and removes only the given groups that are still assigned. */
  async removeGroupAssignments(appId: string, groupIds: readonly string[]): Promise<UndoReport> {
    const assigned = new Set(groupIds.length ? await this.assignedGroupIds(appId) : []);
    const report: UndoReport = { removed: [], leftAlone: [] };
    for (const groupId of groupIds.filter((id) => assigned.has(id))) {
      await this.api.gone('unassignApplicationFromGroup', () =>
        this.sdk.unassignApplicationFromGroup({ appId, groupId }),
      );
      report.removed.push(groupId);
    }
    return report;
  }
}

/** The SDK's model classes are the request type; a plain object of the same shape is what it sends. */
function appBody(spec: AppSpec): okta.OpenIdConnectApplication {
  const offline = spec.scopes.includes('offline_access');
  return {
    name: 'oidc_client',
    label: spec.label,
    signOnMode: 'OPENID_CONNECT',
    profile: profileMarker(spec.owner),
    credentials: {
      oauthClient: { token_endpoint_auth_method: 'client_secret_basic', autoKeyRotation: true },
    },
    settings: {
      oauthClient: {
        application_type: 'web',
        redirect_uris: [spec.redirectUri, ...(spec.otherRedirectUris ?? [])],
        post_logout_redirect_uris: [...spec.postLogoutRedirectUris],
        response_types: ['code'],
        grant_types: offline ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
        consent_method: 'TRUSTED',
      },
    },
  };
}

/**
 * Okta Management API, through the official SDK, one resource family per module. Every
 * `ensure*` is find-or-create by a deterministic name and reports `created`; every `remove*` only
 * removes what the given request owns and treats "already gone" as done.
 */
import { isOurs, markerFromDescription, markerFromProfile, type Scope } from '../../core/naming';
import { OktaApi, type OktaConfig } from './api';
import { OktaApps } from './apps';
import { OktaAuthServers } from './auth-servers';
import { OktaAuthorization } from './authorization';
import { OktaDirectory } from './directory';

export type { OktaConfig } from './api';
export type { AppSpec, EnsuredApp, ResourceRef } from './apps';
export type { AuthServerSpec, EnsuredAuthServer } from './auth-servers';
export type { ClaimSpec, Ensured, PolicySpec, RuleSpec, ServerContents } from './authorization';
export type { ResolvedGroup } from './directory';
export { mapOktaError } from './errors';
export type { Located } from './owned';

export interface ExistingResource {
  id: string;
  /** Made by the provisioner for exactly this (environment, workspace). */
  managedByProvisioner: boolean;
  /** False when Okta lists it INACTIVE (a provisioning reactivates its own). */
  active: boolean;
}

/** What an earlier provisioning left in place: undo removes only what is not listed here. */
export interface ExistingResources {
  app?: ExistingResource & { groupIds: string[] };
  authServer?: ExistingResource & {
    claimNames: string[];
    policies: Array<{ id: string; name: string; ruleNames: string[] }>;
  };
}

export class OktaClient {
  readonly orgUrl: string;
  readonly apps: OktaApps;
  readonly authServers: OktaAuthServers;
  readonly authorization: OktaAuthorization;
  readonly directory: OktaDirectory;

  constructor(config: OktaConfig) {
    const api = new OktaApi(config);
    this.orgUrl = api.orgUrl;
    this.apps = new OktaApps(api);
    this.authServers = new OktaAuthServers(api);
    this.authorization = new OktaAuthorization(api);
    this.directory = new OktaDirectory(api);
  }

  /** What already exists under our name, and whether the provisioner made it (for plans and undo). */
  async lookupExisting(name: string, scope: Scope): Promise<ExistingResources> {
    const [[app], [server]] = await Promise.all([this.apps.find(name), this.authServers.find(name)]);
    const [appGroups, contents] = await Promise.all([
      app?.id ? this.apps.assignedGroupIds(app.id) : [],
      server?.id ? this.serverContents(server.id) : undefined,
    ]);
    const existing: ExistingResources = {};
    if (app?.id) {
      existing.app = {
        id: app.id,
        managedByProvisioner: isOurs(markerFromProfile(app.profile), scope),
        active: app.status !== 'INACTIVE',
        groupIds: appGroups,
      };
    }
    if (server?.id && contents) {
      existing.authServer = {
        id: server.id,
        managedByProvisioner: isOurs(markerFromDescription(server.description), scope),
        active: server.status !== 'INACTIVE',
        ...contents,
      };
    }
    return existing;
  }

  private async serverContents(authServerId: string) {
    const [claims, policies] = await Promise.all([
      this.authorization.identityClaims(authServerId),
      this.authorization.policies(authServerId),
    ]);
    return {
      claimNames: claims.flatMap((c) => (c.name ? [c.name] : [])),
      policies: await Promise.all(
        policies.map(async (p) => ({
          id: p.id as string,
          name: p.name ?? '',
          ruleNames: (await this.authorization.rules(authServerId, p.id as string)).flatMap((r) =>
            r.name ? [r.name] : [],
          ),
        })),
      ),
    };
  }
}

/**
 * The Okta client as a function composes it: the resource families its step uses, over one SDK
 * transport, and the lookup of what an earlier provisioning left (apps, servers and their contents).
 */
import { PermanentError } from '../../core/errors';
import { isOurs, markerFromDescription, markerFromProfile, type Scope } from '../../core/naming';
import { OktaApi, type OktaConfig } from './api';
import type { OktaApps } from './apps';
import type { OktaAuthServers } from './auth-servers';
import type { OktaAuthorization } from './authorization';
import type { OktaDirectory } from './directory';

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

/**
 * The resource families a function is built with (each loads only its own SDK API classes); one
 * it was not built with is a configuration error on first use.
 */
export interface OktaFamilies {
  apps?: typeof OktaApps;
  authServers?: typeof OktaAuthServers;
  authorization?: typeof OktaAuthorization;
  directory?: typeof OktaDirectory;
}

function missing<T extends object>(family: string): T {
  return new Proxy({} as T, {
    get() {
      throw new PermanentError(`Configuration error: this function has no Okta ${family} client`);
    },
  });
}

export class OktaFamilyClient {
  readonly orgUrl: string;
  readonly apps: OktaApps;
  readonly authServers: OktaAuthServers;
  readonly authorization: OktaAuthorization;
  readonly directory: OktaDirectory;

  constructor(config: OktaConfig, families: OktaFamilies) {
    const api = new OktaApi(config);
    this.orgUrl = api.orgUrl;
    this.apps = families.apps ? new families.apps(api) : missing('apps');
    this.authServers = families.authServers
      ? new families.authServers(api)
      : missing('authorization servers');
    this.authorization = families.authorization
      ? new families.authorization(api)
      : missing('authorization (claims, policies, rules)');
    this.directory = families.directory ? new families.directory(api) : missing('directory');
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

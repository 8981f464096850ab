/** The portal's custom authorization server: find-or-create by name, owned removal (its claims, policies and rules go with it). */
import type * as okta from '@okta/okta-sdk-nodejs';
import { describeWithMarker, markerFromDescription, type Owner } from '../../core/naming';
import type { UndoReport } from '../../core/undo-report';
import { logger } from '../logger';
import type { OktaApi } from './api';
import { AuthorizationServerApi } from './sdk/authorization-server-api';
import type { ResourceRef } from './apps';
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

export interface AuthServerSpec {
  name: string;
  audience: string;
  description: string;
  owner: Owner;
}

export interface EnsuredAuthServer {
  id: string;
  issuer: string;
  created: boolean;
}

export class OktaAuthServers {
  private readonly sdk: AuthorizationServerApi;

  constructor(private readonly api: OktaApi) {
    this.sdk = new AuthorizationServerApi(api.transport);
  }

  /** `q` matches names and audiences by prefix: keep exact names only. */
  async find(name: string): Promise<okta.AuthorizationServer[]> {
    const servers = await this.api.list('listAuthorizationServers', () =>
      this.sdk.listAuthorizationServers({ q: name }),
    );
    return servers.filter((s) => s.name === name);
  }

  async ensure(spec: AuthServerSpec, options: EnsureOptions = {}): Promise<EnsuredAuthServer> {
    const existing = pickOwned(
      options.knownAbsent ? [] : await this.find(spec.name),
      (s) => markerFromDescription(s.description),
      spec.owner,
    );
    if (existing && 'foreign' in existing)
      throw foreignResource('authorization server', spec.name, existing.foreign);
    if (existing) {
      const server = existing.item;
      if (!server.audiences?.includes(spec.audience))
        throw drift(
          'authorization server',
          spec.name,
          `its audiences are ${JSON.stringify(server.audiences ?? [])}, not '${spec.audience}'`,
        );
      // Lists include INACTIVE servers, whose discovery document Okta no longer serves: bring ours back.
      if (server.status === 'INACTIVE') {
        const authServerId = server.id as string;
        await this.api.call('activateAuthorizationServer', () =>
          this.sdk.activateAuthorizationServer({ authServerId }),
        );
        logger.info('okta authorization server reactivated', { authServerId });
      }
      return {
        id: server.id as string,
        issuer: server.issuer as string,
        created: existing.ownership === 'this-request',
      };
    }
    const authorizationServer: okta.AuthorizationServer = {
      name: spec.name,
      audiences: [spec.audience],
      description: describeWithMarker(spec.description, spec.owner),
    };
    const server = await this.api.call('createAuthorizationServer', () =>
      this.sdk.createAuthorizationServer({ authorizationServer }),
    );
    logger.info('okta authorization server created', { authServerId: server.id });
    return { id: server.id as string, issuer: server.issuer as string, created: true };
  }

  /** Removes the server (and with it its claims, policies and rules) when this request owns it. */
  async remove(ref: ResourceRef, owner: Owner): Promise<UndoReport> {
    const candidates = ref.id
      ? [
          await this.api.find('getAuthorizationServer', () =>
            this.sdk.getAuthorizationServer({ authServerId: ref.id as string }),
          ),
        ].filter((s): s is okta.AuthorizationServer => s !== undefined)
      : await this.find(ref.name);
    return removeOwned(candidates, owner, this.removal);
  }

  /** The servers with this name, and which of them are the owner's to remove. */
  async locate(name: string, owner: Owner): Promise<Located[]> {
    return locateOwned(await this.find(name), owner, this.removal);
  }

  /** Removes what `locate` judged the owner's, without looking again. */
  removeLocated(located: readonly Located[]): Promise<UndoReport> {
    return removeLocated(located, this.removal);
  }

  private readonly removal: OwnedRemoval<okta.AuthorizationServer> = {
    what: 'okta authorization server',
    idOf: (server) => server.id as string,
    markerOf: (server) => markerFromDescription(server.description),
    isInactive: (server) => server.status === 'INACTIVE',
    deactivate: (authServerId) =>
      this.api.gone('deactivateAuthorizationServer', () =>
        this.sdk.deactivateAuthorizationServer({ authServerId }),
      ),
    remove: (authServerId) =>
      this.api.gone('deleteAuthorizationServer', () => this.sdk.deleteAuthorizationServer({ authServerId })),
  };
}

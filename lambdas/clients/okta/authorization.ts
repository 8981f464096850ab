/**
 * What lives inside an authorization server: the ID-token claim, the access policy for the app,
 * and its rule. Okta's list endpoints for these take no filter: list and match by name.
 */
import type * as okta from '@okta/okta-sdk-nodejs';
import { describeWithMarker, markerFromDescription, ownershipOf, type Owner } from '../../core/naming';
import type { OktaApi } from './api';
import { AuthorizationServerApi } from './sdk/authorization-server-api';
import { drift } from './errors';
import type { EnsureOptions } from './owned';

export interface Ensured {
  id: string;
  created: boolean;
}

export interface ClaimSpec {
  name: string;
  /** Okta expression, e.g. `user.login`. */
  value: string;
}

export interface PolicySpec {
  name: string;
  description: string;
  clientId: string;
  owner: Owner;
}

export interface RuleSpec {
  name: string;
  accessTokenMinutes: number;
  refreshTokenWindowMinutes: number;
}

export interface ServerContents {
  claimId?: string;
  policyId?: string;
  ruleId?: string;
}

export class OktaAuthorization {
  private readonly sdk: AuthorizationServerApi;

  constructor(private readonly api: OktaApi) {
    this.sdk = new AuthorizationServerApi(api.transport);
  }

  /** The ID-token claims (the only kind we make). */
  async identityClaims(authServerId: string): Promise<okta.OAuth2Claim[]> {
    const claims = await this.api.list('listOAuth2Claims', () => this.sdk.listOAuth2Claims({ authServerId }));
    return claims.filter((c) => c.claimType === 'IDENTITY');
  }

  policies(authServerId: string): Promise<okta.AuthorizationServerPolicy[]> {
    return this.api.list('listAuthorizationServerPolicies', () =>
      this.sdk.listAuthorizationServerPolicies({ authServerId }),
    );
  }

  rules(authServerId: string, policyId: string): Promise<okta.AuthorizationServerPolicyRule[]> {
    return this.api.list('listAuthorizationServerPolicyRules', () =>
      this.sdk.listAuthorizationServerPolicyRules({ authServerId, policyId }),
    );
  }

  /** Ids by name inside a server, for undoing what a request added to a server it did not create. */
  async find(
    authServerId: string,
    names: { claim: string; policy: string; rule: string },
  ): Promise<ServerContents> {
    const [claims, policies] = await Promise.all([
      this.identityClaims(authServerId),
      this.policies(authServerId),
    ]);
    const claimId = claims.find((c) => c.name === names.claim)?.id;
    const policyId = policies.find((p) => p.name === names.policy)?.id;
    const ruleId = policyId
      ? (await this.rules(authServerId, policyId)).find((r) => r.name === names.rule)?.id
      : undefined;
    return {
      ...(claimId ? { claimId } : {}),
      ...(policyId ? { policyId } : {}),
      ...(ruleId ? { ruleId } : {}),
    };
  }

  async ensureClaim(authServerId: string, spec: ClaimSpec, options: EnsureOptions = {}): Promise<Ensured> {
    const claims = options.knownAbsent ? [] : await this.identityClaims(authServerId);
    const found = claims.find((c) => c.name === spec.name);
    if (found?.id) {
      if (found.value !== spec.value)
        throw drift('claim', spec.name, `its value is '${String(found.value)}', not '${spec.value}'`);
      return { id: found.id, created: false };
    }
    const oAuth2Claim: okta.OAuth2Claim = {
      name: spec.name,
      status: 'ACTIVE',
      claimType: 'IDENTITY',
      valueType: 'EXPRESSION',
      value: spec.value,
      alwaysIncludeInToken: true,
      conditions: { scopes: [] },
    };
    const claim = await this.api.call('createOAuth2Claim', () =>
      this.sdk.createOAuth2Claim({ authServerId, oAuth2Claim }),
    );
    return { id: claim.id as string, created: true };
  }

  removeClaim(authServerId: string, claimId: string): Promise<void> {
    return this.api.gone('deleteOAuth2Claim', () => this.sdk.deleteOAuth2Claim({ authServerId, claimId }));
  }

  async ensureAccessPolicy(
    authServerId: string,
    spec: PolicySpec,
    options: EnsureOptions = {},
  ): Promise<Ensured> {
    const policies = options.knownAbsent ? [] : await this.policies(authServerId);
    const found = policies.find((p) => p.name === spec.name);
    if (found?.id) {
      const clients = found.conditions?.clients?.include ?? [];
      if (!clients.includes(spec.clientId) && !clients.includes('ALL_CLIENTS'))
        throw drift(
          'access policy',
          spec.name,
          `it applies to clients ${JSON.stringify(clients)}, not to '${spec.clientId}'`,
        );
      return {
        id: found.id,
        created: ownershipOf(markerFromDescription(found.description), spec.owner) === 'this-request',
      };
    }
    const policy: okta.AuthorizationServerPolicy = {
      type: 'OAUTH_AUTHORIZATION_POLICY',
      name: spec.name,
      description: describeWithMarker(spec.description, spec.owner),
      priority: 1,
      status: 'ACTIVE',
      conditions: { clients: { include: [spec.clientId] } },
    };
    const created = await this.api.call('createAuthorizationServerPolicy', () =>
      this.sdk.createAuthorizationServerPolicy({ authServerId, policy }),
    );
    return { id: created.id as string, created: true };
  }

  removeAccessPolicy(authServerId: string, policyId: string): Promise<void> {
    return this.api.gone('deleteAuthorizationServerPolicy', () =>
      this.sdk.deleteAuthorizationServerPolicy({ authServerId, policyId }),
    );
  }

  async ensurePolicyRule(
    authServerId: string,
    policyId: string,
    spec: RuleSpec,
    options: EnsureOptions = {},
  ): Promise<Ensured> {
    const rules = options.knownAbsent ? [] : await this.rules(authServerId, policyId);
    const found = rules.find((r) => r.name === spec.name);
    if (found?.id) {
      const token = found.actions?.token;
      if (
        token?.accessTokenLifetimeMinutes !== spec.accessTokenMinutes ||
        token?.refreshTokenWindowMinutes !== spec.refreshTokenWindowMinutes
      )
        throw drift('policy rule', spec.name, 'its token lifetimes differ from the request');
      return { id: found.id, created: false };
    }
    const policyRule: okta.AuthorizationServerPolicyRuleRequest = {
      type: 'RESOURCE_ACCESS',
      name: spec.name,
      priority: 1,
      status: 'ACTIVE',
      conditions: {
        grantTypes: { include: ['authorization_code'] },
        people: { groups: { include: ['EVERYONE'] } },
        scopes: { include: ['*'] },
      },
      actions: {
        token: {
          accessTokenLifetimeMinutes: spec.accessTokenMinutes,
          refreshTokenLifetimeMinutes: 0,
          refreshTokenWindowMinutes: spec.refreshTokenWindowMinutes,
        },
      },
    };
    const rule = await this.api.call('createAuthorizationServerPolicyRule', () =>
      this.sdk.createAuthorizationServerPolicyRule({ authServerId, policyId, policyRule }),
    );
    return { id: rule.id as string, created: true };
  }

  removePolicyRule(authServerId: string, policyId: string, ruleId: string): Promise<void> {
    return this.api.gone('deleteAuthorizationServerPolicyRule', () =>
      this.sdk.deleteAuthorizationServerPolicyRule({ authServerId, policyId, ruleId }),
    );
  }
}

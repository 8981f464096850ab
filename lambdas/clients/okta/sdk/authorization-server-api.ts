/** The AuthorizationServerApi calls the provisioner makes (server, claim, policy, rule); see application-api.ts. */
import type { ObjectAuthorizationServerApi } from '@okta/okta-sdk-nodejs/src/types/generated/types/ObjectParamAPI';
import {
  AuthorizationServerApiRequestFactory,
  AuthorizationServerApiResponseProcessor,
} from '@okta/okta-sdk-nodejs/src/generated/apis/AuthorizationServerApi';
import type { OktaTransport } from './transport';

type Used =
  | 'listAuthorizationServers'
  | 'getAuthorizationServer'
  | 'createAuthorizationServer'
  | 'activateAuthorizationServer'
  | 'deactivateAuthorizationServer'
  | 'deleteAuthorizationServer'
  | 'listOAuth2Claims'
  | 'createOAuth2Claim'
  | 'deleteOAuth2Claim'
  | 'listAuthorizationServerPolicies'
  | 'createAuthorizationServerPolicy'
  | 'deleteAuthorizationServerPolicy'
  | 'listAuthorizationServerPolicyRules'
  | 'createAuthorizationServerPolicyRule'
  | 'deleteAuthorizationServerPolicyRule';
type Api = Pick<ObjectAuthorizationServerApi, Used>;

export class AuthorizationServerApi implements Api {
  private readonly request: AuthorizationServerApiRequestFactory;
  private readonly response = new AuthorizationServerApiResponseProcessor();

  constructor(private readonly transport: OktaTransport) {
    this.request = new AuthorizationServerApiRequestFactory(transport.configuration);
  }

  listAuthorizationServers: Api['listAuthorizationServers'] = (p = {}, o) =>
    this.transport.collection(this.request.listAuthorizationServers(p.q, p.limit, p.after, o), (r) =>
      this.response.listAuthorizationServers(r),
    );

  getAuthorizationServer: Api['getAuthorizationServer'] = (p, o) =>
    this.transport.call(this.request.getAuthorizationServer(p.authServerId, o), (r) =>
      this.response.getAuthorizationServer(r),
    );

  createAuthorizationServer: Api['createAuthorizationServer'] = (p, o) =>
    this.transport.call(this.request.createAuthorizationServer(p.authorizationServer, o), (r) =>
      this.response.createAuthorizationServer(r),
    );

  activateAuthorizationServer: Api['activateAuthorizationServer'] = (p, o) =>
    this.transport.call(this.request.activateAuthorizationServer(p.authServerId, o), (r) =>
      this.response.activateAuthorizationServer(r),
    );

  deactivateAuthorizationServer: Api['deactivateAuthorizationServer'] = (p, o) =>
    this.transport.call(this.request.deactivateAuthorizationServer(p.authServerId, o), (r) =>
      this.response.deactivateAuthorizationServer(r),
    );

  deleteAuthorizationServer: Api['deleteAuthorizationServer'] = (p, o) =>
    this.transport.call(this.request.deleteAuthorizationServer(p.authServerId, o), (r) =>
      this.response.deleteAuthorizationServer(r),
    );

  listOAuth2Claims: Api['listOAuth2Claims'] = (p, o) =>
    this.transport.collection(this.request.listOAuth2Claims(p.authServerId, o), (r) =>
      this.response.listOAuth2Claims(r),
    );

  createOAuth2Claim: Api['createOAuth2Claim'] = (p, o) =>
    this.transport.call(this.request.createOAuth2Claim(p.authServerId, p.oAuth2Claim, o), (r) =>
      this.response.createOAuth2Claim(r),
    );

  deleteOAuth2Claim: Api['deleteOAuth2Claim'] = (p, o) =>
    this.transport.call(this.request.deleteOAuth2Claim(p.authServerId, p.claimId, o), (r) =>
      this.response.deleteOAuth2Claim(r),
    );

  listAuthorizationServerPolicies: Api['listAuthorizationServerPolicies'] = (p, o) =>
    this.transport.collection(this.request.listAuthorizationServerPolicies(p.authServerId, o), (r) =>
      this.response.listAuthorizationServerPolicies(r),
    );

  createAuthorizationServerPolicy: Api['createAuthorizationServerPolicy'] = (p, o) =>
    this.transport.call(this.request.createAuthorizationServerPolicy(p.authServerId, p.policy, o), (r) =>
      this.response.createAuthorizationServerPolicy(r),
    );

  deleteAuthorizationServerPolicy: Api['deleteAuthorizationServerPolicy'] = (p, o) =>
    this.transport.call(this.request.deleteAuthorizationServerPolicy(p.authServerId, p.policyId, o), (r) =>
      this.response.deleteAuthorizationServerPolicy(r),
    );

  listAuthorizationServerPolicyRules: Api['listAuthorizationServerPolicyRules'] = (p, o) =>
    this.transport.collection(
      this.request.listAuthorizationServerPolicyRules(p.authServerId, p.policyId, o),
      (r) => this.response.listAuthorizationServerPolicyRules(r),
    );

  createAuthorizationServerPolicyRule: Api['createAuthorizationServerPolicyRule'] = (p, o) =>
    this.transport.call(
      this.request.createAuthorizationServerPolicyRule(p.authServerId, p.policyId, p.policyRule, o),
      (r) => this.response.createAuthorizationServerPolicyRule(r),
    );

  deleteAuthorizationServerPolicyRule: Api['deleteAuthorizationServerPolicyRule'] = (p, o) =>
    this.transport.call(
      this.request.deleteAuthorizationServerPolicyRule(p.authServerId, p.policyId, p.ruleId, o),
      (r) => this.response.deleteAuthorizationServerPolicyRule(r),
    );
}

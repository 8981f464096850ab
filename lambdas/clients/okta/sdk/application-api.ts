/**
 * The ApplicationApi calls the provisioner makes, with the SDK's object-parameter signatures (the
 * compiler holds them to the SDK's own ObjectApplicationApi), over the SDK's generated request
 * factory and response processor for that API alone.
 */
import type { ObjectApplicationApi } from '@okta/okta-sdk-nodejs/src/types/generated/types/ObjectParamAPI';
import {
  ApplicationApiRequestFactory,
  ApplicationApiResponseProcessor,
} from '@okta/okta-sdk-nodejs/src/generated/apis/ApplicationApi';
import type { OktaTransport } from './transport';

type Used =
  | 'listApplications'
  | 'getApplication'
  | 'createApplication'
  | 'activateApplication'
  | 'deactivateApplication'
  | 'deleteApplication'
  | 'listApplicationGroupAssignments'
  | 'assignGroupToApplication'
  | 'unassignApplicationFromGroup';
type Api = Pick<ObjectApplicationApi, Used>;

export class ApplicationApi implements Api {
  private readonly request: ApplicationApiRequestFactory;
  private readonly response = new ApplicationApiResponseProcessor();

  constructor(private readonly transport: OktaTransport) {
    this.request = new ApplicationApiRequestFactory(transport.configuration);
  }

  // Positional arguments in the order ObjectParamAPI passes them (checked by the parity test).
  listApplications: Api['listApplications'] = (p = {}, o) =>
    this.transport.collection(
      this.request.listApplications(
        p.q,
        p.after,
        p.useOptimization,
        p.alwaysIncludeVpnSettings,
        p.limit,
        p.filter,
        p.expand,
        p.includeNonDeleted,
        o,
      ),
      (r) => this.response.listApplications(r),
    );

  getApplication: Api['getApplication'] = (p, o) =>
    this.transport.call(this.request.getApplication(p.appId, p.expand, o), (r) =>
      this.response.getApplication(r),
    );

  createApplication: Api['createApplication'] = (p, o) =>
    this.transport.call(
      this.request.createApplication(p.application, p.activate, p.oktaAccessGatewayAgent, o),
      (r) => this.response.createApplication(r),
    );

  activateApplication: Api['activateApplication'] = (p, o) =>
    this.transport.call(this.request.activateApplication(p.appId, o), (r) =>
      this.response.activateApplication(r),
    );

  deactivateApplication: Api['deactivateApplication'] = (p, o) =>
    this.transport.call(this.request.deactivateApplication(p.appId, o), (r) =>
      this.response.deactivateApplication(r),
    );

  deleteApplication: Api['deleteApplication'] = (p, o) =>
    this.transport.call(this.request.deleteApplication(p.appId, o), (r) =>
      this.response.deleteApplication(r),
    );

  listApplicationGroupAssignments: Api['listApplicationGroupAssignments'] = (p, o) =>
    this.transport.collection(
      this.request.listApplicationGroupAssignments(p.appId, p.q, p.after, p.limit, p.expand, o),
      (r) => this.response.listApplicationGroupAssignments(r),
    );

  assignGroupToApplication: Api['assignGroupToApplication'] = (p, o) =>
    this.transport.call(
      this.request.assignGroupToApplication(p.appId, p.groupId, p.applicationGroupAssignment, o),
      (r) => this.response.assignGroupToApplication(r),
    );

  unassignApplicationFromGroup: Api['unassignApplicationFromGroup'] = (p, o) =>
    this.transport.call(this.request.unassignApplicationFromGroup(p.appId, p.groupId, o), (r) =>
      this.response.unassignApplicationFromGroup(r),
    );
}

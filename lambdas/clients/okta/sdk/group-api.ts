/** The GroupApi calls the provisioner makes (resolving the requested groups); see application-api.ts. */
import type { ObjectGroupApi } from '@okta/okta-sdk-nodejs/src/types/generated/types/ObjectParamAPI';
import {
  GroupApiRequestFactory,
  GroupApiResponseProcessor,
} from '@okta/okta-sdk-nodejs/src/generated/apis/GroupApi';
import type { OktaTransport } from './transport';

type Api = Pick<ObjectGroupApi, 'getGroup' | 'listGroups'>;

export class GroupApi implements Api {
  private readonly request: GroupApiRequestFactory;
  private readonly response = new GroupApiResponseProcessor();

  constructor(private readonly transport: OktaTransport) {
    this.request = new GroupApiRequestFactory(transport.configuration);
  }

  getGroup: Api['getGroup'] = (p, o) =>
    this.transport.call(this.request.getGroup(p.groupId, o), (r) => this.response.getGroup(r));

  listGroups: Api['listGroups'] = (p = {}, o) =>
    this.transport.collection(
      this.request.listGroups(p.search, p.filter, p.q, p.after, p.limit, p.expand, p.sortBy, p.sortOrder, o),
      (r) => this.response.listGroups(r),
    );
}

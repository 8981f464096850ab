/** The ApplicationSSOPublicKeysApi call the provisioner makes (an adopted app's client secret); see application-api.ts. */
import type { ObjectApplicationSSOPublicKeysApi } from '@okta/okta-sdk-nodejs/src/types/generated/types/ObjectParamAPI';
import {
  ApplicationSSOPublicKeysApiRequestFactory,
  ApplicationSSOPublicKeysApiResponseProcessor,
} from '@okta/okta-sdk-nodejs/src/generated/apis/ApplicationSSOPublicKeysApi';
import type { OktaTransport } from './transport';

type Api = Pick<ObjectApplicationSSOPublicKeysApi, 'listOAuth2ClientSecrets'>;

export class ApplicationSSOPublicKeysApi implements Api {
  private readonly request: ApplicationSSOPublicKeysApiRequestFactory;
  private readonly response = new ApplicationSSOPublicKeysApiResponseProcessor();

  constructor(private readonly transport: OktaTransport) {
    this.request = new ApplicationSSOPublicKeysApiRequestFactory(transport.configuration);
  }

  listOAuth2ClientSecrets: Api['listOAuth2ClientSecrets'] = (p, o) =>
    this.transport.collection(this.request.listOAuth2ClientSecrets(p.appId, o), (r) =>
      this.response.listOAuth2ClientSecrets(r),
    );
}

/** The SchemaApi call the provisioner makes (the user profile's attributes); see application-api.ts. */
import type { ObjectSchemaApi } from '@okta/okta-sdk-nodejs/src/types/generated/types/ObjectParamAPI';
import {
  SchemaApiRequestFactory,
  SchemaApiResponseProcessor,
} from '@okta/okta-sdk-nodejs/src/generated/apis/SchemaApi';
import type { OktaTransport } from './transport';

type Api = Pick<ObjectSchemaApi, 'getUserSchema'>;

export class SchemaApi implements Api {
  private readonly request: SchemaApiRequestFactory;
  private readonly response = new SchemaApiResponseProcessor();

  constructor(private readonly transport: OktaTransport) {
    this.request = new SchemaApiRequestFactory(transport.configuration);
  }

  getUserSchema: Api['getUserSchema'] = (p, o) =>
    this.transport.call(this.request.getUserSchema(p.schemaId, o), (r) => this.response.getUserSchema(r));
}

/**
 * Types for the Okta SDK modules imported one by one (its index loads all 83 API classes and every
 * model): each is the SDK's own declaration, from the SDK's types folder, under the module's path.
 */
declare module '@okta/okta-sdk-nodejs/src/default-request-executor' {
  export { DefaultRequestExecutor } from '@okta/okta-sdk-nodejs/src/types/default-request-executor';
}
declare module '@okta/okta-sdk-nodejs/src/api-error' {
  import { OktaApiError } from '@okta/okta-sdk-nodejs/src/types/api-error';
  export default OktaApiError;
}
declare module '@okta/okta-sdk-nodejs/src/http-error' {
  import { HttpError } from '@okta/okta-sdk-nodejs/src/types/http-error';
  export default HttpError;
}
declare module '@okta/okta-sdk-nodejs/src/collection' {
  export { Collection } from '@okta/okta-sdk-nodejs/src/types/collection';
}
declare module '@okta/okta-sdk-nodejs/src/generated/configuration' {
  export * from '@okta/okta-sdk-nodejs/src/types/generated/configuration';
}
declare module '@okta/okta-sdk-nodejs/src/generated/servers' {
  export * from '@okta/okta-sdk-nodejs/src/types/generated/servers';
}
declare module '@okta/okta-sdk-nodejs/src/generated/http/http' {
  export * from '@okta/okta-sdk-nodejs/src/types/generated/http/http';
}
declare module '@okta/okta-sdk-nodejs/src/generated/apis/ApplicationApi' {
  export * from '@okta/okta-sdk-nodejs/src/types/generated/apis/ApplicationApi';
}
declare module '@okta/okta-sdk-nodejs/src/generated/apis/ApplicationSSOPublicKeysApi' {
  export * from '@okta/okta-sdk-nodejs/src/types/generated/apis/ApplicationSSOPublicKeysApi';
}
declare module '@okta/okta-sdk-nodejs/src/generated/apis/AuthorizationServerApi' {
  export * from '@okta/okta-sdk-nodejs/src/types/generated/apis/AuthorizationServerApi';
}
declare module '@okta/okta-sdk-nodejs/src/generated/apis/GroupApi' {
  export * from '@okta/okta-sdk-nodejs/src/types/generated/apis/GroupApi';
}
declare module '@okta/okta-sdk-nodejs/src/generated/apis/SchemaApi' {
  export * from '@okta/okta-sdk-nodejs/src/types/generated/apis/SchemaApi';
}

/** Entry of the DeleteAuthServer function: create-auth-server.ts with Secrets Manager, Okta. */
import { OktaAuthServers } from '../../clients/okta/auth-servers';
import { OktaAuthorization } from '../../clients/okta/authorization';
import { deleteAuthServer } from '../create-auth-server';
import { stepLambda } from '../lambda';
import { oktaWith } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('DeleteAuthServer', deleteAuthServer, {
  secrets,
  okta: oktaWith({ authServers: OktaAuthServers, authorization: OktaAuthorization }),
});

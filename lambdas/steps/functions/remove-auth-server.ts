/** Entry of the RemoveAuthServer function: remove-auth-server.ts with Secrets Manager, Okta. */
import { OktaAuthServers } from '../../clients/okta/auth-servers';
import { removeAuthServer } from '../remove-auth-server';
import { stepLambda } from '../lambda';
import { oktaWith } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('RemoveAuthServer', removeAuthServer, {
  secrets,
  okta: oktaWith({ authServers: OktaAuthServers }),
});

/** Entry of the RemoveAuthServer function: remove-auth-server.ts with Secrets Manager, Okta. */
import { removeAuthServer } from '../remove-auth-server';
import { stepLambda } from '../lambda';
import { okta } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('RemoveAuthServer', removeAuthServer, { secrets, okta });

/** Entry of the DeleteAuthServer function: create-auth-server.ts with Secrets Manager, Okta. */
import { deleteAuthServer } from '../create-auth-server';
import { stepLambda } from '../lambda';
import { okta } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('DeleteAuthServer', deleteAuthServer, { secrets, okta });

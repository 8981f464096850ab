/** Entry of the CreateAuthServer function: create-auth-server.ts with Secrets Manager, Okta. */
import { createAuthServer } from '../create-auth-server';
import { stepLambda } from '../lambda';
import { okta } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('CreateAuthServer', createAuthServer, { secrets, okta });

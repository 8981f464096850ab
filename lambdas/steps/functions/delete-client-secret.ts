/** Entry of the DeleteClientSecret function: create-okta-app.ts with Secrets Manager. */
import { deleteClientSecret } from '../create-okta-app';
import { stepLambda } from '../lambda';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('DeleteClientSecret', deleteClientSecret, { secrets });

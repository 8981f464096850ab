/** Entry of the CreateClaim function: create-claim.ts with Secrets Manager, Okta. */
import { createClaim } from '../create-claim';
import { stepLambda } from '../lambda';
import { okta } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('CreateClaim', createClaim, { secrets, okta });

/** Entry of the CreateClaim function: create-claim.ts with Secrets Manager, Okta. */
import { OktaAuthorization } from '../../clients/okta/authorization';
import { createClaim } from '../create-claim';
import { stepLambda } from '../lambda';
import { oktaWith } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('CreateClaim', createClaim, {
  secrets,
  okta: oktaWith({ authorization: OktaAuthorization }),
});

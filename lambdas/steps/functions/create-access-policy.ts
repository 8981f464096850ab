/** Entry of the CreateAccessPolicy function: create-access-policy.ts with Secrets Manager, Okta. */
import { OktaAuthorization } from '../../clients/okta/authorization';
import { createAccessPolicy } from '../create-access-policy';
import { stepLambda } from '../lambda';
import { oktaWith } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('CreateAccessPolicy', createAccessPolicy, {
  secrets,
  okta: oktaWith({ authorization: OktaAuthorization }),
});

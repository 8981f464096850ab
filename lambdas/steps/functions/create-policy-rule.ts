/** Entry of the CreatePolicyRule function: create-policy-rule.ts with Secrets Manager, Okta. */
import { OktaAuthorization } from '../../clients/okta/authorization';
import { createPolicyRule } from '../create-policy-rule';
import { stepLambda } from '../lambda';
import { oktaWith } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('CreatePolicyRule', createPolicyRule, {
  secrets,
  okta: oktaWith({ authorization: OktaAuthorization }),
});

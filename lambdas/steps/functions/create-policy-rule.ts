/** Entry of the CreatePolicyRule function: create-policy-rule.ts with Secrets Manager, Okta. */
import { createPolicyRule } from '../create-policy-rule';
import { stepLambda } from '../lambda';
import { okta } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('CreatePolicyRule', createPolicyRule, { secrets, okta });

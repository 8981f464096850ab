/** Entry of the CreateAccessPolicy function: create-access-policy.ts with Secrets Manager, Okta. */
import { createAccessPolicy } from '../create-access-policy';
import { stepLambda } from '../lambda';
import { okta } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('CreateAccessPolicy', createAccessPolicy, { secrets, okta });

/** Entry of the VerifyPortal function: verify-portal.ts with Secrets Manager, Kong, Okta. */
import { verifyPortal } from '../verify-portal';
import { stepLambda } from '../lambda';
import { kong } from '../wiring/kong';
import { okta } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('VerifyPortal', verifyPortal, { secrets, kong, okta });

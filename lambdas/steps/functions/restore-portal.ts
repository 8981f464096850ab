/** Entry of the RestorePortal function: restore-portal.ts with Secrets Manager, Kong, Okta. */
import { restorePortal } from '../restore-portal';
import { stepLambda } from '../lambda';
import { kong } from '../wiring/kong';
import { okta } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('RestorePortal', restorePortal, { secrets, kong, okta });

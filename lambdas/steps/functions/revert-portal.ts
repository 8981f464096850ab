/** Entry of the RevertPortal function: configure-portal.ts with Secrets Manager, Kong. */
import { revertPortal } from '../configure-portal';
import { stepLambda } from '../lambda';
import { kong } from '../wiring/kong';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('RevertPortal', revertPortal, { secrets, kong });

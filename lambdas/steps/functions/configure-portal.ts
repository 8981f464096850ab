/** Entry of the ConfigurePortal function: configure-portal.ts with Secrets Manager, Kong. */
import { configurePortal } from '../configure-portal';
import { stepLambda } from '../lambda';
import { kong } from '../wiring/kong';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('ConfigurePortal', configurePortal, { secrets, kong });

/** Entry of the ConfigurePortal function: configure-portal.ts with Secrets Manager, Kong, Konnect. */
import { configurePortal } from '../configure-portal';
import { stepLambda } from '../lambda';
import { kong } from '../wiring/kong';
import { konnect } from '../wiring/konnect';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('ConfigurePortal', configurePortal, { secrets, kong, konnect });

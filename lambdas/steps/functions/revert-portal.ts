/** Entry of the RevertPortal function: configure-portal.ts with Secrets Manager, Kong, Konnect. */
import { revertPortal } from '../configure-portal';
import { stepLambda } from '../lambda';
import { kong } from '../wiring/kong';
import { konnect } from '../wiring/konnect';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('RevertPortal', revertPortal, { secrets, kong, konnect });

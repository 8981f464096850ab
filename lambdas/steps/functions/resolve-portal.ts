/** Entry of the ResolvePortal function: resolve-portal.ts with Secrets Manager, Kong, Konnect. */
import { resolvePortal } from '../resolve-portal';
import { stepLambda } from '../lambda';
import { kong } from '../wiring/kong';
import { konnect } from '../wiring/konnect';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('ResolvePortal', resolvePortal, { secrets, kong, konnect });

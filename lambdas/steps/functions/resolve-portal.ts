/** Entry of the ResolvePortal function: resolve-portal.ts with Secrets Manager, Kong. */
import { resolvePortal } from '../resolve-portal';
import { stepLambda } from '../lambda';
import { kong } from '../wiring/kong';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('ResolvePortal', resolvePortal, { secrets, kong });

/** Entry of the DeletePortalSnapshot function: resolve-portal.ts with Secrets Manager. */
import { deletePortalSnapshot } from '../resolve-portal';
import { stepLambda } from '../lambda';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('DeletePortalSnapshot', deletePortalSnapshot, { secrets });

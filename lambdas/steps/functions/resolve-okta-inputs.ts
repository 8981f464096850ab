/** Entry of the ResolveOktaInputs function: resolve-okta-inputs.ts with Secrets Manager, Okta. */
import { resolveOktaInputs } from '../resolve-okta-inputs';
import { stepLambda } from '../lambda';
import { okta } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('ResolveOktaInputs', resolveOktaInputs, { secrets, okta });

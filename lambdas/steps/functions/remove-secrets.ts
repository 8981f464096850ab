/** Entry of the RemoveSecrets function: remove-secrets.ts with Secrets Manager. */
import { removeSecrets } from '../remove-secrets';
import { stepLambda } from '../lambda';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('RemoveSecrets', removeSecrets, { secrets });

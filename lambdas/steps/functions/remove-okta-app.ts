/** Entry of the RemoveOktaApp function: remove-okta-app.ts with Secrets Manager, Okta. */
import { removeOktaApp } from '../remove-okta-app';
import { stepLambda } from '../lambda';
import { okta } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('RemoveOktaApp', removeOktaApp, { secrets, okta });

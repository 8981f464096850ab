/** Entry of the DeleteOktaApp function: create-okta-app.ts with Secrets Manager, Okta. */
import { deleteOktaApp } from '../create-okta-app';
import { stepLambda } from '../lambda';
import { okta } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('DeleteOktaApp', deleteOktaApp, { secrets, okta });

/** Entry of the CreateOktaApp function: create-okta-app.ts with Secrets Manager, Okta. */
import { OktaApps } from '../../clients/okta/apps';
import { createOktaApp } from '../create-okta-app';
import { stepLambda } from '../lambda';
import { oktaWith } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('CreateOktaApp', createOktaApp, {
  secrets,
  okta: oktaWith({ apps: OktaApps }),
});

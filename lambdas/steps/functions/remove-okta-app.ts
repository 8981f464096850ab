/** Entry of the RemoveOktaApp function: remove-okta-app.ts with Secrets Manager, Okta. */
import { OktaApps } from '../../clients/okta/apps';
import { removeOktaApp } from '../remove-okta-app';
import { stepLambda } from '../lambda';
import { oktaWith } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('RemoveOktaApp', removeOktaApp, {
  secrets,
  okta: oktaWith({ apps: OktaApps }),
});

/** Entry of the LocateOktaResources function: locate-okta-resources.ts with Secrets Manager, Okta. */
import { OktaApps } from '../../clients/okta/apps';
import { OktaAuthServers } from '../../clients/okta/auth-servers';
import { locateOktaResources } from '../locate-okta-resources';
import { stepLambda } from '../lambda';
import { oktaWith } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('LocateOktaResources', locateOktaResources, {
  secrets,
  okta: oktaWith({ apps: OktaApps, authServers: OktaAuthServers }),
});

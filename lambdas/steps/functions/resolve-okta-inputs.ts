/** Entry of the ResolveOktaInputs function: resolve-okta-inputs.ts with Secrets Manager, Okta. */
import { OktaApps } from '../../clients/okta/apps';
import { OktaAuthServers } from '../../clients/okta/auth-servers';
import { OktaAuthorization } from '../../clients/okta/authorization';
import { OktaDirectory } from '../../clients/okta/directory';
import { resolveOktaInputs } from '../resolve-okta-inputs';
import { stepLambda } from '../lambda';
import { oktaWith } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('ResolveOktaInputs', resolveOktaInputs, {
  secrets,
  okta: oktaWith({
    apps: OktaApps,
    authServers: OktaAuthServers,
    authorization: OktaAuthorization,
    directory: OktaDirectory,
  }),
});

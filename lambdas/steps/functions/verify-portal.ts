/** Entry of the VerifyPortal function: verify-portal.ts with Secrets Manager, Okta. */
import { OktaApps } from '../../clients/okta/apps';
import { verifyPortal } from '../verify-portal';
import { stepLambda } from '../lambda';
import { oktaWith } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('VerifyPortal', verifyPortal, {
  secrets,
  okta: oktaWith({ apps: OktaApps }),
});

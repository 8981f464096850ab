/** Entry of the VerifyPortal function: verify-portal.ts with Secrets Manager, Kong, Okta. */
import { OktaApps } from '../../clients/okta/apps';
import { verifyPortal } from '../verify-portal';
import { stepLambda } from '../lambda';
import { kong } from '../wiring/kong';
import { oktaWith } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('VerifyPortal', verifyPortal, {
  secrets,
  kong,
  okta: oktaWith({ apps: OktaApps }),
});

/** Entry of the RestorePortal function: restore-portal.ts with Secrets Manager, Kong, Konnect, Okta. */
import { OktaApps } from '../../clients/okta/apps';
import { restorePortal } from '../restore-portal';
import { stepLambda } from '../lambda';
import { kong } from '../wiring/kong';
import { konnect } from '../wiring/konnect';
import { oktaWith } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('RestorePortal', restorePortal, {
  secrets,
  kong,
  konnect,
  okta: oktaWith({ apps: OktaApps }),
});

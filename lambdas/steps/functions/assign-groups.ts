/** Entry of the AssignGroups function: assign-groups.ts with Secrets Manager, Okta. */
import { OktaApps } from '../../clients/okta/apps';
import { assignGroups } from '../assign-groups';
import { stepLambda } from '../lambda';
import { oktaWith } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('AssignGroups', assignGroups, {
  secrets,
  okta: oktaWith({ apps: OktaApps }),
});

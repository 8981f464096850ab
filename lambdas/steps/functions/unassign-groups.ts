/** Entry of the UnassignGroups function: assign-groups.ts with Secrets Manager, Okta. */
import { OktaApps } from '../../clients/okta/apps';
import { unassignGroups } from '../assign-groups';
import { stepLambda } from '../lambda';
import { oktaWith } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('UnassignGroups', unassignGroups, {
  secrets,
  okta: oktaWith({ apps: OktaApps }),
});

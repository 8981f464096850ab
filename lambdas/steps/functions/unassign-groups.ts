/** Entry of the UnassignGroups function: assign-groups.ts with Secrets Manager, Okta. */
import { unassignGroups } from '../assign-groups';
import { stepLambda } from '../lambda';
import { okta } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('UnassignGroups', unassignGroups, { secrets, okta });

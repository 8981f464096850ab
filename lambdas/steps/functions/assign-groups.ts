/** Entry of the AssignGroups function: assign-groups.ts with Secrets Manager, Okta. */
import { assignGroups } from '../assign-groups';
import { stepLambda } from '../lambda';
import { okta } from '../wiring/okta';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('AssignGroups', assignGroups, { secrets, okta });

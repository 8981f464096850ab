/** Entry of the ValidateTeardown function: validate-teardown.ts with no client. */
import { validateTeardown } from '../validate-teardown';
import { stepLambda } from '../lambda';

export const handler = stepLambda('ValidateTeardown', validateTeardown, {});

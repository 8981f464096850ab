/** Entry of the ValidatePlan function: validate-plan.ts with no client. */
import { validatePlan } from '../validate-plan';
import { stepLambda } from '../lambda';

export const handler = stepLambda('ValidatePlan', validatePlan, {});

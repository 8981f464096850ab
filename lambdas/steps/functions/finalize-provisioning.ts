/** Entry of the FinalizeProvisioning function: finalize-provisioning.ts with Secrets Manager, the request log. */
import { finalizeProvisioning } from '../finalize-provisioning';
import { stepLambda } from '../lambda';
import { requests } from '../wiring/requests';
import { secrets } from '../wiring/secrets';

export const handler = stepLambda('FinalizeProvisioning', finalizeProvisioning, { secrets, requests });

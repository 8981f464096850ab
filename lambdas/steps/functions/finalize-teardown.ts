/** Entry of the FinalizeTeardown function: finalize-teardown.ts with the request log. */
import { finalizeTeardown } from '../finalize-teardown';
import { stepLambda } from '../lambda';
import { requests } from '../wiring/requests';

export const handler = stepLambda('FinalizeTeardown', finalizeTeardown, { requests });

/** FinalizeTeardown (states FinalizeTeardown, FinalizeTeardownFailed): record how the teardown ended. */
import { mergeReports, type LeftAlone } from '../core/undo-report';
import type { StepContext } from './context';
import { describeFailure, recordOutcome } from './record-outcome';
import type { TeardownState } from './teardown-state';

export interface FinalizeTeardownInput {
  outcome: 'TORN_DOWN' | 'TEARDOWN_FAILED';
  state: TeardownState;
}

export interface TornDownOutput {
  status: 'SUCCEEDED';
  requestId: string;
  workspace: string;
  environment: string;
  removed: string[];
  leftAlone: LeftAlone[];
}

export interface TeardownFailedOutput {
  status: 'FAILED';
  requestId: string;
  error: { name: string; message: string };
  leftovers: string[];
  cause: string;
}

export async function finalizeTeardown(
  { outcome, state }: FinalizeTeardownInput,
  ctx: Pick<StepContext, 'requests'>,
): Promise<TornDownOutput | TeardownFailedOutput> {
  if (outcome === 'TEARDOWN_FAILED') {
    // A failed teardown is simply run again: every step is idempotent.
    const body = {
      status: 'FAILED',
      requestId: state.requestId,
      error: describeFailure(state.failure),
      leftovers: [],
    } as const;
    await recordOutcome(state, { status: 'FAILED', error: body.error, leftovers: [] }, ctx);
    return { ...body, leftovers: [], cause: JSON.stringify(body) };
  }
  const report = mergeReports(Object.values(state.resources.removed ?? {}));
  const output: TornDownOutput = {
    status: 'SUCCEEDED',
    requestId: state.requestId,
    workspace: state.request.workspace,
    environment: state.request.environment,
    ...report,
  };
  const { status, ...outputs } = output;
  await recordOutcome(state, { status, outputs }, ctx);
  return output;
}

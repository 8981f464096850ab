/** FinalizeTeardown (states FinalizeTeardown, FinalizeTeardownFailed): record how the teardown ended. */
import { mergeReports, type LeftAlone } from '../core/undo-report';
import { portalResourceId } from '../core/portal-target';
import type { StepContext } from './context';
import { nameOf } from './scope';
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
  /** What the teardown did not confirm removed (a Parallel's finished branch is not reported when its sibling fails). */
  leftovers: string[];
  cause: string;
}

export async function finalizeTeardown(
  { outcome, state }: FinalizeTeardownInput,
  ctx: Pick<StepContext, 'requests'>,
): Promise<TornDownOutput | TeardownFailedOutput> {
  if (outcome === 'TEARDOWN_FAILED') {
    // A failed teardown is simply run again (every step is idempotent); until then, say what may remain.
    const leftovers = unconfirmed(state);
    const body = {
      status: 'FAILED',
      requestId: state.requestId,
      error: describeFailure(state.failure),
      leftovers,
    } as const;
    await recordOutcome(state, { status: 'FAILED', error: body.error, leftovers }, ctx);
    return { ...body, cause: JSON.stringify(body) };
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

/** Each removing step whose report is missing, with what it would have removed. */
function unconfirmed(state: TeardownState): string[] {
  const key = state.request.workspace;
  const name = nameOf(state);
  const removed = state.resources.removed ?? {};
  const pending: Array<[keyof typeof removed, string]> = [
    ['RestorePortal', `${portalResourceId(key, 'settings')} (may still point at the app)`],
    ['RemoveAuthServer', `okta-auth-server:${name} (may remain)`],
    ['RemoveOktaApp', `okta-app:${name} (may remain)`],
    ['RemoveSecrets', `secrets of ${key} (may remain)`],
  ];
  return pending.filter(([step]) => !removed[step]).map(([, what]) => what);
}

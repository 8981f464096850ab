/**
 * A stand-in for Step Functions that records what the run lifecycle asks of it and answers as
 * Step Functions does (a second start of the same name does not start anything). Tests set an
 * execution's status to model runs that ended, timed out or were stopped.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import {
  executionArnOf,
  type ExecutionDescription,
  type Executions,
  type StartedExecution,
} from '../../lambdas/clients/executions';
import type { RequestKind } from '../../lambdas/clients/requests';

export const STATE_MACHINES = {
  provision: 'arn:aws:states:us-east-1:000000000000:stateMachine:provisioning',
  teardown: 'arn:aws:states:us-east-1:000000000000:stateMachine:teardown',
} as const;

export class RecordingExecutions implements Executions {
  readonly starts: Array<{ kind: RequestKind; id: string; input: unknown }> = [];
  private readonly executions = new Map<string, ExecutionDescription>();
  private readonly histories = new Map<string, HistoryEvent[]>();
  /** The next start fails with this error (then starts work again). */
  failNextStart?: Error;
  /** The next start starts the execution, but its answer is lost: the caller gets this error. */
  loseNextStartAnswer?: Error;

  arnOf(kind: RequestKind, id: string): string {
    return executionArnOf(STATE_MACHINES, kind, id);
  }

  async start(kind: RequestKind, id: string, input: unknown): Promise<StartedExecution> {
    const failure = this.failNextStart;
    if (failure) {
      this.failNextStart = undefined;
      throw failure;
    }
    const executionArn = this.arnOf(kind, id);
    if (this.executions.has(executionArn)) return { executionArn, started: false };
    this.executions.set(executionArn, { status: 'RUNNING' });
    this.starts.push({ kind, id, input });
    const lost = this.loseNextStartAnswer;
    if (lost) {
      this.loseNextStartAnswer = undefined;
      throw lost;
    }
    return { executionArn, started: true };
  }

  async describe(kind: RequestKind, id: string): Promise<ExecutionDescription | undefined> {
    return this.executions.get(this.arnOf(kind, id));
  }

  async history(kind: RequestKind, id: string): Promise<HistoryEvent[] | undefined> {
    const arn = this.arnOf(kind, id);
    return this.executions.has(arn) ? (this.histories.get(arn) ?? []) : undefined;
  }

  /** The run's history: each named state entered and, unless `running`, exited (succeeded or failed). */
  ran(
    kind: RequestKind,
    id: string,
    states: Array<{ name: string; ended: 'SUCCEEDED' | 'FAILED' | 'RUNNING' }>,
  ) {
    const events: HistoryEvent[] = [];
    let n = 0;
    for (const { name, ended } of states) {
      const at = new Date(Date.UTC(2026, 11, 1, 10, 0, n));
      events.push({ id: ++n, timestamp: at, type: 'TaskStateEntered', stateEnteredEventDetails: { name } });
      if (ended === 'FAILED')
        events.push({
          id: ++n,
          timestamp: at,
          type: 'LambdaFunctionFailed',
          lambdaFunctionFailedEventDetails: { error: 'PermanentError' },
        });
      if (ended !== 'RUNNING')
        events.push({ id: ++n, timestamp: at, type: 'TaskStateExited', stateExitedEventDetails: { name } });
    }
    this.histories.set(this.arnOf(kind, id), events);
  }

  /** An execution that exists without this lifecycle having started it (an earlier attempt did). */
  exists(kind: RequestKind, id: string, status = 'RUNNING'): void {
    this.executions.set(this.arnOf(kind, id), { status });
  }

  end(
    kind: RequestKind,
    id: string,
    status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED',
    details: Omit<ExecutionDescription, 'status'> = {},
  ): void {
    this.executions.set(this.arnOf(kind, id), { status, ...details });
  }
}

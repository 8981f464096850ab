// Intent: per-step progress shown to users is read correctly from Step Functions history as AWS
// writes it (Lambda attempts inside one state entry, failures, retries, the rollback) and never
// shows a stack trace or a secret from a failure's cause.
import { stepProgress, type HistoryEvent } from '../../lambdas/core/progress';

const isStep = (name: string) => !name.endsWith('?');
let id = 0;
const at = (seconds: number) => new Date(Date.UTC(2026, 10, 29, 12, 0, seconds));
const entered = (name: string, s: number): HistoryEvent => ({
  id: ++id,
  timestamp: at(s),
  type: 'TaskStateEntered',
  stateEnteredEventDetails: { name },
});
const exited = (name: string, s: number): HistoryEvent => ({
  id: ++id,
  timestamp: at(s),
  type: 'TaskStateExited',
  stateExitedEventDetails: { name },
});
const scheduled = (s: number): HistoryEvent => ({
  id: ++id,
  timestamp: at(s),
  type: 'LambdaFunctionScheduled',
});
const failed = (s: number, error: string, message: string): HistoryEvent => ({
  id: ++id,
  timestamp: at(s),
  type: 'LambdaFunctionFailed',
  lambdaFunctionFailedEventDetails: {
    error,
    cause: JSON.stringify({ errorType: error, errorMessage: message, trace: ['at secret-stack'] }),
  },
});

it('counts attempts, keeps the last outcome, and drops the trace', () => {
  const history = [
    entered('CreateOktaApp', 0),
    scheduled(0),
    failed(1, 'TransientError', 'Okta createApplication failed with HTTP 503'),
    scheduled(3),
    exited('CreateOktaApp', 4),
    entered('ConfigurePortal', 5),
    scheduled(5),
    failed(6, 'ValidationError', "bad value 'hunter2-secret'"),
    entered('RevertPortal', 7),
    scheduled(7),
    exited('RevertPortal', 8),
  ];
  expect(stepProgress(history, isStep, ['hunter2-secret'])).toEqual([
    {
      name: 'CreateOktaApp',
      state: 'SUCCEEDED',
      startedAt: at(0).toISOString(),
      endedAt: at(4).toISOString(),
      attempts: 2,
    },
    {
      name: 'ConfigurePortal',
      state: 'FAILED',
      startedAt: at(5).toISOString(),
      endedAt: at(6).toISOString(),
      attempts: 1,
      error: { name: 'ValidationError', message: "bad value '***'" },
    },
    {
      name: 'RevertPortal',
      state: 'SUCCEEDED',
      startedAt: at(7).toISOString(),
      endedAt: at(8).toISOString(),
      attempts: 1,
    },
  ]);
});

it('shows a step being retried as running again', () => {
  const history = [
    entered('CreateAuthServer', 0),
    scheduled(0),
    failed(1, 'RateLimitedError', '429'),
    scheduled(20),
  ];
  expect(stepProgress(history, isStep)).toEqual([
    expect.objectContaining({ name: 'CreateAuthServer', state: 'RUNNING', attempts: 2 }),
  ]);
});

it('ignores states that are not steps (choices, pass states)', () => {
  const history = [entered('DryRun?', 0), exited('DryRun?', 0)];
  expect(stepProgress(history, isStep)).toEqual([]);
});

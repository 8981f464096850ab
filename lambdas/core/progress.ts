/**
 * Per-step progress of a run, read from its Step Functions execution history: which steps ran,
 * when, how many attempts they took and how they ended. Works on AWS's history events (Lambda
 * tasks report LambdaFunctionScheduled/Failed inside one state entry) and on local mode's.
 */
import { scrubSecrets } from './errors';

export type StepState = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface StepProgress {
  name: string;
  state: StepState;
  startedAt: string;
  endedAt?: string;
  attempts: number;
  error?: { name: string; message: string };
}

export interface HistoryEvent {
  id?: number;
  timestamp?: Date | string | number;
  type?: string;
  stateEnteredEventDetails?: { name?: string };
  stateExitedEventDetails?: { name?: string };
  taskFailedEventDetails?: { error?: string; cause?: string };
  lambdaFunctionFailedEventDetails?: { error?: string; cause?: string };
  executionFailedEventDetails?: { error?: string; cause?: string };
}

const iso = (t: HistoryEvent['timestamp']): string => new Date(t ?? 0).toISOString();

/** Lambda causes are JSON {errorType, errorMessage, trace}; keep only the message, never the trace. */
export function errorMessageOf(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: local mode passes the message itself
  }
  return cause;
}

const ATTEMPT_TYPES = new Set(['LambdaFunctionScheduled', 'TaskScheduled']);
const FAILURE_TYPES = new Set([
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'TaskFailed',
  'TaskTimedOut',
]);

/** By default a step is any Task state (history says so by the event type). */
const isTaskEntry = (event: HistoryEvent) => event.type === 'TaskStateEntered';

export function stepProgress(
  events: readonly HistoryEvent[],
  isStep?: (name: string) => boolean,
  secrets: readonly string[] = [],
): StepProgress[] {
  const steps: StepProgress[] = [];
  const open: StepProgress[] = [];
  const usesScheduling = events.some((e) => ATTEMPT_TYPES.has(e.type ?? ''));
  for (const event of events) {
    const type = event.type ?? '';
    const entered = event.stateEnteredEventDetails?.name;
    const exited = event.stateExitedEventDetails?.name;
    if (entered && (isStep ? isStep(entered) : isTaskEntry(event))) {
      const existing = open.find((s) => s.name === entered);
      if (existing) {
        // Local mode re-enters a state to retry it.
        if (!usesScheduling) existing.attempts += 1;
        existing.state = 'RUNNING';
        continue;
      }
      const step: StepProgress = {
        name: entered,
        state: 'RUNNING',
        startedAt: iso(event.timestamp),
        attempts: usesScheduling ? 0 : 1,
      };
      steps.push(step);
      open.push(step);
    } else if (ATTEMPT_TYPES.has(type)) {
      const current = open[open.length - 1];
      if (current) {
        current.attempts += 1;
        // A new attempt after a failure: the step is running again (Step Functions retries it).
        current.state = 'RUNNING';
      }
    } else if (FAILURE_TYPES.has(type) || type.endsWith('Failed')) {
      const details = event.lambdaFunctionFailedEventDetails ?? event.taskFailedEventDetails;
      const current = open[open.length - 1];
      if (current && details) {
        current.state = 'FAILED';
        current.endedAt = iso(event.timestamp);
        current.error = {
          name: details.error ?? 'Error',
          message: scrubSecrets(errorMessageOf(details.cause), secrets),
        };
      }
    } else if (exited) {
      const index = open.findIndex((s) => s.name === exited);
      const step = open[index];
      if (step) {
        // A state also exits when its failure is caught (into the rollback): it stays FAILED.
        if (step.state !== 'FAILED') {
          step.state = 'SUCCEEDED';
          delete step.error;
        }
        step.endedAt = iso(event.timestamp);
        open.splice(index, 1);
      }
    }
  }
  return steps;
}

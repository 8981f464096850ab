/**
 * What one execution cost, read from its Step Functions history the way AWS bills it: a state
 * transition for every state entered and for every retry, a Lambda invocation for every function
 * scheduled, and each Task's span from entering to leaving it (the step timeline).
 */
import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';

export interface StepSpan {
  name: string;
  startMs: number;
  endMs: number;
  /** Branch lane for drawing: steps that overlap in time get different lanes. */
  lane: number;
}

export interface ExecutionFacts {
  durationMs: number;
  stateTransitions: number;
  lambdaInvocations: number;
  steps: StepSpan[];
}

export async function historyOf(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

const at = (e: HistoryEvent) => new Date(e.timestamp ?? 0).getTime();

export function executionFacts(events: readonly HistoryEvent[]): ExecutionFacts {
  const started = events.find((e) => e.type === 'ExecutionStarted');
  const ended = [...events]
    .reverse()
    .find((e) => /^Execution(Succeeded|Failed|Aborted|TimedOut)$/.test(e.type ?? ''));
  const entered = events.filter((e) => e.type?.endsWith('StateEntered')).length;
  const invocations = events.filter(
    (e) => e.type === 'LambdaFunctionScheduled' || e.type === 'TaskScheduled',
  ).length;
  const tasksEntered = events.filter((e) => e.type === 'TaskStateEntered').length;
  const open = new Map<string, number>();
  const spans: Array<Omit<StepSpan, 'lane'>> = [];
  for (const e of events) {
    if (e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name)
      open.set(e.stateEnteredEventDetails.name, at(e));
    if (e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name) {
      const name = e.stateExitedEventDetails.name;
      const start = open.get(name);
      if (start !== undefined) spans.push({ name, startMs: start, endMs: at(e) });
    }
  }
  const origin = started ? at(started) : (spans[0]?.startMs ?? 0);
  return {
    durationMs: started && ended ? at(ended) - at(started) : 0,
    // Retries are billed as transitions too.
    stateTransitions: entered + (invocations - tasksEntered),
    lambdaInvocations: invocations,
    steps: lanes(spans.map((s) => ({ ...s, startMs: s.startMs - origin, endMs: s.endMs - origin }))),
  };
}

function lanes(spans: Array<Omit<StepSpan, 'lane'>>): StepSpan[] {
  const laneEnds: number[] = [];
  return [...spans]
    .sort((a, b) => a.startMs - b.startMs)
    .map((span) => {
      let lane = laneEnds.findIndex((end) => end <= span.startMs);
      if (lane < 0) lane = laneEnds.push(0) - 1;
      laneEnds[lane] = span.endMs;
      return { ...span, lane };
    });
}

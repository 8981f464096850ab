// Intent: the local runner gives a Task the parts of the Step Functions context object our ASL
// reads, as Step Functions does (docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html):
// `$$.State.RetryCount` is 0 on a state's first attempt and counts its retries. The steps rely on
// it to tell a first attempt (which may reuse what an earlier step read) from a retry (which must
// look again), so local mode and the workflow tests must see the same numbers AWS gives.
import type { AslDefinition } from '../../local/workflow/asl';
import { runLocally, type JsonValue } from '../../local/workflow/runner';
import type { StepContext } from '../../lambdas/steps/context';

const NO_CONTEXT = {} as StepContext;

const retried = (name: string, next?: string) => ({
  Type: 'Task',
  Resource: 'arn:aws:lambda:us-east-1:000000000000:function:f',
  Parameters: { 'state.$': '$', 'attempt.$': '$$.State.RetryCount' },
  Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 3, IntervalSeconds: 1 }],
  ResultPath: `$.${name}`,
  ...(next ? { Next: next } : { End: true }),
});

function failingTimes(times: number, seen: JsonValue[]) {
  let calls = 0;
  return (input: JsonValue) => {
    seen.push((input as { attempt: JsonValue }).attempt);
    if (calls++ < times) throw new Error('try again');
    return 'done';
  };
}

it('gives a Task $$.State.RetryCount: 0 first, then 1, 2 on its retries, per state', async () => {
  const definition: AslDefinition = {
    StartAt: 'A',
    States: { A: retried('a', 'B'), B: retried('b') },
  };
  const a: JsonValue[] = [];
  const b: JsonValue[] = [];
  const run = await runLocally({} as JsonValue, NO_CONTEXT, {
    definition,
    retryDelayMs: 0,
    handlers: { A: failingTimes(2, a), B: failingTimes(0, b) },
  });
  expect(run.status).toBe('SUCCEEDED');
  expect(a).toEqual([0, 1, 2]);
  expect(b).toEqual([0]);
});

it('counts each branch of a Parallel state on its own', async () => {
  const definition: AslDefinition = {
    StartAt: 'Both',
    States: {
      Both: {
        Type: 'Parallel',
        End: true,
        Branches: [
          { StartAt: 'Left', States: { Left: retried('left') } },
          { StartAt: 'Right', States: { Right: retried('right') } },
        ],
      },
    },
  };
  const left: JsonValue[] = [];
  const right: JsonValue[] = [];
  const run = await runLocally({} as JsonValue, NO_CONTEXT, {
    definition,
    retryDelayMs: 0,
    handlers: { Left: failingTimes(1, left), Right: failingTimes(2, right) },
  });
  expect(run.status).toBe('SUCCEEDED');
  expect(left).toEqual([0, 1]);
  expect(right).toEqual([0, 1, 2]);
});

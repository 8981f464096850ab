/**
 * The Step Functions emulator driven by the real AWS SDK client: if these pass, code using
 * `@aws-sdk/client-sfn` (start, status, history, listing) works against local mode unchanged.
 * Small hand-written definitions run through `runLocally` with stub handlers; one test runs the
 * real provisioning ASL.
 */
import { mkdtemp, readFile, rm, copyFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  type DescribeExecutionOutput,
  type ExecutionStatus,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import type { StepContext } from '../../lambdas/steps/context';
import {
  STOPPED_BY_SHUTDOWN,
  startStepFunctionsEmulator,
  stateMachineArn,
  statusChangeEvent,
  type ExecutionSummary,
  type HostedStateMachine,
  type StepFunctionsEmulator,
} from '../../local/emulators/step-functions';
import type { AslDefinition } from '../../local/workflow/asl';
import { runLocally, type JsonValue, type LocalRunOptions } from '../../local/workflow/runner';

// ---------------------------------------------------------------------------------------------
// Hand-written state machines with stub handlers
// ---------------------------------------------------------------------------------------------

/** Stub handlers never reach the registry, so they need no clients. */
const NO_CONTEXT = {} as StepContext;
const FUNCTION = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

function host(
  name: string,
  definition: AslDefinition,
  handlers: NonNullable<LocalRunOptions['handlers']>,
): HostedStateMachine {
  return {
    arn: stateMachineArn(name),
    name,
    definition,
    execute: (input, onEvent, signal) =>
      runLocally(input, NO_CONTEXT, { definition, handlers, onEvent, signal, retryDelayMs: 0 }),
  };
}

/**
 * Gates let a test hold executions RUNNING for as long as it needs. Every waiter must be released
 * in the end: a pending Task keeps aws-local-stepfunctions' 60 s task timer (and Jest) alive.
 */
const gates = new Map<string, Array<() => void>>();
const gate = (id: string) =>
  new Promise<void>((resolve) => gates.set(id, [...(gates.get(id) ?? []), resolve]));
const release = (id: string) => {
  gates.get(id)?.forEach((open) => open());
  gates.delete(id);
};
const releaseAll = () => [...gates.keys()].forEach(release);

const stepError = (name: string, message: string) => Object.assign(new Error(message), { name });

/** Greet (a Lambda function ARN) -> a Parallel of two Pass branches -> Succeed. */
const greeter = host(
  'Greeter',
  {
    StartAt: 'Greet',
    States: {
      Greet: { Type: 'Task', Resource: FUNCTION('Greet'), ResultPath: '$.greeting', Next: 'Fan' },
      Fan: {
        Type: 'Parallel',
        Branches: [
          { StartAt: 'Left', States: { Left: { Type: 'Pass', InputPath: '$.greeting', End: true } } },
          { StartAt: 'Right', States: { Right: { Type: 'Pass', Result: 'right', End: true } } },
        ],
        Next: 'Done',
      },
      Done: { Type: 'Succeed' },
    },
  },
  { Greet: (input) => `hello ${String((input as { who: string }).who)}` },
);

/** Fails once with TransientError, then succeeds: the retry must show in the history. */
let flakyCalls = 0;
const flaky = host(
  'Flaky',
  {
    StartAt: 'Call',
    States: {
      Call: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: FUNCTION('Call'), 'Payload.$': '$' },
        Retry: [{ ErrorEquals: ['TransientError'], IntervalSeconds: 1, MaxAttempts: 2 }],
        End: true,
      },
    },
  },
  {
    Call: () => {
      if (flakyCalls++ === 0) throw stepError('TransientError', 'Okta answered 503');
      return { ok: true };
    },
  },
);

/** Does what its input says: `ok`, `fail`, or wait for a gate. */
const worker = host(
  'Worker',
  { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: FUNCTION('Work'), End: true } } },
  {
    Work: async (input) => {
      const { mode, gate: id } = input as { mode: string; gate?: string };
      if (mode === 'fail') throw stepError('ValidationError', 'request.workspace: required');
      if (mode === 'wait') await gate(id ?? 'default');
      return { done: mode };
    },
  },
);

const machines = [greeter, flaky, worker];

// ---------------------------------------------------------------------------------------------
// Client helpers
// ---------------------------------------------------------------------------------------------

const clients: SFNClient[] = [];
function clientFor(emulator: StepFunctionsEmulator): SFNClient {
  const client = new SFNClient({
    region: 'us-east-1',
    endpoint: emulator.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
}

let emulator: StepFunctionsEmulator;
let sfn: SFNClient;
let n = 0;
/** A fresh execution name per call: the emulator lives for the whole file. */
const unique = (base: string) => `${base}-${++n}`;

beforeAll(async () => {
  emulator = await startStepFunctionsEmulator({ stateMachines: machines });
  sfn = clientFor(emulator);
});

afterAll(async () => {
  releaseAll();
  clients.forEach((c) => c.destroy());
  await emulator.close();
});

async function errorOf(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`not an Error: ${String(err)}`, { cause: err });
  }
  throw new Error('expected the call to fail');
}

async function start(machine: HostedStateMachine, input: JsonValue, name = unique(machine.name)) {
  return sfn.send(
    new StartExecutionCommand({ stateMachineArn: machine.arn, name, input: JSON.stringify(input) }),
  );
}

/** Polls DescribeExecution the way a client of the real service does. */
async function settled(executionArn: string, client = sfn): Promise<DescribeExecutionOutput> {
  for (let i = 0; i < 500; i++) {
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') return described;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${executionArn} is still running`);
}

async function history(executionArn: string, extra: { includeExecutionData?: boolean } = {}) {
  const out = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...extra }));
  return out.events ?? [];
}

const types = (events: HistoryEvent[]) => events.map((e) => e.type);

/** Resolves when `predicate` holds for the emulator's executions (persistence is asynchronous). */
async function until(predicate: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition never held');
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('Step Functions emulator', () => {
  it('starts in the background, then describes the execution until it succeeds, with Date timestamps', async () => {
    const before = Date.now();
    const started = await start(greeter, { who: 'alice' });
    expect(started.executionArn).toMatch(
      /^arn:aws:states:us-east-1:000000000000:execution:Greeter:Greeter-\d+$/,
    );
    // The JSON protocol sends epoch seconds; the SDK hands out Dates.
    expect(started.startDate).toBeInstanceOf(Date);
    expect(started.startDate!.getTime()).toBeGreaterThanOrEqual(before - 1);

    const done = await settled(started.executionArn!);
    expect(done).toMatchObject({
      executionArn: started.executionArn,
      stateMachineArn: greeter.arn,
      status: 'SUCCEEDED',
      input: JSON.stringify({ who: 'alice' }),
      startDate: started.startDate,
    });
    expect(done.stopDate).toBeInstanceOf(Date);
    expect(done.stopDate!.getTime()).toBeGreaterThanOrEqual(done.startDate!.getTime());
    // The Parallel state's output: one entry per branch.
    expect(JSON.parse(done.output!)).toEqual(['hello alice', 'right']);
    expect(done.error).toBeUndefined();
  });

  it('records a failed execution with its error and cause', async () => {
    const started = await start(worker, { mode: 'fail' });
    const done = await settled(started.executionArn!);
    expect(done).toMatchObject({
      status: 'FAILED',
      error: 'ValidationError',
      cause: 'request.workspace: required',
    });
    expect(done.output).toBeUndefined();
  });

  it('works from AWS_ENDPOINT_URL_SFN alone, like the deployed code does', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_SFN;
    process.env.AWS_ENDPOINT_URL_SFN = emulator.url;
    try {
      const client = new SFNClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      clients.push(client);
      const machine = await client.send(new DescribeStateMachineCommand({ stateMachineArn: greeter.arn }));
      expect(machine).toMatchObject({ name: 'Greeter', type: 'STANDARD', status: 'ACTIVE' });
      expect(JSON.parse(machine.definition!)).toEqual(greeter.definition);
      expect(machine.creationDate).toBeInstanceOf(Date);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SFN;
      else process.env.AWS_ENDPOINT_URL_SFN = saved;
    }
  });

  describe('StartExecution idempotency (Standard workflows)', () => {
    it('the same name and input while it runs is the same execution', async () => {
      const name = unique('same');
      const input = { mode: 'wait', gate: name };
      const first = await start(worker, input, name);
      const second = await start(worker, input, name);
      expect(second).toMatchObject({ executionArn: first.executionArn, startDate: first.startDate });
      expect(emulator.executions().filter((e) => e.name === name)).toHaveLength(1);

      release(name);
      expect((await settled(first.executionArn!)).status).toBe('SUCCEEDED');
      expect(emulator.executions().filter((e) => e.name === name)).toHaveLength(1);
    });

    it('the same name with another input is ExecutionAlreadyExists, and so is any reuse once closed', async () => {
      const name = unique('taken');
      const first = await start(worker, { mode: 'wait', gate: name }, name);
      const other = await errorOf(start(worker, { mode: 'wait', gate: 'other' }, name));
      expect(other.name).toBe('ExecutionAlreadyExists');
      expect(other.$metadata?.httpStatusCode).toBe(400);
      expect(other.message).toContain(first.executionArn);

      release(name);
      await settled(first.executionArn!);
      // AWS: "When the original execution is closed, ExecutionAlreadyExists regardless of input".
      const reused = await errorOf(start(worker, { mode: 'wait', gate: name }, name));
      expect(reused.name).toBe('ExecutionAlreadyExists');
    });
  });

  it('rejects bad requests with the exception AWS names', async () => {
    const invalidName = async (name: string) => (await errorOf(start(worker, { mode: 'ok' }, name))).name;
    expect(await invalidName('has space')).toBe('InvalidName');
    expect(await invalidName('a:b')).toBe('InvalidName');
    expect(await invalidName('tab\there')).toBe('InvalidName');
    expect(await invalidName('x'.repeat(81))).toBe('InvalidName');
    expect((await start(worker, { mode: 'ok' }, 'x'.repeat(80))).executionArn).toBeDefined();

    const badInput = await errorOf(
      sfn.send(new StartExecutionCommand({ stateMachineArn: worker.arn, input: '{not json' })),
    );
    expect(badInput.name).toBe('InvalidExecutionInput');

    const noMachine = await errorOf(
      sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineArn('Nope'), input: '{}' })),
    );
    expect(noMachine.name).toBe('StateMachineDoesNotExist');

    const unknown = await errorOf(
      sfn.send(
        new DescribeExecutionCommand({
          executionArn: 'arn:aws:states:us-east-1:000000000000:execution:Worker:never-started',
        }),
      ),
    );
    // The modelled exception class, with the wire `__type` as its name.
    expect(unknown).toBeInstanceOf(ExecutionDoesNotExist);
    expect(unknown.name).toBe('ExecutionDoesNotExist');
    expect(unknown.message).toContain('never-started');

    const notAnArn = await errorOf(sfn.send(new DescribeExecutionCommand({ executionArn: 'nope' })));
    expect(notAnArn.name).toBe('InvalidArn');
    await emulator.waitForIdle();
  });

  describe('GetExecutionHistory', () => {
    it('lists entered and exited events in order, in the AWS shape', async () => {
      const { executionArn } = await start(greeter, { who: 'bob' });
      await settled(executionArn!);
      const events = await history(executionArn!);

      expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
      expect(events[0]).toMatchObject({
        id: 1,
        previousEventId: 0,
        type: 'ExecutionStarted',
        executionStartedEventDetails: { input: JSON.stringify({ who: 'bob' }) },
      });
      expect(events.every((e) => e.timestamp instanceof Date)).toBe(true);
      // The branch states (Pass) are checked below; the rest is one sequence.
      expect(types(events).filter((t) => !t!.startsWith('PassState'))).toEqual([
        'ExecutionStarted',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'ParallelStateEntered',
        'ParallelStateStarted',
        'ParallelStateSucceeded',
        'ParallelStateExited',
        'SucceedStateEntered',
        'SucceedStateExited',
        'ExecutionSucceeded',
      ]);
      const entered = (name: string) => events.find((e) => e.stateEnteredEventDetails?.name === name);
      const exited = (name: string) => events.find((e) => e.stateExitedEventDetails?.name === name);
      expect(JSON.parse(entered('Greet')!.stateEnteredEventDetails!.input!)).toEqual({ who: 'bob' });
      expect(JSON.parse(exited('Greet')!.stateExitedEventDetails!.output!)).toEqual({
        who: 'bob',
        greeting: 'hello bob',
      });
      // Both branches ran inside the Parallel state.
      for (const branch of ['Left', 'Right']) {
        expect(entered(branch)!.id!).toBeGreaterThan(entered('Fan')!.id!);
        expect(exited(branch)!.id!).toBeLessThan(exited('Fan')!.id!);
      }
      expect(exited('Right')!.stateExitedEventDetails!.output).toBe('"right"');
      expect(events.at(-1)!.executionSucceededEventDetails!.output).toBe(
        (await sfn.send(new DescribeExecutionCommand({ executionArn }))).output,
      );
    });

    it('shows a retried state: the failure, then the second attempt', async () => {
      flakyCalls = 0;
      const { executionArn } = await start(flaky, { id: 1 });
      expect((await settled(executionArn!)).status).toBe('SUCCEEDED');
      const events = await history(executionArn!);
      expect(types(events)).toEqual([
        'ExecutionStarted',
        'TaskStateEntered',
        'TaskScheduled',
        'TaskStarted',
        'TaskFailed',
        'TaskScheduled',
        'TaskStarted',
        'TaskSucceeded',
        'TaskStateExited',
        'ExecutionSucceeded',
      ]);
      expect(events[4]!.taskFailedEventDetails).toEqual({
        resourceType: 'lambda',
        resource: 'invoke',
        error: 'TransientError',
        cause: 'Okta answered 503',
      });
      expect(events[2]!.taskScheduledEventDetails).toMatchObject({
        resourceType: 'lambda',
        resource: 'invoke',
        region: 'us-east-1',
      });
      expect(events[5]!.previousEventId).toBe(5);
    });

    it('a failed state shows its failure before the execution fails', async () => {
      const { executionArn } = await start(worker, { mode: 'fail' });
      await settled(executionArn!);
      const events = await history(executionArn!);
      expect(types(events).slice(-2)).toEqual(['LambdaFunctionFailed', 'ExecutionFailed']);
      expect(events.at(-2)!.lambdaFunctionFailedEventDetails).toEqual({
        error: 'ValidationError',
        cause: 'request.workspace: required',
      });
      expect(events.at(-1)!.executionFailedEventDetails).toEqual({
        error: 'ValidationError',
        cause: 'request.workspace: required',
      });
    });

    it('pages forwards and backwards, and can leave out execution data', async () => {
      const { executionArn } = await start(greeter, { who: 'carol' });
      await settled(executionArn!);
      const all = await history(executionArn!);

      const pages = async (reverseOrder: boolean) => {
        const ids: number[] = [];
        let nextToken: string | undefined;
        do {
          const page = await sfn.send(
            new GetExecutionHistoryCommand({ executionArn, maxResults: 4, reverseOrder, nextToken }),
          );
          expect(page.events!.length).toBeLessThanOrEqual(4);
          ids.push(...page.events!.map((e) => e.id!));
          nextToken = page.nextToken;
        } while (nextToken);
        return ids;
      };
      expect(await pages(false)).toEqual(all.map((e) => e.id));
      expect(await pages(true)).toEqual(all.map((e) => e.id).reverse());

      const bare = await history(executionArn!, { includeExecutionData: false });
      expect(types(bare)).toEqual(types(all));
      expect(JSON.stringify(bare)).not.toContain('carol');
      expect(bare[0]!.executionStartedEventDetails!.input).toBeUndefined();
      expect(bare.find((e) => e.stateEnteredEventDetails)!.stateEnteredEventDetails).toEqual({
        name: 'Greet',
      });

      const badToken = await errorOf(
        sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken: 'garbage' })),
      );
      expect(badToken.name).toBe('InvalidToken');
    });
  });

  it('ListExecutions lists newest first, filters by status and pages', async () => {
    const lister = host('Lister', worker.definition, {
      Work: async (input) => {
        const { mode, gate: id } = input as { mode: string; gate?: string };
        if (mode === 'fail') throw stepError('ValidationError', 'no');
        if (mode === 'wait') await gate(id ?? 'lister');
        return {};
      },
    });
    const own = await startStepFunctionsEmulator({ stateMachines: [lister] });
    const client = clientFor(own);
    try {
      const run = async (name: string, mode: string) =>
        (
          await client.send(
            new StartExecutionCommand({
              stateMachineArn: lister.arn,
              name,
              input: JSON.stringify({ mode, gate: 'lister-gate' }),
            }),
          )
        ).executionArn!;
      await settled(await run('first', 'ok'), client);
      await settled(await run('second', 'fail'), client);
      await run('third', 'wait');

      const names = async (statusFilter?: ExecutionStatus) =>
        (
          await client.send(new ListExecutionsCommand({ stateMachineArn: lister.arn, statusFilter }))
        ).executions!.map((e) => `${e.name}:${e.status}`);
      expect(await names()).toEqual(['third:RUNNING', 'second:FAILED', 'first:SUCCEEDED']);
      expect(await names('SUCCEEDED')).toEqual(['first:SUCCEEDED']);
      expect(await names('FAILED')).toEqual(['second:FAILED']);
      expect(await names('RUNNING')).toEqual(['third:RUNNING']);
      expect(await names('ABORTED')).toEqual([]);

      const paged: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new ListExecutionsCommand({ stateMachineArn: lister.arn, maxResults: 1, nextToken }),
        );
        paged.push(...page.executions!.map((e) => e.name!));
        expect(page.executions![0]!.startDate).toBeInstanceOf(Date);
        nextToken = page.nextToken;
      } while (nextToken);
      expect(paged).toEqual(['third', 'second', 'first']);

      const missing = await errorOf(
        client.send(new ListExecutionsCommand({ stateMachineArn: stateMachineArn('Missing') })),
      );
      expect(missing.name).toBe('StateMachineDoesNotExist');

      release('lister-gate');
      await own.waitForIdle();
      expect(own.executions().map((e) => e.status)).toEqual(['SUCCEEDED', 'FAILED', 'SUCCEEDED']);
    } finally {
      await own.close();
    }
  });

  it('StopExecution aborts a running execution with the given error and cause', async () => {
    const { executionArn } = await start(worker, { mode: 'wait', gate: 'stopped' });
    const stopped = await sfn.send(
      new StopExecutionCommand({ executionArn, error: 'Cancelled', cause: 'requested by alice' }),
    );
    expect(stopped.stopDate).toBeInstanceOf(Date);
    release('stopped');
    await emulator.waitForIdle();
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({
      status: 'ABORTED',
      error: 'Cancelled',
      cause: 'requested by alice',
    });
    const events = await history(executionArn!);
    expect(events.at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Cancelled', cause: 'requested by alice' },
    });
  });

  it('keeps executions across a restart; one still running comes back ABORTED', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sfn-emulator-'));
    const dataFile = join(dir, 'nested', 'step-functions.json');
    try {
      const first = await startStepFunctionsEmulator({ stateMachines: machines, dataFile });
      const client = clientFor(first);
      const send = (name: string, input: JsonValue) =>
        client.send(
          new StartExecutionCommand({ stateMachineArn: worker.arn, name, input: JSON.stringify(input) }),
        );
      const finished = (await send('finished', { mode: 'ok' })).executionArn!;
      await settled(finished, client);
      const cutOff = (await send('cut-off', { mode: 'wait', gate: 'restart' })).executionArn!;
      const crashed = (await send('crashed', { mode: 'wait', gate: 'restart' })).executionArn!;
      const historyBefore = (await client.send(new GetExecutionHistoryCommand({ executionArn: finished })))
        .events;

      // A copy taken while both run stands for a process that died without closing anything.
      await until(async () => (await readFile(dataFile, 'utf8').catch(() => '')).includes('crashed'));
      const crashFile = join(dir, 'crash.json');
      await copyFile(dataFile, crashFile);
      await first.close();
      release('restart');

      const second = await startStepFunctionsEmulator({ stateMachines: machines, dataFile });
      const again = clientFor(second);
      try {
        expect(await again.send(new DescribeExecutionCommand({ executionArn: finished }))).toMatchObject({
          status: 'SUCCEEDED',
          output: JSON.stringify({ done: 'ok' }),
        });
        expect((await again.send(new GetExecutionHistoryCommand({ executionArn: finished }))).events).toEqual(
          historyBefore,
        );
        expect(await again.send(new DescribeExecutionCommand({ executionArn: cutOff }))).toMatchObject({
          status: 'ABORTED',
          cause: STOPPED_BY_SHUTDOWN,
        });
        const names = (
          await again.send(new ListExecutionsCommand({ stateMachineArn: worker.arn }))
        ).executions!.map((e) => e.name);
        expect(names).toEqual(['crashed', 'cut-off', 'finished']);
        // Names stay taken after a restart, as they do in AWS.
        const reused = await errorOf(
          again.send(
            new StartExecutionCommand({
              stateMachineArn: worker.arn,
              name: 'finished',
              input: '{"mode":"ok"}',
            }),
          ),
        );
        expect(reused.name).toBe('ExecutionAlreadyExists');
      } finally {
        await second.close();
      }

      const afterCrash = await startStepFunctionsEmulator({ stateMachines: machines, dataFile: crashFile });
      const recovered = clientFor(afterCrash);
      try {
        expect(await recovered.send(new DescribeExecutionCommand({ executionArn: crashed }))).toMatchObject({
          status: 'ABORTED',
          cause: STOPPED_BY_SHUTDOWN,
        });
        const events = (await recovered.send(new GetExecutionHistoryCommand({ executionArn: crashed })))
          .events!;
        expect(events.at(-1)).toMatchObject({
          type: 'ExecutionAborted',
          executionAbortedEventDetails: { cause: STOPPED_BY_SHUTDOWN },
        });
      } finally {
        await afterCrash.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Step Functions emulator status change events', () => {
  it('reports every end - succeeded, failed, stopped, and cut off by an earlier shutdown - in the EventBridge shape, never a shutdown it causes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sfn-events-'));
    const dataFile = join(dir, 'executions.json');
    const ended: ExecutionSummary[] = [];
    try {
      const first = await startStepFunctionsEmulator({
        stateMachines: machines,
        dataFile,
        onExecutionEnded: (e) => ended.push(e),
      });
      const client = clientFor(first);
      const send = (name: string, input: JsonValue) =>
        client.send(
          new StartExecutionCommand({ stateMachineArn: worker.arn, name, input: JSON.stringify(input) }),
        );
      await settled((await send('ok', { mode: 'ok' })).executionArn!, client);
      await settled((await send('fails', { mode: 'fail' })).executionArn!, client);
      const stopped = (await send('stopped', { mode: 'wait', gate: 'events' })).executionArn!;
      await client.send(
        new StopExecutionCommand({ executionArn: stopped, error: 'Operator', cause: 'stopped by hand' }),
      );
      const cutOff = (await send('cut-off', { mode: 'wait', gate: 'events-2' })).executionArn!;
      await until(() => ended.length === 3);
      await first.close();
      release('events');
      release('events-2');
      // Closing stopped `cut-off` itself: local mode is going down, nobody is told.
      expect(ended.map((e) => [e.name, e.status])).toEqual([
        ['ok', 'SUCCEEDED'],
        ['fails', 'FAILED'],
        ['stopped', 'ABORTED'],
      ]);

      const second = await startStepFunctionsEmulator({
        stateMachines: machines,
        dataFile,
        onExecutionEnded: (e) => ended.push(e),
      });
      try {
        expect(ended.slice(3).map((e) => [e.executionArn, e.status])).toEqual([]);
      } finally {
        await second.close();
      }
      // The cut-off one was saved ABORTED by the orderly close; a crash leaves it RUNNING on disk,
      // and that one is reported when local mode starts again.
      const raw = JSON.parse(await readFile(dataFile, 'utf8')) as {
        version: 1;
        executions: Array<Record<string, unknown>>;
      };
      for (const e of raw.executions)
        if (e.executionArn === cutOff) Object.assign(e, { status: 'RUNNING', stopDate: undefined });
      await writeFile(dataFile, JSON.stringify(raw));
      const third = await startStepFunctionsEmulator({
        stateMachines: machines,
        dataFile,
        onExecutionEnded: (e) => ended.push(e),
      });
      await third.close();
      expect(ended.slice(3).map((e) => [e.name, e.status])).toEqual([['cut-off', 'ABORTED']]);

      const event = statusChangeEvent(ended[2] as ExecutionSummary);
      expect(event).toMatchObject({
        source: 'aws.states',
        'detail-type': 'Step Functions Execution Status Change',
        resources: [stopped],
        detail: {
          executionArn: stopped,
          stateMachineArn: worker.arn,
          name: 'stopped',
          status: 'ABORTED',
          error: 'Operator',
          cause: 'stopped by hand',
        },
      });
      expect(typeof (event.detail as { startDate: unknown }).startDate).toBe('number');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Step Functions emulator hosting the provisioning workflow', () => {
  it('runs the synthesized ASL: an invalid request ends FAILED with ProvisioningFailed', async () => {
    // Imported here so the CDK synthesis cost is paid by this test only.
    const { provisioningAsl } = await import('../../local/workflow/asl');
    const { startHarness, provisioningInput } = await import('../workflow/harness');
    const h = await startHarness();
    const definition = provisioningAsl();
    const provisioning: HostedStateMachine = {
      arn: stateMachineArn('Provisioning'),
      name: 'Provisioning',
      definition,
      execute: (input, onEvent, signal) =>
        runLocally(input, h.ctx, { definition, onEvent, signal, retryDelayMs: 0 }),
    };
    const own = await startStepFunctionsEmulator({ stateMachines: [provisioning] });
    const client = clientFor(own);
    try {
      const { executionArn } = await client.send(
        new StartExecutionCommand({
          stateMachineArn: provisioning.arn,
          name: 'req-invalid',
          input: JSON.stringify(
            provisioningInput({ tokenLifetimes: { accessTokenMinutes: 2 } }, 'req-invalid'),
          ),
        }),
      );
      const done = await settled(executionArn!, client);
      expect(done.status).toBe('FAILED');
      expect(done.error).toBe('ProvisioningFailed');
      expect(JSON.parse(done.cause!)).toMatchObject({ error: { name: 'ValidationError' } });

      const events = (await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 })))
        .events!;
      expect(events[1]).toMatchObject({
        type: 'TaskStateEntered',
        stateEnteredEventDetails: { name: 'ValidatePlan' },
      });
      const failure = events.find((e) => e.lambdaFunctionFailedEventDetails);
      expect(failure!.lambdaFunctionFailedEventDetails!.error).toBe('ValidationError');
      expect(events.at(-1)).toMatchObject({
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: 'ProvisioningFailed' },
      });
      expect(h.okta.control.calls).toEqual([]);
      expect(h.kong.control.calls).toEqual([]);
    } finally {
      await own.close();
      await h.close();
    }
  });
});

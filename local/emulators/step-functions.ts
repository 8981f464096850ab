/**
 * A loopback AWS Step Functions speaking the AWS JSON 1.0 wire protocol, so the real
 * `@aws-sdk/client-sfn` works unchanged against it (`endpoint` or `AWS_ENDPOINT_URL_SFN`, any
 * dummy credentials; signatures are not checked).
 *
 * It hosts state machines it is given; how an execution runs is theirs to decide (local mode runs
 * the synthesized ASL with the real handlers through `runLocally`). The emulator owns what Step
 * Functions owns: execution names and idempotency, statuses, the execution history in AWS's
 * shape, listing and paging, and - when given a data file - keeping finished executions across
 * a restart of local mode.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AslDefinition, AslState } from '../workflow/asl';
import type { ExecutionEvent, JsonValue, LocalExecution } from '../workflow/runner';
import {
  AwsError,
  compact,
  epochSeconds,
  optionalBoolean,
  optionalInteger,
  optionalString,
  requiredString,
  startAwsJsonServer,
  type Obj,
  type Operation,
} from './aws-json';

// ---------------------------------------------------------------------------------------------
// Public shapes
// ---------------------------------------------------------------------------------------------

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface HostedStateMachine {
  arn: string;
  name: string;
  definition: AslDefinition;
  /**
   * Runs one execution, reporting the runner's events as they happen. `signal` is aborted when the
   * execution is stopped (StopExecution, or the emulator closing); honouring it is optional.
   */
  execute(
    input: JsonValue,
    onEvent: (event: ExecutionEvent) => void,
    signal: AbortSignal,
  ): Promise<LocalExecution>;
}

export interface ExecutionSummary {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  /** The input string exactly as StartExecution received it. */
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface StepFunctionsEmulator {
  url: string;
  /** Every execution, newest first. */
  executions(): ExecutionSummary[];
  /** Resolves when no execution is running (including ones started while waiting). */
  waitForIdle(): Promise<void>;
  /**
   * The next `count` StartExecution calls are throttled (ThrottlingException, which the SDK
   * retries), as Step Functions' StartExecution token bucket does under a burst; 0 stops it.
   */
  throttleStarts(count: number): void;
  /** Stops the server; executions still running end ABORTED (and are saved so when persisting). */
  close(): Promise<void>;
}

export interface StepFunctionsEmulatorOptions {
  stateMachines: HostedStateMachine[];
  port?: number;
  host?: string;
  region?: string;
  /** JSON file keeping executions (summary + history) across restarts. */
  dataFile?: string;
  /**
   * Called when an execution ends, however it ends (also for one found cut off by an earlier
   * shutdown), as Step Functions emits an "Execution Status Change" event to EventBridge. Not called
   * for executions the emulator's own close() stops: local mode is going down with them.
   */
  onExecutionEnded?: (execution: ExecutionSummary) => void;
}

/** The EventBridge event Step Functions sends when an execution's status changes (cw-events.md). */
export function statusChangeEvent(e: ExecutionSummary, region = 'us-east-1'): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: ACCOUNT,
    time: (e.stopDate ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [e.executionArn],
    detail: {
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: e.startDate.getTime(),
      stopDate: e.stopDate ? e.stopDate.getTime() : null,
      input: e.input,
      inputDetails: { included: true },
      output: e.output ?? null,
      outputDetails: e.output === undefined ? null : { included: true },
      error: e.error ?? null,
      cause: e.cause ?? null,
    },
  };
}

const ACCOUNT = '000000000000';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/local-step-functions`;
export const STOPPED_BY_SHUTDOWN = 'local mode stopped while it was running';

/** The ARN a state machine called `name` has in local mode. */
export function stateMachineArn(name: string, region = 'us-east-1'): string {
  return `arn:aws:states:${region}:${ACCOUNT}:stateMachine:${name}`;
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

/** A history event as kept: AWS's shape, with the timestamp in epoch ms until it goes on the wire. */
interface StoredEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  /** e.g. `stateEnteredEventDetails`. */
  detailsKey?: string;
  details?: Obj;
}

/** JSON-safe, so it is also the persisted form. */
interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  history: StoredEvent[];
  /** Start order, breaking ties between executions started in the same millisecond. */
  seq: number;
}

interface DataFile {
  version: 1;
  executions: Execution[];
}

type Outcome = {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: string;
  error?: string;
  cause?: string;
};

type Position = Pick<Execution, 'startDate' | 'seq'>;

/** Newest first; `seq` breaks ties between executions started in the same millisecond. */
const newestFirst = (a: Position, b: Position) => b.startDate - a.startDate || b.seq - a.seq;

const STATUSES: readonly string[] = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
];

// ---------------------------------------------------------------------------------------------
// Checks, with the messages Step Functions uses
// ---------------------------------------------------------------------------------------------

/** AWS: 1-80 characters; no whitespace, brackets, wildcards, `"#%\^|~`$&,;:/` or control characters. */
function validName(name: string): boolean {
  const chars = [...name];
  if (chars.length < 1 || chars.length > 80) return false;
  return chars.every((c) => {
    const code = c.codePointAt(0) ?? 0;
    const control = code <= 0x1f || (code >= 0x7f && code <= 0x9f);
    return !control && !/\s/u.test(c) && !'<>{}[]?*"#%\\^|~`$&,;:/'.includes(c);
  });
}

const EXECUTION_ARN = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/;
const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;

function checkArn(arn: string, pattern: RegExp): string {
  if (!pattern.test(arn)) throw new AwsError('InvalidArn', `Invalid Arn: '${arn}'`);
  return arn;
}

function pageSize(input: Obj): number {
  const max = optionalInteger(input, 'maxResults') ?? 0;
  if (max < 0 || max > 1000) {
    throw new AwsError(
      'ValidationException',
      "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 0 and 1000",
    );
  }
  // 0 (or absent) means the default page of 100.
  return max === 0 ? 100 : max;
}

/** Tokens are opaque to clients; they carry the position and the query they belong to. */
function encodeToken(value: Obj): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeToken(token: string | undefined, query: Obj): Obj | undefined {
  if (token === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Obj;
    if (Object.entries(query).every(([k, v]) => value[k] === v)) return value;
  } catch {
    // falls through to the error below
  }
  throw new AwsError('InvalidToken', `Invalid Token: '${token}'`);
}

// ---------------------------------------------------------------------------------------------
// History: the runner's events in AWS's execution-history shape
// ---------------------------------------------------------------------------------------------

const json = (value: unknown) => JSON.stringify(value ?? null);
const text = (value: unknown) => (typeof value === 'string' ? value : json(value));
const notTruncated = { truncated: false };

/** Task resources by state name, at any depth (AWS names the resource in Task events). */
function taskResources(definition: AslDefinition, into = new Map<string, string>()): Map<string, string> {
  for (const [name, state] of Object.entries(definition.States) as [string, AslState][]) {
    if (state.Type === 'Task' && typeof state.Resource === 'string') into.set(name, state.Resource);
    for (const branch of state.Branches ?? []) taskResources(branch, into);
    for (const key of ['Iterator', 'ItemProcessor']) {
      const nested = state[key] as AslDefinition | undefined;
      if (nested?.States) taskResources(nested, into);
    }
  }
  return into;
}

const LAMBDA_FUNCTION = /^arn:aws[\w-]*:lambda:[^:]+:\d{12}:function:/;
const SERVICE_INTEGRATION = /^arn:aws[\w-]*:states:::([^:]+):(.+)$/;

/**
 * Appends AWS-shaped events to an execution's history. AWS reports a Task whose Resource is a
 * Lambda function ARN with LambdaFunction* events and a service integration
 * (`arn:aws:states:::lambda:invoke`, ...) with Task* events; each attempt is Scheduled + Started
 * and ends Succeeded or Failed, so a retry shows as a failure followed by a new attempt.
 */
class HistoryWriter {
  /** Last event id per state (and Map iteration), so concurrent branches chain to their own events. */
  private readonly lastOf = new Map<string, number>();

  constructor(
    private readonly execution: Execution,
    private readonly resources: Map<string, string>,
    private readonly region: string,
  ) {}

  private get lastId(): number {
    return this.execution.history.length;
  }

  add(type: string, timestamp: number, detailsKey?: string, details?: Obj, previous = this.lastId): number {
    const id = this.lastId + 1;
    this.execution.history.push({
      id,
      previousEventId: previous,
      timestamp,
      type,
      ...(detailsKey && details ? { detailsKey, details: compact(details) } : {}),
    });
    return id;
  }

  /** One runner event -> zero or more history events. */
  fromRunner(e: ExecutionEvent): void {
    const state = e.state;
    if (e.type.startsWith('MapIteration') && e.parentState) {
      const detailsKey = `${e.type.charAt(0).toLowerCase()}${e.type.slice(1)}EventDetails`;
      this.add(e.type, e.timestamp, detailsKey, { name: e.parentState.name, index: e.index });
      return;
    }
    // Execution-level events are written by the emulator from the outcome; branch events have no
    // counterpart in AWS's history.
    if (!state) return;
    const key = `${state.name}#${e.index ?? ''}`;
    const container = state.type === 'Parallel' || state.type === 'Map';
    const chain = (type: string, detailsKey?: string, details?: Obj) => {
      const previous = container ? this.lastId : (this.lastOf.get(key) ?? this.lastId);
      this.lastOf.set(key, this.add(type, e.timestamp, detailsKey, details, previous));
    };
    const task = this.taskEvents(state.name);

    switch (e.type) {
      case 'StateEntered':
        this.lastOf.set(
          key,
          this.add(`${state.type}StateEntered`, e.timestamp, 'stateEnteredEventDetails', {
            name: state.name,
            input: json(state.input),
            inputDetails: notTruncated,
          }),
        );
        this.attemptStarted(state.type, state.input, task, chain);
        return;
      case 'StateRetried':
        this.attemptStarted(state.type, state.input, task, chain);
        return;
      case 'StateFailed':
        if (state.type === 'Task')
          chain(task.failed, task.failedKey, { ...task.resource, error: e.Error, cause: text(e.Cause) });
        else if (container) chain(`${state.type}StateFailed`);
        // Other states fail the execution (or a branch) directly: that event carries the error.
        return;
      case 'StateExited':
        if (state.type === 'Task') chain(task.succeeded, task.succeededKey, task.resource);
        if (container) chain(`${state.type}StateSucceeded`);
        chain(`${state.type}StateExited`, 'stateExitedEventDetails', {
          name: state.name,
          output: json(state.output),
          outputDetails: notTruncated,
        });
        return;
      default:
        // StateCaught: AWS shows a caught error as the failure event followed by the handler state.
        return;
    }
  }

  private attemptStarted(
    type: string,
    input: unknown,
    task: ReturnType<HistoryWriter['taskEvents']>,
    chain: (type: string, detailsKey?: string, details?: Obj) => void,
  ): void {
    if (type === 'Task') {
      chain(task.scheduled, task.scheduledKey, task.scheduledDetails(input));
      chain(task.started, task.startedKey, task.startedKey ? task.resource : undefined);
    } else if (type === 'Parallel' || type === 'Map') {
      chain(`${type}StateStarted`);
    }
  }

  private taskEvents(stateName: string) {
    const arn = this.resources.get(stateName) ?? '';
    const integration = SERVICE_INTEGRATION.exec(arn);
    if (LAMBDA_FUNCTION.test(arn) || !integration) {
      return {
        scheduled: 'LambdaFunctionScheduled',
        scheduledKey: 'lambdaFunctionScheduledEventDetails',
        scheduledDetails: (input: unknown): Obj => ({
          resource: arn,
          input: json(input),
          inputDetails: notTruncated,
        }),
        started: 'LambdaFunctionStarted',
        startedKey: undefined,
        succeeded: 'LambdaFunctionSucceeded',
        succeededKey: 'lambdaFunctionSucceededEventDetails',
        failed: 'LambdaFunctionFailed',
        failedKey: 'lambdaFunctionFailedEventDetails',
        resource: {},
      };
    }
    const resource = { resourceType: integration[1], resource: integration[2] };
    return {
      scheduled: 'TaskScheduled',
      scheduledKey: 'taskScheduledEventDetails',
      scheduledDetails: (input: unknown): Obj => ({
        ...resource,
        region: this.region,
        parameters: json(input),
      }),
      started: 'TaskStarted',
      startedKey: 'taskStartedEventDetails',
      succeeded: 'TaskSucceeded',
      succeededKey: 'taskSucceededEventDetails',
      failed: 'TaskFailed',
      failedKey: 'taskFailedEventDetails',
      resource,
    };
  }
}

/** Members holding execution data, left out when `includeExecutionData` is false. */
const DATA_MEMBERS = new Set(['input', 'inputDetails', 'output', 'outputDetails', 'parameters']);

function wireEvent(event: StoredEvent, includeData: boolean): Obj {
  const details =
    event.detailsKey && event.details
      ? {
          [event.detailsKey]: includeData
            ? event.details
            : Object.fromEntries(Object.entries(event.details).filter(([k]) => !DATA_MEMBERS.has(k))),
        }
      : {};
  return {
    id: event.id,
    previousEventId: event.previousEventId,
    timestamp: epochSeconds(event.timestamp),
    type: event.type,
    ...details,
  };
}

// ---------------------------------------------------------------------------------------------
// Persistence
// ---------------------------------------------------------------------------------------------

async function load(file: string): Promise<Execution[]> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  let data: DataFile;
  try {
    data = JSON.parse(raw) as DataFile;
  } catch (err) {
    throw new Error(`${file} is not valid JSON`, { cause: err });
  }
  if (data.version !== 1 || !Array.isArray(data.executions)) {
    throw new Error(`${file} is not a Step Functions emulator data file`);
  }
  return data.executions;
}

/** Writes whole snapshots, one at a time, through a temp file and rename (never half a file). */
function persister(file: string | undefined, snapshot: () => DataFile) {
  let queue: Promise<void> = Promise.resolve();
  let queued = false;
  let failure: unknown;
  return {
    save(): void {
      if (file === undefined || queued) return; // a queued write will include this change
      queued = true;
      queue = queue.then(async () => {
        queued = false;
        const body = JSON.stringify(snapshot());
        const temp = `${file}.${process.pid}.tmp`;
        try {
          await mkdir(dirname(file), { recursive: true });
          await writeFile(temp, body);
          await rename(temp, file);
          failure = undefined; // this snapshot supersedes whatever an earlier write failed to save
        } catch (err) {
          failure = err;
        }
      });
    },
    /** Waits for pending writes; a write that failed is reported here, since no caller was waiting for it. */
    async flush(): Promise<void> {
      await queue;
      if (failure !== undefined) throw failure;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------------------------

export async function startStepFunctionsEmulator(
  options: StepFunctionsEmulatorOptions,
): Promise<StepFunctionsEmulator> {
  const region = options.region ?? 'us-east-1';
  const createdAt = Date.now();
  const machines = new Map<string, HostedStateMachine>();
  for (const machine of options.stateMachines) {
    checkArn(machine.arn, STATE_MACHINE_ARN);
    if (machines.has(machine.arn)) throw new Error(`state machine ${machine.arn} is hosted twice`);
    machines.set(machine.arn, machine);
  }
  const resources = new Map([...machines].map(([arn, m]) => [arn, taskResources(m.definition)]));

  const executions = new Map<string, Execution>();
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let seq = 0;
  let closed = false;
  let closing = false;
  /** Ends noticed before the emulator is up (cut-off executions found at start) are reported once it is. */
  let ready = false;
  const endedEarly: Execution[] = [];

  const persist = persister(options.dataFile, () => ({ version: 1, executions: [...executions.values()] }));

  // Executions the previous run left RUNNING never finished: they were cut off by shutdown.
  for (const execution of options.dataFile ? await load(options.dataFile) : []) {
    if (execution.status === 'RUNNING') {
      const last = execution.history.at(-1)?.timestamp ?? execution.startDate;
      end(execution, { status: 'ABORTED', cause: STOPPED_BY_SHUTDOWN }, last);
    }
    executions.set(execution.executionArn, execution);
    seq = Math.max(seq, execution.seq);
  }
  persist.save();

  /** Closes an execution: status, dates and the final history event. Returns false if already closed. */
  function end(execution: Execution, outcome: Outcome, at = Date.now()): boolean {
    if (execution.status !== 'RUNNING') return false;
    Object.assign(execution, compact({ ...outcome, stopDate: at }));
    const writer = new HistoryWriter(execution, new Map(), region);
    const failure = compact({ error: outcome.error, cause: outcome.cause });
    switch (outcome.status) {
      case 'SUCCEEDED':
        writer.add('ExecutionSucceeded', at, 'executionSucceededEventDetails', {
          output: outcome.output,
          outputDetails: notTruncated,
        });
        break;
      case 'FAILED':
        writer.add('ExecutionFailed', at, 'executionFailedEventDetails', failure);
        break;
      case 'TIMED_OUT':
        writer.add('ExecutionTimedOut', at, 'executionTimedOutEventDetails', failure);
        break;
      case 'ABORTED':
        writer.add('ExecutionAborted', at, 'executionAbortedEventDetails', failure);
        break;
    }
    if (!closing) {
      if (ready) notifyEnded(execution);
      else endedEarly.push(execution);
    }
    return true;
  }

  function notifyEnded(execution: Execution): void {
    try {
      options.onExecutionEnded?.(summary(execution));
    } catch {
      // A subscriber's failure is the subscriber's; the execution has ended regardless.
    }
  }

  function outcomeOf(result: LocalExecution): Outcome {
    return result.status === 'SUCCEEDED'
      ? { status: 'SUCCEEDED', output: json(result.output) }
      : { status: 'FAILED', error: result.error, cause: result.cause };
  }

  function failureOutcome(err: unknown): Outcome {
    const name = err instanceof Error ? err.name : 'Error';
    // aws-local-stepfunctions rejects with ExecutionTimeoutError when TimeoutSeconds elapses.
    if (name === 'ExecutionTimeoutError') {
      return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out.' };
    }
    return { status: 'FAILED', error: name, cause: err instanceof Error ? err.message : String(err) };
  }

  function stop(execution: Execution, error: string | undefined, cause: string | undefined): void {
    if (end(execution, { status: 'ABORTED', error, cause })) persist.save();
    const run = running.get(execution.executionArn);
    running.delete(execution.executionArn);
    run?.controller.abort();
  }

  const executionArnOf = (machine: HostedStateMachine, name: string) =>
    `arn:aws:states:${region}:${ACCOUNT}:execution:${machine.name}:${name}`;

  function begin(machine: HostedStateMachine, name: string, input: string, parsed: JsonValue): Execution {
    const now = Date.now();
    const execution: Execution = {
      executionArn: executionArnOf(machine, name),
      stateMachineArn: machine.arn,
      name,
      status: 'RUNNING',
      startDate: now,
      input,
      history: [],
      seq: ++seq,
    };
    executions.set(execution.executionArn, execution);
    const writer = new HistoryWriter(execution, resources.get(machine.arn) ?? new Map(), region);
    writer.add('ExecutionStarted', now, 'executionStartedEventDetails', {
      input,
      inputDetails: notTruncated,
      roleArn: ROLE_ARN,
    });
    // Saved while running too: if the process dies, the next start reports it ABORTED, not lost.
    persist.save();

    const controller = new AbortController();
    const live = () => !closed && execution.status === 'RUNNING';
    const onEvent = (event: ExecutionEvent) => {
      if (live()) writer.fromRunner(event);
    };
    const done = (async () => machine.execute(parsed, onEvent, controller.signal))().then(
      (result) => outcomeOf(result),
      (err: unknown) => failureOutcome(err),
    );
    running.set(execution.executionArn, {
      controller,
      done: done.then((outcome) => {
        if (!live()) return;
        end(execution, outcome);
        running.delete(execution.executionArn);
        persist.save();
      }),
    });
    return execution;
  }

  function machineOf(arn: string): HostedStateMachine {
    const machine = machines.get(checkArn(arn, STATE_MACHINE_ARN));
    if (!machine) throw new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  function executionOf(input: Obj): Execution {
    const arn = checkArn(requiredString(input, 'executionArn'), EXECUTION_ARN);
    const execution = executions.get(arn);
    if (!execution) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  let throttledStarts = 0;
  const operations: Record<string, Operation> = {
    StartExecution(input) {
      if (throttledStarts > 0) {
        throttledStarts--;
        throw new AwsError('ThrottlingException', 'Rate exceeded');
      }
      const machine = machineOf(requiredString(input, 'stateMachineArn'));
      const name = optionalString(input, 'name') ?? randomUUID();
      if (!validName(name)) throw new AwsError('InvalidName', `Invalid Name: '${name}'`);
      const raw = optionalString(input, 'input') ?? '{}';
      if (Buffer.byteLength(raw) > 262_144) {
        throw new AwsError(
          'ValidationException',
          "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144",
        );
      }
      let parsed: JsonValue;
      try {
        parsed = JSON.parse(raw) as JsonValue;
      } catch (err) {
        throw new AwsError(
          'InvalidExecutionInput',
          `Invalid State Machine Execution Input: '${err instanceof Error ? err.message : 'not JSON'}'`,
        );
      }
      const arn = executionArnOf(machine, name);
      const existing = executions.get(arn);
      if (existing) {
        // Standard workflows: the same name and input while it runs is the same request; a
        // different input, or any input once it has closed, is a conflict (names last 90 days).
        if (existing.status === 'RUNNING' && existing.input === raw) {
          return { executionArn: existing.executionArn, startDate: epochSeconds(existing.startDate) };
        }
        throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
      }
      const execution = begin(machine, name, raw, parsed);
      return { executionArn: execution.executionArn, startDate: epochSeconds(execution.startDate) };
    },

    DescribeExecution(input) {
      const e = executionOf(input);
      return compact({
        executionArn: e.executionArn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: epochSeconds(e.startDate),
        stopDate: epochSeconds(e.stopDate),
        input: e.input,
        inputDetails: { included: true },
        output: e.output,
        outputDetails: e.output === undefined ? undefined : { included: true },
        error: e.error,
        cause: e.cause,
      });
    },

    StopExecution(input) {
      const execution = executionOf(input);
      stop(execution, optionalString(input, 'error'), optionalString(input, 'cause'));
      return { stopDate: epochSeconds(execution.stopDate) };
    },

    GetExecutionHistory(input) {
      const execution = executionOf(input);
      const max = pageSize(input);
      const reverse = optionalBoolean(input, 'reverseOrder') ?? false;
      const includeData = optionalBoolean(input, 'includeExecutionData') ?? true;
      const query = { arn: execution.executionArn, reverse };
      const after = decodeToken(optionalString(input, 'nextToken'), query)?.after;
      const ordered = reverse ? [...execution.history].reverse() : execution.history;
      const rest =
        typeof after === 'number' ? ordered.filter((e) => (reverse ? e.id < after : e.id > after)) : ordered;
      const page = rest.slice(0, max);
      const last = page.at(-1);
      return compact({
        events: page.map((e) => wireEvent(e, includeData)),
        nextToken: rest.length > max && last ? encodeToken({ ...query, after: last.id }) : undefined,
      });
    },

    ListExecutions(input) {
      const machineArn = optionalString(input, 'stateMachineArn');
      if (machineArn === undefined) {
        throw new AwsError('ValidationException', 'Must provide a StateMachine ARN or MapRun ARN');
      }
      const machine = machineOf(machineArn);
      const status = optionalString(input, 'statusFilter');
      if (status !== undefined && !STATUSES.includes(status)) {
        throw new AwsError(
          'ValidationException',
          `1 validation error detected: Value '${status}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${STATUSES.join(', ')}]`,
        );
      }
      const max = pageSize(input);
      const query = { arn: machine.arn, status: status ?? null };
      const after = decodeToken(optionalString(input, 'nextToken'), query);
      const matching = [...executions.values()]
        .filter((e) => e.stateMachineArn === machine.arn && (status === undefined || e.status === status))
        .sort(newestFirst);
      // Continue after the last execution seen, so executions started meanwhile do not shift pages.
      const cursor =
        after && typeof after.startDate === 'number' && typeof after.seq === 'number'
          ? { startDate: after.startDate, seq: after.seq }
          : undefined;
      const rest = cursor ? matching.filter((e) => newestFirst(e, cursor) > 0) : matching;
      const page = rest.slice(0, max);
      const last = page.at(-1);
      return compact({
        executions: page.map((e) =>
          compact({
            executionArn: e.executionArn,
            stateMachineArn: e.stateMachineArn,
            name: e.name,
            status: e.status,
            startDate: epochSeconds(e.startDate),
            stopDate: epochSeconds(e.stopDate),
          }),
        ),
        nextToken:
          rest.length > max && last
            ? encodeToken({ ...query, startDate: last.startDate, seq: last.seq })
            : undefined,
      });
    },

    DescribeStateMachine(input) {
      const machine = machineOf(requiredString(input, 'stateMachineArn'));
      return {
        stateMachineArn: machine.arn,
        name: machine.name,
        status: 'ACTIVE',
        definition: JSON.stringify(machine.definition),
        roleArn: ROLE_ARN,
        type: 'STANDARD',
        creationDate: epochSeconds(createdAt),
      };
    },

    ListStateMachines() {
      return {
        stateMachines: [...machines.values()].map((m) => ({
          stateMachineArn: m.arn,
          name: m.name,
          type: 'STANDARD',
          creationDate: epochSeconds(createdAt),
        })),
      };
    },
  };

  const server = await startAwsJsonServer({
    protocol: '1.0',
    targetPrefix: 'AWSStepFunctions',
    operations,
    port: options.port,
    host: options.host,
  });

  function summary(e: Execution): ExecutionSummary {
    return {
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: new Date(e.startDate),
      ...(e.stopDate !== undefined ? { stopDate: new Date(e.stopDate) } : {}),
      input: e.input,
      ...compact({ output: e.output, error: e.error, cause: e.cause }),
    };
  }

  ready = true;
  for (const execution of endedEarly.splice(0)) notifyEnded(execution);

  return {
    url: server.url,
    executions: () => [...executions.values()].sort(newestFirst).map(summary),
    throttleStarts(count) {
      throttledStarts = count;
    },
    async waitForIdle() {
      while (running.size > 0) await Promise.all([...running.values()].map((r) => r.done));
    },
    async close() {
      if (closed) return;
      closing = true;
      for (const execution of executions.values()) {
        if (execution.status === 'RUNNING') stop(execution, undefined, STOPPED_BY_SHUTDOWN);
      }
      closed = true;
      await server.close();
      await persist.flush();
    },
  };
}

/**
 * Runs the real provisioning ASL with aws-local-stepfunctions, every Task state mapped to the
 * same handler the Lambda runs. Used by the workflow tests and by local mode.
 */
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { handlerNameForState } from '../../lambdas/steps/catalogue';
import type { StepContext } from '../../lambdas/steps/context';
import { runStep } from '../../lambdas/steps/handlers';
import {
  type AslDefinition,
  type AslState,
  provisioningAsl,
  retryingStateNames,
  taskStateNames,
} from './asl';

// aws-local-stepfunctions 3 uses Promise.withResolvers (Node 22+); Node 20 lacks it.
const P = Promise as unknown as {
  withResolvers?: <T>() => { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void };
};
P.withResolvers ??= <T>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The parts of aws-local-stepfunctions' event log we read (its type is not exported). */
export interface ExecutionEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
  retry?: { attempt: number };
  /** The Map or Parallel state of a MapIteration... or ParallelBranch... event. */
  parentState?: { name: string; type: string; input: unknown };
  /** The Map iteration an event belongs to. */
  index?: number;
}

export interface LocalRunOptions {
  /** Replace every retry wait (ms); 0 makes retries instant in tests. Real backoff when omitted. */
  retryDelayMs?: number;
  definition?: AslDefinition;
  /** Called with every event as it happens (the Step Functions emulator builds its history from them). */
  onEvent?: (event: ExecutionEvent) => void;
  /**
   * Task state name -> handler, used instead of the registry's handler for that state (tests that
   * run hand-written definitions with stub handlers).
   */
  handlers?: Readonly<Record<string, (input: JsonValue) => Promise<JsonValue> | JsonValue>>;
  /**
   * Aborting stops the execution before its next state; `runLocally` then rejects with
   * aws-local-stepfunctions' ExecutionAbortedError (a Task already running finishes in the background).
   */
  signal?: AbortSignal;
}

export interface LocalExecution {
  status: 'SUCCEEDED' | 'FAILED';
  output?: JsonValue;
  error?: string;
  cause?: string;
  events: ExecutionEvent[];
}

/** JSON in, JSON out: handlers see exactly what a Lambda would receive over the wire. */
const viaJson = <T>(value: T): JsonValue => JSON.parse(JSON.stringify(value ?? null)) as JsonValue;

/**
 * Building a StateMachine validates the definition, which takes 0.2-1 s; `run` keeps all its
 * state per execution, so one validated machine per definition serves every run.
 * Definitions are treated as immutable once run.
 */
const machines = new WeakMap<AslDefinition, StateMachine>();
function machineFor(definition: AslDefinition): StateMachine {
  let machine = machines.get(definition);
  if (!machine) {
    machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
    machines.set(definition, machine);
  }
  return machine;
}

/**
 * `$$.State.RetryCount` as Step Functions gives it (the context object: "the number of retries
 * attempted for the current state"). aws-local-stepfunctions has no `State` node, so it is given a
 * placeholder 0 to resolve the path, and the runner puts in the real count: the failed attempts of
 * that state so far. Only top-level Parameters fields are rewritten, and a state counts afresh once it
 * succeeds (our flows enter no state twice) - what our ASL uses, not the whole context object.
 */
const RETRY_COUNT_PATH = '$$.State.RetryCount';
const PLACEHOLDER_CONTEXT = { State: { RetryCount: 0 } };

function retryCountFields(definition: AslDefinition, state: string): string[] {
  const find = (d: AslDefinition): AslState | undefined =>
    d.States[state] ??
    Object.values(d.States)
      .flatMap((s) => s.Branches ?? [])
      .map(find)
      .find(Boolean);
  const parameters = find(definition)?.Parameters;
  if (typeof parameters !== 'object' || parameters === null) return [];
  return Object.entries(parameters)
    .filter(([key, value]) => key.endsWith('.$') && value === RETRY_COUNT_PATH)
    .map(([key]) => key.slice(0, -2));
}

function withRetryCount(input: JsonValue, fields: readonly string[], count: number): JsonValue {
  if (fields.length === 0 || typeof input !== 'object' || input === null || Array.isArray(input))
    return input;
  return { ...input, ...Object.fromEntries(fields.map((f) => [f, count])) };
}

export async function runLocally(
  input: JsonValue,
  ctx: StepContext,
  options: LocalRunOptions = {},
): Promise<LocalExecution> {
  const definition = options.definition ?? provisioningAsl();
  const machine = machineFor(definition);
  const failedAttempts = new Map<string, number>();
  const taskResourceLocalHandlers = Object.fromEntries(
    taskStateNames(definition).map((name) => {
      const stub = options.handlers?.[name];
      const fields = retryCountFields(definition, name);
      return [
        name,
        async (stateInput: JsonValue) => {
          const retries = failedAttempts.get(name) ?? 0;
          const payload = withRetryCount(stateInput, fields, retries);
          try {
            const result = viaJson(
              await (stub ? stub(payload) : runStep(handlerNameForState(name), payload, ctx)),
            );
            failedAttempts.delete(name);
            return result;
          } catch (err) {
            failedAttempts.set(name, retries + 1);
            throw err;
          }
        },
      ];
    }),
  );
  const retryIntervalOverrides =
    options.retryDelayMs === undefined
      ? undefined
      : Object.fromEntries(retryingStateNames(definition).map((n) => [n, options.retryDelayMs as number]));
  const execution = machine.run(input, {
    overrides: { taskResourceLocalHandlers, retryIntervalOverrides },
    context: PLACEHOLDER_CONTEXT,
  });
  const abort = () => execution.abort();
  if (options.signal?.aborted) abort();
  else options.signal?.addEventListener('abort', abort, { once: true });

  const events: ExecutionEvent[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      events.push(event as ExecutionEvent);
      options.onEvent?.(event as ExecutionEvent);
    }
  })();
  try {
    const output = (await execution.result) as JsonValue;
    await collecting;
    return { status: 'SUCCEEDED', output, events };
  } catch (err) {
    await collecting;
    if (!(err instanceof ExecutionError)) throw err;
    const failed = events.find((e) => e.type === 'ExecutionFailed');
    return {
      status: 'FAILED',
      error: failed?.Error ?? err.name,
      cause: typeof failed?.Cause === 'string' ? failed.Cause : JSON.stringify(failed?.Cause ?? err.message),
      events,
    };
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}

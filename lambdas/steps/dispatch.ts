/**
 * How a state's input reaches its code, shared by the handler table (handlers.ts: local mode and
 * tests) and each function's one-step table (lambda.ts), so a state runs the same way wherever the
 * state machine runs, without a function's bundle carrying every other step.
 */
import * as z from 'zod';
import { PermanentError } from '../core/errors';
import { waitOutRateLimit, type StepContext } from './context';

/**
 * What every Task state sends its function (lib/step-tasks.ts): the document earlier states wrote,
 * the state's retry count (`$$.State.RetryCount`), and - for the Finalize states - the outcome it
 * stands for.
 */
const taskInput = z.looseObject({
  state: z.unknown(),
  attempt: z.number().int().nonnegative().default(0),
  outcome: z.string().optional(),
});
export type TaskInput = z.output<typeof taskInput>;

export type Handler = (task: TaskInput, ctx: StepContext) => Promise<unknown>;

/**
 * Step Functions hands each Task the document earlier states wrote (JSON in, JSON out); the
 * ValidatePlan / ValidateTeardown states check it once, later states read it as that shape.
 */
export const on =
  <S>(fn: (state: S, ctx: StepContext) => Promise<unknown>): Handler =>
  (task, ctx) =>
    fn(task.state as S, ctx);

/** The Finalize handlers take the outcome with the state. */
export const onOutcome =
  <S>(fn: (input: S, ctx: StepContext) => Promise<unknown>): Handler =>
  (task, ctx) =>
    fn({ outcome: task.outcome, state: task.state } as S, ctx);

export async function dispatch(
  table: Readonly<Record<string, Handler>>,
  name: string,
  input: unknown,
  ctx: StepContext,
): Promise<unknown> {
  const handler = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!handler) throw new Error(`no handler for state ${name}`);
  const task = taskInput.safeParse(input);
  if (!task.success) throw new PermanentError(`state ${name} was invoked without its task input`);
  try {
    return await handler(task.data, { ...ctx, attempt: task.data.attempt });
  } catch (err) {
    return waitOutRateLimit(err, ctx);
  }
}

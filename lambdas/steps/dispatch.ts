/**
 * How a state's input reaches its code, shared by the handler table (handlers.ts: local mode and
 * tests) and each function's one-step table (lambda.ts), so a state runs the same way wherever the
 * state machine runs, without a function's bundle carrying every other step.
 */
import { waitOutRateLimit, type StepContext } from './context';

export type Handler = (input: unknown, ctx: StepContext) => Promise<unknown>;

/**
 * Step Functions hands each Task the document earlier states wrote (JSON in, JSON out); the
 * ValidatePlan / ValidateTeardown states check it once, later states read it as that shape.
 */
export const on =
  <S>(fn: (state: S, ctx: StepContext) => Promise<unknown>): Handler =>
  (input, ctx) =>
    fn(input as S, ctx);

export async function dispatch(
  table: Readonly<Record<string, Handler>>,
  name: string,
  input: unknown,
  ctx: StepContext,
): Promise<unknown> {
  const handler = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!handler) throw new Error(`no handler for state ${name}`);
  try {
    return await handler(input, ctx);
  } catch (err) {
    return waitOutRateLimit(err, ctx);
  }
}

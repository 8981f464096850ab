/**
 * A step's Lambda function: the one handler it runs and the clients that handler uses. Each file in
 * functions/ is one function's entry, so its bundle carries that step's code and those clients only.
 * The compiler holds the clients to the step: a step's context parameter names what it uses
 * (`Pick<StepContext, ...>`), and each client it names must be given. Clients are built once per
 * container and reused by warm invocations.
 */
import type { Context } from 'aws-lambda';
import { logger } from '../clients/logger';
import { withOriginalStack } from '../clients/stack-traces';
import { stepConfigFromEnv } from '../core/config';
import { FINALIZE_HANDLERS, type HandlerName } from './catalogue';
import { buildStepContext, type ClientBuilders, type ClientWiring, type StepContext } from './context';
import { dispatch, on, onOutcome } from './dispatch';

const FINALIZE_NAMES: ReadonlySet<string> = new Set(Object.values(FINALIZE_HANDLERS).map((h) => h.name));

export type StepLambda = (event: unknown, context: Context) => Promise<unknown>;

export function stepLambda<S, K extends keyof StepContext>(
  name: HandlerName,
  step: (state: S, ctx: Pick<StepContext, K>) => Promise<unknown>,
  wiring: ClientWiring & Pick<ClientBuilders, K & keyof ClientBuilders>,
): StepLambda {
  const config = stepConfigFromEnv();
  // The configured step name still picks the handler: a function deployed with another step's
  // name fails loudly instead of running this one.
  const table = { [name]: FINALIZE_NAMES.has(name) ? onOutcome(step) : on(step) };
  let shared: Promise<StepContext> | undefined;
  return async (event, context) => {
    logger.addContext(context);
    const stepName = config.stepName ?? '';
    logger.appendKeys({ step: stepName });
    shared ??= buildStepContext(config, wiring).catch((err: unknown) => {
      shared = undefined;
      throw err;
    });
    try {
      const ctx = await shared;
      return await dispatch(table, stepName, event, {
        ...ctx,
        remainingMs: () => context.getRemainingTimeInMillis(),
      });
    } catch (err) {
      // What Lambda logs and hands Step Functions as the cause's trace: frames in our sources.
      throw withOriginalStack(err);
    }
  };
}

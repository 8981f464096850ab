/**
 * The Lambda entry point shared by every step function; the configured step name says which
 * handler this function is. Clients are built once per container and reused by warm invocations.
 */
import type { Context } from 'aws-lambda';
import { logger } from '../clients/logger';
import { stepConfigFromEnv } from '../core/config';
import { buildStepContext, type StepContext } from './context';
import { runStep } from './handlers';

const config = stepConfigFromEnv();
let shared: Promise<StepContext> | undefined;

export async function handler(event: unknown, context: Context): Promise<unknown> {
  logger.addContext(context);
  const step = config.stepName ?? '';
  logger.appendKeys({ step });
  shared ??= buildStepContext(config).catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  const ctx = await shared;
  return runStep(step, event, { ...ctx, remainingMs: () => context.getRemainingTimeInMillis() });
}

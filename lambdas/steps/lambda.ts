/**
 * The Lambda entry point shared by every step function; `STEP_NAME` says which step this
 * function is. Clients are built once per container and reused by warm invocations.
 */
import type { Context } from 'aws-lambda';
import { logger } from '../clients/logger';
import { contextFromEnv, type StepContext } from './context';
import { runStep } from './registry';

let shared: Promise<StepContext> | undefined;

export async function handler(event: unknown, context: Context): Promise<unknown> {
  logger.addContext(context);
  const step = process.env.STEP_NAME ?? '';
  logger.appendKeys({ step });
  shared ??= contextFromEnv().catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  const ctx = await shared;
  return runStep(step, event, { ...ctx, remainingMs: () => context.getRemainingTimeInMillis() });
}

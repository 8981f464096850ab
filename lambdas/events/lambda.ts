/** The run-ended Lambda: EventBridge delivers each event here (asynchronously: retried, then dead-lettered). */
import type { Context } from 'aws-lambda';
import { logger } from '../clients/logger';
import { withOriginalStack } from '../clients/stack-traces';
import { runEndedDepsFromEnv } from './deps';
import { handleRunEvent } from './run-ended';

export async function handler(event: unknown, context: Context): Promise<void> {
  logger.addContext(context);
  try {
    await handleRunEvent(runEndedDepsFromEnv(), event);
  } catch (err) {
    // Retried, then dead-lettered: the logged trace is in our sources (stack-traces.ts).
    throw withOriginalStack(err);
  }
}

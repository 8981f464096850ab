/** The run-ended Lambda: EventBridge delivers each event here (asynchronously: retried, then dead-lettered). */
import type { Context } from 'aws-lambda';
import { logger } from '../clients/logger';
import { runEndedDepsFromEnv } from './deps';
import { handleRunEvent } from './run-ended';

export async function handler(event: unknown, context: Context): Promise<void> {
  logger.addContext(context);
  await handleRunEvent(runEndedDepsFromEnv(), event);
}

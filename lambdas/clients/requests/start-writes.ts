/**
 * The conditional writes that record how a request's start went. A request whose start failed is
 * FAILED with error `StartFailed` - the one final state a request can leave, because nothing ran:
 * its execution name is still free.
 *
 * - `failed`: PENDING with no execution yet -> FAILED/StartFailed. Refused when anything else holds
 *   (it started after all, or another caller settled it).
 * - `started`: FAILED/StartFailed -> RUNNING with its ARN (a start recorded failed by a concurrent
 *   caller went through after all). Otherwise the store's ordinary update applies: PENDING ->
 *   RUNNING, and a final state keeps its status and only gains the ARN.
 * - `reopened`: FAILED/StartFailed -> PENDING, for a repeat of the request to start it. Refused
 *   when another repeat won.
 */
import { REQUESTS_TABLE_SCHEMA as S } from './schema';

/** The error a request is FAILED with when its execution could not be started. */
export const START_FAILED = 'StartFailed';

export type StartChange =
  { outcome: 'failed' } | { outcome: 'started'; executionArn: string } | { outcome: 'reopened' };

export interface ConditionalWrite {
  update: string;
  condition: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

const PENDING_UNSTARTED = '#status = :pending AND attribute_not_exists(#arn)';
const START_FAILED_STATE = '#status = :failed AND #error.#name = :startFailed';

export function startWrite(change: StartChange, now: string): ConditionalWrite {
  const write = (update: string, condition: string, values: Record<string, unknown> = {}) => ({
    update,
    condition,
    names: {
      '#pk': S.partitionKey,
      '#status': 'status',
      '#error': 'error',
      '#name': 'name',
      '#arn': 'executionArn',
      '#updatedAt': 'updatedAt',
    },
    values: {
      ':updatedAt': now,
      ':pending': 'PENDING',
      ':failed': 'FAILED',
      ':startFailed': START_FAILED,
      ...values,
    },
  });
  switch (change.outcome) {
    case 'failed':
      return write('SET #status = :failed, #error = :error, #updatedAt = :updatedAt', PENDING_UNSTARTED, {
        ':error': { name: START_FAILED, message: 'The workflow could not be started' },
      });
    case 'reopened':
      return write('SET #status = :pending, #updatedAt = :updatedAt REMOVE #error', START_FAILED_STATE);
    case 'started':
      return write(
        'SET #status = :running, #arn = :arn, #updatedAt = :updatedAt REMOVE #error',
        START_FAILED_STATE,
        { ':running': 'RUNNING', ':arn': change.executionArn },
      );
  }
}

/** DynamoDB refuses placeholders the expressions do not use: keep only those they do. */
export function usedIn<T>(expressions: string, placeholders: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(placeholders).filter(([key]) => new RegExp(`${key}\\b`).test(expressions)),
  );
}

/**
 * Claims on ticket answers, so an event delivered more than once answers the ticket once. The
 * claim lives on the item the answer is about (the request record, or the delivery item of a
 * rejected ticket) as `ticketAnswer`:
 *
 *   (none) --claim--> CLAIMED (lease) --posted--> POSTED       (final: later claims say 'done')
 *                        |  \--failed--> FAILED --claim--> CLAIMED ...
 *                        \-- lease expired (the claimer died) --claim--> CLAIMED ...
 *
 * A live lease held by someone else is 'busy': that invocation is posting right now. A claimer that
 * posted but died before recording it leaves a CLAIMED lease that expires; the next claim reports
 * `takeover: true` so the caller can check the ticket before posting again.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { errorName, mapAwsError } from '../aws-errors';
import { REQUESTS_TABLE_SCHEMA as S, ticketAnswerSchema, type TicketAnswerState } from './schema';

export type ItemKey = Record<string, string>;

export type Claim =
  | { outcome: 'claimed'; attempt: number; takeover: boolean }
  | { outcome: 'done' }
  | { outcome: 'busy'; leaseUntil: number }
  | { outcome: 'missing' };

export class AnswerClaims {
  private readonly doc: DynamoDBDocumentClient;

  constructor(private readonly options: { tableName: string; client?: DynamoDBClient; now?: () => Date }) {
    this.doc = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private async read(key: ItemKey, target: string): Promise<TicketAnswerState | undefined | null> {
    try {
      const result = await this.doc.send(
        new GetCommand({ TableName: this.options.tableName, Key: key, ConsistentRead: true }),
      );
      if (!result.Item) return null;
      const answer = ticketAnswerSchema.safeParse(result.Item.ticketAnswer);
      return answer.success ? answer.data : undefined;
    } catch (err) {
      throw mapAwsError('DynamoDB', 'GetItem', target, err);
    }
  }

  /** One conditional update: free, failed before, or a lease that ran out. */
  async claim(key: ItemKey, target: string, leaseMs: number): Promise<Claim> {
    const now = this.now();
    const before = await this.read(key, target);
    if (before === null) return { outcome: 'missing' };
    if (before?.state === 'POSTED') return { outcome: 'done' };
    if (before?.state === 'CLAIMED' && (before.leaseUntil ?? 0) > now.getTime())
      return { outcome: 'busy', leaseUntil: before.leaseUntil ?? 0 };
    const attempt = (before?.attempts ?? 0) + 1;
    const claim: TicketAnswerState = {
      state: 'CLAIMED',
      at: now.toISOString(),
      leaseUntil: now.getTime() + leaseMs,
      attempts: attempt,
      ...(before?.error ? { error: before.error } : {}),
    };
    try {
      // The condition repeats what was read: whoever wrote in between wins, and we look again.
      await this.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: key,
          UpdateExpression: 'SET #answer = :claim',
          ConditionExpression: before
            ? 'attribute_exists(#pk) AND #answer.#attempts = :attempts AND #answer.#state <> :posted'
            : 'attribute_exists(#pk) AND attribute_not_exists(#answer)',
          ExpressionAttributeNames: {
            '#pk': S.partitionKey,
            '#answer': 'ticketAnswer',
            ...(before ? { '#attempts': 'attempts', '#state': 'state' } : {}),
          },
          ExpressionAttributeValues: {
            ':claim': claim,
            ...(before ? { ':attempts': before.attempts, ':posted': 'POSTED' } : {}),
          },
        }),
      );
    } catch (err) {
      if (errorName(err) !== 'ConditionalCheckFailedException')
        throw mapAwsError('DynamoDB', 'UpdateItem', target, err);
      const after = await this.read(key, target);
      if (after === null) return { outcome: 'missing' };
      if (after?.state === 'POSTED') return { outcome: 'done' };
      return { outcome: 'busy', leaseUntil: after?.leaseUntil ?? now.getTime() + leaseMs };
    }
    // A CLAIMED answer found expired: its claimer may have posted before it died.
    return { outcome: 'claimed', attempt, takeover: before?.state === 'CLAIMED' };
  }

  /** The answer is on the ticket. */
  async posted(key: ItemKey, target: string, attempt: number, commentId?: string): Promise<void> {
    await this.settle(key, target, {
      state: 'POSTED',
      at: this.now().toISOString(),
      attempts: attempt,
      ...(commentId ? { commentId } : {}),
    });
  }

  /** This attempt failed: the next claim may try again at once. */
  async failed(key: ItemKey, target: string, attempt: number, error: string): Promise<void> {
    await this.settle(key, target, {
      state: 'FAILED',
      at: this.now().toISOString(),
      attempts: attempt,
      error,
    });
  }

  private async settle(key: ItemKey, target: string, answer: TicketAnswerState): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: key,
          UpdateExpression: 'SET #answer = :answer',
          // Only the claim of this attempt may settle it (a takeover after a lost lease owns it now).
          ConditionExpression: '#answer.#attempts = :attempts',
          ExpressionAttributeNames: { '#answer': 'ticketAnswer', '#attempts': 'attempts' },
          ExpressionAttributeValues: { ':answer': answer, ':attempts': answer.attempts },
        }),
      );
    } catch (err) {
      if (errorName(err) === 'ConditionalCheckFailedException') return;
      throw mapAwsError('DynamoDB', 'UpdateItem', target, err);
    }
  }
}

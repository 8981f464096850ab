/**
 * The delivery log: which ticketing-webhook delivery asked for which request, kept a day (items
 * `DELIVERY#<channel>#<id>` in the requests table, see ./schema.ts). The first delivery of an id
 * binds it with one conditional put; every later one - a Jira retry, a duplicate, a replay - reads
 * the binding back and is answered from it, so it can never start a second run.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { TransientError } from '../../core/errors';
import { TICKET_CHANNELS, type TicketChannel } from '../../core/ticket-request';
import { errorName, mapAwsError } from '../aws-errors';
import { REQUESTS_TABLE_SCHEMA as S, deliveryKey, ticketAnswerSchema } from './schema';

const deliverySchema = z.object({
  channel: z.enum(TICKET_CHANNELS),
  deliveryId: z.string(),
  requestId: z.string(),
  ticket: z.string(),
  ticketId: z.string(),
  outcome: z.enum(['accepted', 'rejected']),
  issues: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
  receivedAt: z.string(),
  ticketAnswer: ticketAnswerSchema.optional(),
});

export type Delivery = z.infer<typeof deliverySchema>;

export type NewDelivery = Omit<Delivery, 'receivedAt' | 'ticketAnswer'>;

export class DeliveryLog {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly options: {
      tableName: string;
      client?: DynamoDBClient;
      ttlSeconds: number;
      now?: () => Date;
    },
  ) {
    this.doc = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /**
   * Binds the delivery to its request, unless it is bound already: then the first binding is
   * returned (`first: false`) and nothing is written.
   */
  async bind(delivery: NewDelivery): Promise<{ first: boolean; delivery: Delivery }> {
    const now = this.now();
    const item: Delivery = { ...delivery, receivedAt: now.toISOString() };
    const target = `delivery ${delivery.channel}/${delivery.deliveryId}`;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: {
            ...deliveryKey(delivery.channel, delivery.deliveryId),
            entity: 'DELIVERY',
            ...item,
            [S.ttlAttribute]: Math.floor(now.getTime() / 1000) + this.options.ttlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': S.partitionKey },
        }),
      );
      return { first: true, delivery: item };
    } catch (err) {
      if (errorName(err) !== 'ConditionalCheckFailedException')
        throw mapAwsError('DynamoDB', 'PutItem', target, err);
    }
    const existing = await this.get(delivery.channel, delivery.deliveryId);
    // Delivery items are only removed by TTL, a day later: one that vanished in between is a race.
    if (!existing) throw new TransientError(`DynamoDB PutItem on '${target}' raced with its expiry`);
    return { first: false, delivery: existing };
  }

  async get(channel: TicketChannel, deliveryId: string): Promise<Delivery | undefined> {
    try {
      const result = await this.doc.send(
        new GetCommand({
          TableName: this.options.tableName,
          Key: deliveryKey(channel, deliveryId),
          ConsistentRead: true,
        }),
      );
      return result.Item ? deliverySchema.parse(result.Item) : undefined;
    } catch (err) {
      throw mapAwsError('DynamoDB', 'GetItem', `delivery ${channel}/${deliveryId}`, err);
    }
  }

  /** The run could not be accepted after all (the workspace was busy): the delivery now stands for why. */
  async markRejected(
    channel: TicketChannel,
    deliveryId: string,
    issues: Array<{ field: string; reason: string }>,
  ): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: deliveryKey(channel, deliveryId),
          UpdateExpression: 'SET #outcome = :rejected, #issues = :issues',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': S.partitionKey, '#outcome': 'outcome', '#issues': 'issues' },
          ExpressionAttributeValues: { ':rejected': 'rejected', ':issues': issues },
        }),
      );
    } catch (err) {
      throw mapAwsError('DynamoDB', 'UpdateItem', `delivery ${channel}/${deliveryId}`, err);
    }
  }
}

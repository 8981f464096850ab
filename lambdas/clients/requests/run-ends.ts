/**
 * What the run-ended handler writes on a request record, each a single conditional update:
 *
 * - `settle`: the outcome of a run that ended without Finalize recording it (timed out, stopped from
 *   outside, Finalize itself failing) - only while the record still says PENDING/RUNNING, so a
 *   recorded outcome is never overwritten by a late or repeated event.
 * - `observe`: marks that the end of the request's execution has been seen, so an event delivered
 *   twice is counted (metrics) once.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ACTIVE_STATUSES } from '../../core/status';
import { errorName, mapAwsError } from '../aws-errors';
import { REQUESTS_TABLE_SCHEMA as S, requestKey, type RequestChanges } from './schema';

export class RunEnds {
  private readonly doc: DynamoDBDocumentClient;

  constructor(private readonly options: { tableName: string; client?: DynamoDBClient; now?: () => Date }) {
    this.doc = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  private async conditional(
    id: string,
    input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>,
  ) {
    try {
      await this.doc.send(
        new UpdateCommand({ TableName: this.options.tableName, Key: requestKey(id), ...input }),
      );
      return true;
    } catch (err) {
      if (errorName(err) === 'ConditionalCheckFailedException') return false;
      throw mapAwsError('DynamoDB', 'UpdateItem', `request ${id}`, err);
    }
  }

  /** Records an outcome while the request is still active; false when it was recorded already. */
  async settle(
    id: string,
    changes: Required<Pick<RequestChanges, 'status'>> & RequestChanges,
  ): Promise<boolean> {
    const names: Record<string, string> = {
      '#pk': S.partitionKey,
      '#updatedAt': 'updatedAt',
      '#status': 'status',
    };
    const values: Record<string, unknown> = {
      ':updatedAt': (this.options.now?.() ?? new Date()).toISOString(),
    };
    const sets = ['#updatedAt = :updatedAt'];
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    const active = ACTIVE_STATUSES.map((status, i) => {
      values[`:active${i}`] = status;
      return `:active${i}`;
    });
    return this.conditional(id, {
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: `attribute_exists(#pk) AND #status IN (${active.join(', ')})`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  /** True for the first observer of this execution's end. */
  async observe(id: string, executionArn: string): Promise<boolean> {
    return this.conditional(id, {
      UpdateExpression: 'SET #observed = :arn',
      ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#observed) OR #observed <> :arn)',
      ExpressionAttributeNames: { '#pk': S.partitionKey, '#observed': 'endObserved' },
      ExpressionAttributeValues: { ':arn': executionArn },
    });
  }
}

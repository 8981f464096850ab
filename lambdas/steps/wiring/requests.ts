/** The request log and workspace lock, for the Finalize functions. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RequestStore } from '../../clients/requests';
import type { ClientBuilders } from '../context';

export const requests: ClientBuilders['requests'] = (tableName, config) => {
  const aws = config.aws ?? {};
  return new RequestStore({
    tableName,
    client: new DynamoDBClient({
      region: aws.region,
      credentials: aws.credentials,
      endpoint: aws.endpoints?.dynamodb,
    }),
  });
};

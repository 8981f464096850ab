/** The real AWS SDK clients, pointed at a local stack's emulators (nothing read from process.env). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { RequestStore } from '../../lambdas/clients/requests';
import { SecretStore } from '../../lambdas/clients/secrets';
import type { LocalStack } from '../../local/stack';

export function localAws(stack: Pick<LocalStack, 'aws' | 'requestsTable'>) {
  const { region, credentials, endpoints } = stack.aws;
  const base = { region, credentials };
  const secretsManager = new SecretsManagerClient({ ...base, endpoint: endpoints?.secretsManager });
  return {
    sfn: new SFNClient({ ...base, endpoint: endpoints?.sfn }),
    secretsManager,
    secrets: new SecretStore(secretsManager),
    store: new RequestStore({
      tableName: stack.requestsTable,
      client: new DynamoDBClient({ ...base, endpoint: endpoints?.dynamodb }),
    }),
  };
}

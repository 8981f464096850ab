/** Secrets Manager for a step function: the store of managed secrets, and where API tokens are read. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretStore } from '../../clients/secrets';
import type { ClientBuilders } from '../context';

export const secrets: ClientBuilders['secrets'] = (config) => {
  const aws = config.aws ?? {};
  // Step Functions is the one retry owner: the SDK makes a single attempt.
  return new SecretStore(
    new SecretsManagerClient({
      region: aws.region,
      credentials: aws.credentials,
      endpoint: aws.endpoints?.secretsManager,
      maxAttempts: 1,
    }),
  );
};

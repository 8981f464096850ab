/**
 * Secrets Manager: where every secret value lives. Steps pass ARNs; only the step that needs a
 * value reads it. Secrets are tagged with the request that wrote them, so undo removes only its own.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ConflictError, PermanentError } from '../core/errors';
import { PRODUCT, ownershipOf, type Ownership } from '../core/naming';
import { errorName, mapAwsError as mapAws } from './aws-errors';
import { logger } from './logger';

const mapAwsError = (operation: string, name: string, err: unknown) =>
  mapAws('Secrets Manager', operation, name, err);

export const REQUEST_TAG = `${PRODUCT}:request-id`;
export const MANAGED_TAG = 'managed-by';

export interface PutResult {
  arn: string;
  /** True when this request created the secret (now or in an earlier attempt). */
  created: boolean;
}

export interface DeleteResult {
  deleted: boolean;
  /** Why it was left alone, when it was. */
  leftAlone?: string;
}

export class SecretStore {
  constructor(private readonly client: SecretsManagerClient = new SecretsManagerClient({})) {}

  private async send<T>(operation: string, name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw mapAwsError(operation, name, err);
    }
  }

  /** Creates the secret, or stores a new value in the one that exists (restoring it if it was scheduled for deletion). */
  async put(
    name: string,
    value: string,
    meta: { requestId: string; description: string },
  ): Promise<PutResult> {
    try {
      const created = await this.client.send(
        new CreateSecretCommand({
          Name: name,
          SecretString: value,
          Description: meta.description,
          Tags: [
            { Key: MANAGED_TAG, Value: PRODUCT },
            { Key: REQUEST_TAG, Value: meta.requestId },
          ],
        }),
      );
      logger.info('secret created', { name });
      return { arn: created.ARN as string, created: true };
    } catch (err) {
      if (errorName(err) !== 'ResourceExistsException' && errorName(err) !== 'InvalidRequestException') {
        throw mapAwsError('CreateSecret', name, err);
      }
    }
    const described = await this.send('DescribeSecret', name, () =>
      this.client.send(new DescribeSecretCommand({ SecretId: name })),
    );
    const owner = described.Tags?.find((t) => t.Key === REQUEST_TAG)?.Value;
    if (owner === undefined) {
      throw new ConflictError(
        `Secret '${name}' exists but was not written by kong-portal-provisioner: refusing to overwrite it`,
        {
          name,
        },
      );
    }
    if (described.DeletedDate) {
      await this.send('RestoreSecret', name, () =>
        this.client.send(new RestoreSecretCommand({ SecretId: name })),
      );
    }
    await this.send('PutSecretValue', name, () =>
      this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value })),
    );
    logger.info('secret updated', { name, ownership: ownershipOf(owner, meta.requestId) });
    return { arn: described.ARN as string, created: ownershipOf(owner, meta.requestId) === 'this-request' };
  }

  async get(secretId: string): Promise<string> {
    const result = await this.send('GetSecretValue', secretId, () =>
      this.client.send(new GetSecretValueCommand({ SecretId: secretId })),
    );
    if (result.SecretString === undefined)
      throw new PermanentError(`Secret '${secretId}' holds no string value`);
    return result.SecretString;
  }

  async arnOf(name: string): Promise<string | undefined> {
    try {
      const described = await this.client.send(new DescribeSecretCommand({ SecretId: name }));
      return described.DeletedDate ? undefined : described.ARN;
    } catch (err) {
      if (errorName(err) === 'ResourceNotFoundException') return undefined;
      throw mapAwsError('DescribeSecret', name, err);
    }
  }

  async ownership(secretId: string, requestId: string): Promise<Ownership | 'gone'> {
    try {
      const described = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
      if (described.DeletedDate) return 'gone';
      return ownershipOf(described.Tags?.find((t) => t.Key === REQUEST_TAG)?.Value, requestId);
    } catch (err) {
      if (errorName(err) === 'ResourceNotFoundException') return 'gone';
      throw mapAwsError('DescribeSecret', secretId, err);
    }
  }

  /** Deletes the secret if this request wrote it; "already gone" is success. */
  async deleteOwned(secretId: string, requestId: string): Promise<DeleteResult> {
    const ownership = await this.ownership(secretId, requestId);
    if (ownership === 'gone') return { deleted: false };
    if (ownership !== 'this-request') {
      const leftAlone =
        ownership === 'other-request'
          ? 'written by another provisioner request'
          : 'not written by kong-portal-provisioner';
      logger.info('secret left alone', { secretId, reason: leftAlone });
      return { deleted: false, leftAlone };
    }
    await this.delete(secretId);
    return { deleted: true };
  }

  /** Immediate deletion: a rolled-back secret must not linger in a recovery window. */
  async delete(secretId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteSecretCommand({ SecretId: secretId, ForceDeleteWithoutRecovery: true }),
      );
      logger.info('secret deleted', { secretId });
    } catch (err) {
      if (errorName(err) === 'ResourceNotFoundException') return;
      throw mapAwsError('DeleteSecret', secretId, err);
    }
  }
}

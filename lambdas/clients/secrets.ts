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
  TagResourceCommand,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import { ConflictError, PermanentError } from '../core/errors';
import {
  PRODUCT,
  ownershipOf,
  ownershipReason,
  type Marker,
  type Owner,
  type Ownership,
} from '../core/naming';
import { errorName, mapAwsError as mapAws } from './aws-errors';
import { logger } from './logger';

const mapAwsError = (operation: string, name: string, err: unknown) =>
  mapAws('Secrets Manager', operation, name, err);

export const REQUEST_TAG = `${PRODUCT}:request-id`;
export const ENVIRONMENT_TAG = `${PRODUCT}:environment`;
export const WORKSPACE_TAG = `${PRODUCT}:workspace`;
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

export interface PutMeta {
  owner: Owner;
  description: string;
  /**
   * Make this request the secret's owner when another provisioner request of the same workspace
   * wrote it. Only for a secret no other run can still need (the workspace lock says so).
   */
  takeOver?: boolean;
}

function ownerTags(owner: Owner): Tag[] {
  return [
    { Key: MANAGED_TAG, Value: PRODUCT },
    { Key: REQUEST_TAG, Value: owner.requestId },
    { Key: ENVIRONMENT_TAG, Value: owner.scope.environment },
    { Key: WORKSPACE_TAG, Value: owner.scope.workspace },
  ];
}

function markerOf(tags: Tag[] | undefined): Marker | undefined {
  const tag = (key: string) => tags?.find((t) => t.Key === key)?.Value;
  const requestId = tag(REQUEST_TAG);
  if (tag(MANAGED_TAG) !== PRODUCT || requestId === undefined) return undefined;
  const environment = tag(ENVIRONMENT_TAG);
  const workspace = tag(WORKSPACE_TAG);
  return {
    requestId,
    ...(environment !== undefined ? { environment } : {}),
    ...(workspace !== undefined ? { workspace } : {}),
  };
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
  async put(name: string, value: string, meta: PutMeta): Promise<PutResult> {
    try {
      const created = await this.client.send(
        new CreateSecretCommand({
          Name: name,
          SecretString: value,
          Description: meta.description,
          Tags: ownerTags(meta.owner),
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
    let ownership = ownershipOf(markerOf(described.Tags), meta.owner);
    if (ownership === 'not-managed' || ownership === 'other-scope') {
      throw new ConflictError(
        `Secret '${name}' exists and is not this workspace's: refusing to overwrite it (${ownershipReason(ownership)})`,
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
    if (ownership === 'other-request' && meta.takeOver) {
      await this.send('TagResource', name, () =>
        this.client.send(new TagResourceCommand({ SecretId: name, Tags: ownerTags(meta.owner) })),
      );
      ownership = 'this-request';
    }
    logger.info('secret updated', { name, ownership });
    return { arn: described.ARN as string, created: ownership === 'this-request' };
  }

  /** Creates the secret unless one of that name exists; never overwrites. */
  async createIfAbsent(name: string, value: string, meta: PutMeta): Promise<PutResult> {
    const arn = await this.arnOf(name);
    if (arn) return { arn, created: (await this.ownership(arn, meta.owner)) === 'this-request' };
    return this.put(name, value, meta);
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

  async ownership(secretId: string, owner: Owner): Promise<Ownership | 'gone'> {
    try {
      const described = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
      if (described.DeletedDate) return 'gone';
      return ownershipOf(markerOf(described.Tags), owner);
    } catch (err) {
      if (errorName(err) === 'ResourceNotFoundException') return 'gone';
      throw mapAwsError('DescribeSecret', secretId, err);
    }
  }

  /** Deletes the secret if the owner wrote it; "already gone" is success. */
  async deleteOwned(secretId: string, owner: Owner): Promise<DeleteResult> {
    const ownership = await this.ownership(secretId, owner);
    if (ownership === 'gone') return { deleted: false };
    if (ownership !== 'this-request') {
      const leftAlone = ownershipReason(ownership);
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

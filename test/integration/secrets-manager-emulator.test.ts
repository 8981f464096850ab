/**
 * The Secrets Manager emulator driven by the real AWS SDK client: if these pass, production code
 * using the SDK works against it unchanged.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import {
  startSecretsManagerEmulator,
  type SecretsManagerEmulator,
} from '../../local/emulators/secrets-manager';

// The SDK's own switch for its one-time "node >= 22" notice (see @aws-sdk/core emitWarningIfUnsupportedVersion).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let emulator: SecretsManagerEmulator;
let sm: SecretsManagerClient;
let n = 0;
/** A fresh name per test: the emulator lives for the whole file. */
const unique = (base: string) => `${base}-${++n}`;

beforeAll(async () => {
  emulator = await startSecretsManagerEmulator();
  sm = new SecretsManagerClient({
    region: 'us-east-1',
    endpoint: emulator.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  sm.destroy();
  await emulator.close();
});

/** The SDK error's class name, which is what callers (and Step Functions) match on. */
async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return err instanceof Error ? err.name : String(err);
  }
  throw new Error('expected the call to fail');
}

describe('Secrets Manager emulator', () => {
  it('creates, reads, rotates a value and describes a secret', async () => {
    const name = unique('kong-portal/dev/team-a/client-secret');
    const created = await sm.send(
      new CreateSecretCommand({ Name: name, SecretString: 'first', Description: 'owned by req-1' }),
    );
    expect(created.ARN).toMatch(
      new RegExp(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}-[A-Za-z0-9]{6}$`),
    );
    expect(created.VersionId).toBeDefined();

    const byName = await sm.send(new GetSecretValueCommand({ SecretId: name }));
    expect(byName).toMatchObject({ SecretString: 'first', VersionStages: ['AWSCURRENT'], ARN: created.ARN });
    expect(byName.CreatedDate).toBeInstanceOf(Date);

    const put = await sm.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: 'second' }));
    expect(put.VersionStages).toEqual(['AWSCURRENT']);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: created.ARN }))).SecretString).toBe('second');
    const previous = await sm.send(
      new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous.SecretString).toBe('first');

    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described).toMatchObject({ Name: name, Description: 'owned by req-1' });
    expect(described.VersionIdsToStages).toEqual({
      [created.VersionId as string]: ['AWSPREVIOUS'],
      [put.VersionId as string]: ['AWSCURRENT'],
    });
    expect(described.LastChangedDate).toBeInstanceOf(Date);

    await sm.send(new UpdateSecretCommand({ SecretId: name, Description: 'updated' }));
    expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).Description).toBe('updated');
  });

  it('replays a create with the same request token instead of failing', async () => {
    const name = unique('idempotent');
    const token = 'c0ffee00-0000-4000-8000-000000000001';
    const first = await sm.send(
      new CreateSecretCommand({ Name: name, SecretString: 'v', ClientRequestToken: token }),
    );
    const again = await sm.send(
      new CreateSecretCommand({ Name: name, SecretString: 'v', ClientRequestToken: token }),
    );
    expect(again).toMatchObject({ ARN: first.ARN, VersionId: first.VersionId });
  });

  it('surfaces ResourceExistsException and ResourceNotFoundException as the SDK classes', async () => {
    const name = unique('dup');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    expect(await errorName(sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' })))).toBe(
      'ResourceExistsException',
    );
    expect(await errorName(sm.send(new GetSecretValueCommand({ SecretId: 'does-not-exist' })))).toBe(
      'ResourceNotFoundException',
    );
    expect(
      await errorName(
        sm.send(new DeleteSecretCommand({ SecretId: 'does-not-exist', ForceDeleteWithoutRecovery: true })),
      ),
    ).toBe('ResourceNotFoundException');
    expect(await errorName(sm.send(new CreateSecretCommand({ Name: 'bad name with spaces' })))).toBe(
      'ValidationException',
    );
  });

  it('answers a secret created without a value with ResourceNotFoundException on read', async () => {
    const name = unique('empty');
    await sm.send(new CreateSecretCommand({ Name: name }));
    expect(await errorName(sm.send(new GetSecretValueCommand({ SecretId: name })))).toBe(
      'ResourceNotFoundException',
    );
  });

  it('tags secrets and lists them by name prefix and tag', async () => {
    const prefix = unique('kong-portal/test');
    const a = await sm.send(
      new CreateSecretCommand({
        Name: `${prefix}/team-a`,
        SecretString: 'a',
        Tags: [{ Key: 'request-id', Value: 'req-a' }],
      }),
    );
    await sm.send(new CreateSecretCommand({ Name: `${prefix}/team-b`, SecretString: 'b' }));
    await sm.send(new CreateSecretCommand({ Name: unique('elsewhere'), SecretString: 'c' }));
    await sm.send(
      new TagResourceCommand({ SecretId: a.ARN, Tags: [{ Key: 'owner', Value: 'kong-portal-provisioner' }] }),
    );

    const byPrefix = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }] }));
    expect(byPrefix.SecretList?.map((s) => s.Name)).toEqual([`${prefix}/team-a`, `${prefix}/team-b`]);
    expect(byPrefix.SecretList?.[0]?.Tags).toEqual([
      { Key: 'request-id', Value: 'req-a' },
      { Key: 'owner', Value: 'kong-portal-provisioner' },
    ]);

    const byTag = await sm.send(
      new ListSecretsCommand({
        Filters: [
          { Key: 'name', Values: [prefix] },
          { Key: 'tag-value', Values: ['req-'] },
        ],
      }),
    );
    expect(byTag.SecretList?.map((s) => s.Name)).toEqual([`${prefix}/team-a`]);

    const paged = await sm.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 1 }),
    );
    expect(paged.SecretList).toHaveLength(1);
    const rest = await sm.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], NextToken: paged.NextToken }),
    );
    expect(rest.SecretList?.map((s) => s.Name)).toEqual([`${prefix}/team-b`]);
  });

  it('schedules a deletion: reads fail with InvalidRequestException until RestoreSecret', async () => {
    const name = unique('scheduled');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'keep' }));
    const deleted = await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    expect(deleted.DeletionDate?.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);

    expect(await errorName(sm.send(new GetSecretValueCommand({ SecretId: name })))).toBe(
      'InvalidRequestException',
    );
    expect(await errorName(sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' })))).toBe(
      'InvalidRequestException',
    );
    expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate).toBeInstanceOf(Date);
    const listed = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [name] }] }));
    expect(listed.SecretList).toEqual([]);
    expect(emulator.state.secrets().find((s) => s.name === name)?.deletedDate).toBeInstanceOf(Date);

    await sm.send(new RestoreSecretCommand({ SecretId: name }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('keep');
  });

  it('force-deletes at once, so the name is free again', async () => {
    const name = unique('forced');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'gone' }));
    await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    expect(emulator.state.secrets().some((s) => s.name === name)).toBe(false);
    expect(await errorName(sm.send(new DescribeSecretCommand({ SecretId: name })))).toBe(
      'ResourceNotFoundException',
    );
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'again' }));
  });

  it('rejects a recovery window combined with force deletion', async () => {
    const name = unique('both');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    expect(
      await errorName(
        sm.send(
          new DeleteSecretCommand({
            SecretId: name,
            ForceDeleteWithoutRecovery: true,
            RecoveryWindowInDays: 7,
          }),
        ),
      ),
    ).toBe('InvalidParameterException');
  });

  it('exposes state for tests, values included, and never puts a value into an error', async () => {
    const name = unique('visible');
    await sm.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: 'top-secret-value',
        Tags: [{ Key: 'k', Value: 'v' }],
      }),
    );
    expect(emulator.state.secrets().find((s) => s.name === name)).toMatchObject({
      value: 'top-secret-value',
      tags: { k: 'v' },
    });
    const failure = sm.send(new CreateSecretCommand({ Name: name, SecretString: 'top-secret-value' }));
    await expect(failure).rejects.toThrow(/already exists/);
    await expect(failure).rejects.not.toThrow(/top-secret-value/);
  });

  it('is reachable through AWS_ENDPOINT_URL_SECRETS_MANAGER, as local mode configures the SDK', async () => {
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = emulator.url;
    const viaEnv = new SecretsManagerClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      const name = unique('via-env');
      await viaEnv.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
      expect(emulator.state.secrets().some((s) => s.name === name)).toBe(true);
    } finally {
      viaEnv.destroy();
      delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    }
  });
});

// Intent: secrets are created or updated idempotently through the real AWS SDK client (against the
// loopback Secrets Manager emulator), tagged with the request that wrote them, deleted only by
// that request, and their values never reach a log line or an error.
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretStore, REQUEST_TAG } from '../../lambdas/clients/secrets';
import { ConflictError, PermanentError, TransientError } from '../../lambdas/core/errors';
import { startSecretsManagerEmulator } from '../../local/emulators/secrets-manager';
import { captureOutput, everythingIn } from '../support/capture-output';

/** An owner in the (dev, ws) workspace. */
const owner = (requestId: string) => ({ scope: { environment: 'dev', workspace: 'ws' }, requestId });

let emulator: Awaited<ReturnType<typeof startSecretsManagerEmulator>>;
let store: SecretStore;
const VALUE = 'super-secret-value-0123456789';

beforeAll(async () => {
  emulator = await startSecretsManagerEmulator();
  store = new SecretStore(
    new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: emulator.url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
  );
});
afterAll(() => emulator.close());

let n = 0;
const uniqueName = () => `kong-portal-provisioner/dev/ws-${++n}/client-secret`;

it('creates a tagged secret, then updates the same one', async () => {
  const name = uniqueName();
  const first = await store.put(name, VALUE, { owner: owner('req-1'), description: 'client secret' });
  const second = await store.put(name, `${VALUE}-2`, { owner: owner('req-1'), description: 'client secret' });
  expect(first.created).toBe(true);
  expect(second).toEqual(first);
  expect(await store.get(first.arn)).toBe(`${VALUE}-2`);
  const stored = emulator.state.secrets().filter((s) => s.name === name);
  expect(stored).toHaveLength(1);
  expect(stored[0]?.tags).toMatchObject({ [REQUEST_TAG]: 'req-1' });
});

it('reports a secret another request wrote as not created, and will not delete it', async () => {
  const name = uniqueName();
  await store.put(name, VALUE, { owner: owner('req-0'), description: 'x' });
  const mine = await store.put(name, `${VALUE}-new`, { owner: owner('req-1'), description: 'x' });
  expect(mine.created).toBe(false);
  expect(await store.deleteOwned(mine.arn, owner('req-1'))).toEqual({
    deleted: false,
    leftAlone: 'created by another provisioner request: not this request to remove',
  });
  expect(await store.get(mine.arn)).toBe(`${VALUE}-new`);
});

it('refuses to overwrite a secret the provisioner did not write', async () => {
  const name = uniqueName();
  const sdk = new SecretsManagerClient({
    region: 'us-east-1',
    endpoint: emulator.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await sdk.send(new CreateSecretCommand({ Name: name, SecretString: 'hand-made' }));
  const err = await store
    .put(name, VALUE, { owner: owner('req-1'), description: 'x' })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConflictError);
  expect(await store.get(name)).toBe('hand-made');
});

it('a connection failure is transient', async () => {
  const closed = new SecretStore(
    new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      maxAttempts: 1,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
  );
  const err = await closed.get('anything').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TransientError);
});

it('deletes its own secret at once, and "already gone" is success', async () => {
  const name = uniqueName();
  const { arn } = await store.put(name, VALUE, { owner: owner('req-1'), description: 'x' });
  expect(await store.deleteOwned(arn, owner('req-1'))).toEqual({ deleted: true });
  expect(await store.arnOf(name)).toBeUndefined();
  expect(await store.deleteOwned(arn, owner('req-1'))).toEqual({ deleted: false });
  await expect(store.delete(arn)).resolves.toBeUndefined();
});

it('brings back a secret scheduled for deletion when it is written again', async () => {
  const name = uniqueName();
  const { arn } = await store.put(name, VALUE, { owner: owner('req-1'), description: 'x' });
  const sdk = new SecretsManagerClient({
    region: 'us-east-1',
    endpoint: emulator.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const { DeleteSecretCommand } = await import('@aws-sdk/client-secrets-manager');
  await sdk.send(new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: 7 }));
  const again = await store.put(name, `${VALUE}-3`, { owner: owner('req-1'), description: 'x' });
  expect(again.arn).toBe(arn);
  expect(await store.get(arn)).toBe(`${VALUE}-3`);
});

it('reading a missing secret is a PermanentError that names the secret, never a value', async () => {
  const output = captureOutput();
  let err: unknown;
  try {
    await store.put(uniqueName(), VALUE, { owner: owner('req-1'), description: 'x' });
    err = await store.get('kong-portal-provisioner/dev/missing/client-secret').catch((e: unknown) => e);
  } finally {
    output.restore();
  }
  expect(err).toBeInstanceOf(PermanentError);
  expect((err as Error).message).toBe(
    "Secrets Manager GetSecretValue on 'kong-portal-provisioner/dev/missing/client-secret' failed: ResourceNotFoundException",
  );
  expect(everythingIn(err)).not.toContain(VALUE);
  expect(output.text()).not.toContain(VALUE);
});

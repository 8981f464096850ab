// Intent: a webhook reads its signing secret at most once per cache period (concurrent cold
// deliveries share one read), sees a rotated value once the period is over, and never caches a
// failed read - so a Secrets Manager blip is retried by the next delivery, not served for minutes.
import { CachedSecret } from '../../lambdas/clients/cached-secret';
import { TransientError } from '../../lambdas/core/errors';

function store(values: Array<string | Error>) {
  const reads: string[] = [];
  return {
    reads,
    get: async (id: string) => {
      reads.push(id);
      const next = values.shift();
      if (next instanceof Error) throw next;
      return next ?? 'exhausted';
    },
  };
}

it('reads once per period, shared by concurrent callers, and picks up a rotation after it', async () => {
  let now = 0;
  const s = store(['first', 'second']);
  const secret = new CachedSecret(s, 'arn:1', 60_000, () => now);
  expect(await Promise.all([secret.value(), secret.value(), secret.value()])).toEqual([
    'first',
    'first',
    'first',
  ]);
  now = 59_999;
  expect(await secret.value()).toBe('first');
  now = 60_001;
  expect(await secret.value()).toBe('second');
  expect(s.reads).toEqual(['arn:1', 'arn:1']);
});

it('does not cache a failed read', async () => {
  const s = store([new TransientError('Secrets Manager GetSecretValue failed'), 'value']);
  const secret = new CachedSecret(s, 'arn:1', 60_000, () => 0);
  await expect(secret.value()).rejects.toBeInstanceOf(TransientError);
  expect(await secret.value()).toBe('value');
});

it('reads every time with a zero period', async () => {
  const s = store(['a', 'b']);
  const secret = new CachedSecret(s, 'arn:1', 0, () => 0);
  expect([await secret.value(), await secret.value()]).toEqual(['a', 'b']);
});

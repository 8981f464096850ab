// Intent: names are deterministic (so every step can find before it creates), ownership markers
// round-trip, and errors keep the names Step Functions matches on and never echo a secret.
import {
  describeWithMarker,
  ownershipOf,
  requestIdFromDescription,
  requestIdFromProfile,
  resourceName,
  secretName,
  ownershipMarker,
} from '../../lambdas/core/naming';
import {
  ConflictError,
  PermanentError,
  RateLimitedError,
  TransientError,
  ValidationError,
  scrubSecrets,
} from '../../lambdas/core/errors';

describe('naming', () => {
  it('names resources kong-portal-<env>-<workspace>', () => {
    expect(resourceName({ environment: 'prod', workspace: 'team-a' })).toBe('kong-portal-prod-team-a');
  });

  it('keeps secret names within Secrets Manager characters and one-to-one', () => {
    const a = secretName({ environment: 'dev', workspace: 'a~b' }, 'client-secret');
    const b = secretName({ environment: 'dev', workspace: 'a_b' }, 'client-secret');
    expect(a).toBe('kong-portal-provisioner/dev/a+b/client-secret');
    expect(a).toMatch(/^[A-Za-z0-9/_+=.@-]+$/);
    expect(a).not.toBe(b);
  });

  it('reads back the request id from a marked description and profile', () => {
    const description = describeWithMarker('Kong Dev Portal for team-a', 'req-123');
    expect(requestIdFromDescription(description)).toBe('req-123');
    expect(requestIdFromDescription('hand-made server')).toBeUndefined();
    expect(requestIdFromProfile({ ...ownershipMarker('req-9'), workspace: 'x' })).toBe('req-9');
    expect(requestIdFromProfile({ managedBy: 'someone-else', requestId: 'req-9' })).toBeUndefined();
    expect(requestIdFromProfile(null)).toBeUndefined();
  });

  it('classifies ownership', () => {
    expect(ownershipOf('r1', 'r1')).toBe('this-request');
    expect(ownershipOf('r2', 'r1')).toBe('other-request');
    expect(ownershipOf(undefined, 'r1')).toBe('not-managed');
  });
});

describe('errors', () => {
  it.each([
    [new TransientError('x'), 'TransientError', true],
    [new RateLimitedError('x', 100), 'RateLimitedError', true],
    [new PermanentError('x'), 'PermanentError', false],
    [ValidationError.of([{ field: 'a', reason: 'b' }]), 'ValidationError', false],
    [new ConflictError('x'), 'ConflictError', false],
  ])('%p has a stable name and retry class', (error, name, retryable) => {
    expect(error.name).toBe(name);
    expect(error.retryable).toBe(retryable);
    expect(JSON.parse(JSON.stringify(error)).name).toBe(name);
  });

  it('computes the wait until a rate limit resets', () => {
    expect(new RateLimitedError('x', 1_000).retryAfterSeconds(995_500)).toBe(5);
    expect(new RateLimitedError('x', 1_000).retryAfterSeconds(1_200_000)).toBe(0);
    expect(new RateLimitedError('x').retryAfterSeconds()).toBeUndefined();
  });

  it('scrubs secret values from foreign text', () => {
    expect(scrubSecrets('bad value "abcd1234" in client_secret', ['abcd1234', undefined])).toBe(
      'bad value "***" in client_secret',
    );
  });
});

// Intent: names are deterministic (so every step can find before it creates), ownership markers
// round-trip, and errors keep the names Step Functions matches on and never echo a secret.
import {
  ANY_REQUEST,
  describeWithMarker,
  markerFromDescription,
  markerFromProfile,
  ownershipOf,
  profileMarker,
  resourceName,
  secretName,
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
  it('names resources kong-portal-<env>.<workspace>', () => {
    expect(resourceName({ environment: 'prod', workspace: 'team-a' })).toBe('kong-portal-prod.team-a');
  });

  it('gives different (environment, workspace) pairs different names, however their hyphens fall', () => {
    // Intent (safety): `dev` + `eu-web` and `dev-eu` + `web` must never share a resource name.
    expect(resourceName({ environment: 'dev', workspace: 'eu-web' })).not.toBe(
      resourceName({ environment: 'dev-eu', workspace: 'web' }),
    );
  });

  it('keeps secret names within Secrets Manager characters and one-to-one', () => {
    const a = secretName({ environment: 'dev', workspace: 'a~b' }, 'client-secret');
    const b = secretName({ environment: 'dev', workspace: 'a_b' }, 'client-secret');
    expect(a).toBe('kong-portal-provisioner/dev/a+b/client-secret');
    expect(a).toMatch(/^[A-Za-z0-9/_+=.@-]+$/);
    expect(a).not.toBe(b);
  });

  const scope = { environment: 'dev', workspace: 'eu-web' };

  it('reads back who made a resource from a marked description and profile', () => {
    const description = describeWithMarker('Kong Dev Portal for eu-web', { scope, requestId: 'req-123' });
    expect(markerFromDescription(description)).toEqual({ requestId: 'req-123', ...scope });
    expect(markerFromDescription('hand-made server')).toBeUndefined();
    expect(markerFromProfile(profileMarker({ scope, requestId: 'req-9' }))).toEqual({
      requestId: 'req-9',
      ...scope,
    });
    expect(markerFromProfile({ managedBy: 'someone-else', requestId: 'req-9' })).toBeUndefined();
    expect(markerFromProfile(null)).toBeUndefined();
  });

  it('counts a resource as ours only when its marker names exactly this environment and workspace', () => {
    const mine = { requestId: 'r1', ...scope };
    expect(ownershipOf(mine, { scope, requestId: 'r1' })).toBe('this-request');
    expect(ownershipOf(mine, { scope, requestId: ANY_REQUEST })).toBe('this-request');
    expect(ownershipOf({ ...mine, requestId: 'r2' }, { scope, requestId: 'r1' })).toBe('other-request');
    expect(
      ownershipOf(mine, { scope: { environment: 'dev-eu', workspace: 'web' }, requestId: ANY_REQUEST }),
    ).toBe('other-scope');
    // A marker that does not say where it belongs is never ours.
    expect(ownershipOf({ requestId: 'r1' }, { scope, requestId: ANY_REQUEST })).toBe('other-scope');
    expect(ownershipOf(undefined, { scope, requestId: 'r1' })).toBe('not-managed');
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

/**
 * A secret value read from Secrets Manager and reused for a short while: webhook handlers check
 * every delivery against their signing secret, and a cold read per delivery would add latency and
 * cost. A rotated secret takes effect within `ttlMs`. A failed read is not cached.
 */
import type { SecretStore } from './secrets';

export class CachedSecret {
  private cached?: { value: string; until: number };
  private pending?: Promise<string>;

  constructor(
    private readonly store: Pick<SecretStore, 'get'>,
    private readonly secretId: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async value(): Promise<string> {
    if (this.cached && this.cached.until > this.now()) return this.cached.value;
    if (this.ttlMs <= 0 && this.pending === undefined) return this.store.get(this.secretId);
    // Concurrent deliveries on a cold container share one read.
    this.pending ??= this.store
      .get(this.secretId)
      .then((value) => {
        this.cached = { value, until: this.now() + this.ttlMs };
        return value;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}

/**
 * Okta's reads right after a write can miss it: "Results from the filter or query parameter are
 * driven from an eventually consistent datasource. The synchronization lag is typically less
 * than one second" (Okta Groups API reference), and the Okta Terraform provider retries a 404
 * after create for up to 10 s (resource_okta_group.go, resourceGroupCreate). When armed, each app
 * or authorization server created afterwards answers 404 to the next `times` requests that
 * address it by id.
 */
export class ReadLag {
  private armed = 0;
  private readonly lagging = new Map<string, number>();

  arm(times: number): void {
    this.armed = times;
  }

  created(id: string): void {
    if (this.armed > 0) this.lagging.set(id, this.armed);
  }

  /** True when this read should not see the resource yet (and counts the read). */
  hides(id: string): boolean {
    const left = this.lagging.get(id);
    if (!left) return false;
    if (left <= 1) this.lagging.delete(id);
    else this.lagging.set(id, left - 1);
    return true;
  }

  reset(): void {
    this.armed = 0;
    this.lagging.clear();
  }
}

/**
 * Ownership, applied the same way to apps and authorization servers: which candidate a request
 * may adopt, and the one removal skeleton (only what the owner made; deactivate, then delete;
 * "already gone" is done; everything else reported as left alone, never touched).
 */
import { ownershipOf, ownershipReason, type Marker, type Owner, type Ownership } from '../../core/naming';
import type { UndoReport } from '../../core/undo-report';
import { logger } from '../logger';

export type Adoptable<T> = { item: T; ownership: Ownership } | { foreign: T[] } | undefined;

/**
 * The resource this request may adopt: one it created itself (an earlier attempt whose response
 * was lost), else one an earlier provisioner request created for the same (environment,
 * workspace). One with our name that the provisioner did not make for exactly this pair is
 * someone else's: refused rather than taken over.
 */
export function pickOwned<T>(
  candidates: T[],
  markerOf: (item: T) => Marker | undefined,
  owner: Owner,
): Adoptable<T> {
  if (candidates.length === 0) return undefined;
  const withOwnership = candidates.map((item) => ({ item, ownership: ownershipOf(markerOf(item), owner) }));
  const mine = withOwnership.find((c) => c.ownership === 'this-request');
  if (mine) return mine;
  const managed = withOwnership.find((c) => c.ownership === 'other-request');
  if (managed) return managed;
  return { foreign: candidates };
}

export interface OwnedRemoval<T> {
  what: string;
  idOf(item: T): string;
  markerOf(item: T): Marker | undefined;
  isInactive(item: T): boolean;
  deactivate(id: string): Promise<void>;
  remove(id: string): Promise<void>;
}

/** Okta refuses to delete an active app or server (403 E0000056): deactivate first. */
export async function removeOwned<T>(
  candidates: readonly T[],
  owner: Owner,
  how: OwnedRemoval<T>,
): Promise<UndoReport> {
  const report: UndoReport = { removed: [], leftAlone: [] };
  for (const item of candidates) {
    const id = how.idOf(item);
    const ownership = ownershipOf(how.markerOf(item), owner);
    if (ownership !== 'this-request') {
      report.leftAlone.push({ id, reason: ownershipReason(ownership) });
      continue;
    }
    if (!how.isInactive(item)) await how.deactivate(id);
    await how.remove(id);
    report.removed.push(id);
  }
  logger.info(`${how.what} undo`, { removed: report.removed, leftAlone: report.leftAlone });
  return report;
}

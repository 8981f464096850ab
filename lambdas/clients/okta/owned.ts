/**
 * Ownership, applied the same way to apps and authorization servers: which candidate a request
 * may adopt, and the one removal skeleton (only what the owner made; deactivate, then delete;
 * "already gone" is done; everything else reported as left alone, never touched).
 */
import { ownershipOf, ownershipReason, type Marker, type Owner, type Ownership } from '../../core/naming';
import type { UndoReport } from '../../core/undo-report';
import { logger } from '../logger';

/**
 * What the caller already knows. `knownAbsent`: nothing of ours exists under the name yet - an
 * earlier read in this run found none, or this run made the container moments ago - so there is
 * nothing to find and the create goes out at once. Only a step's first attempt may claim it: a
 * retry must look again, since the failed attempt may have created it.
 */
export interface EnsureOptions {
  knownAbsent?: boolean;
}

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

/** A resource found by name, judged once: whether it is the owner's to remove. */
export interface Located {
  id: string;
  inactive: boolean;
  ownership: Ownership;
}

export interface OwnedRemoval<T> {
  what: string;
  idOf(item: T): string;
  markerOf(item: T): Marker | undefined;
  isInactive(item: T): boolean;
  deactivate(id: string): Promise<void>;
  remove(id: string): Promise<void>;
}

export function locateOwned<T>(
  candidates: readonly T[],
  owner: Owner,
  how: Pick<OwnedRemoval<T>, 'idOf' | 'markerOf' | 'isInactive'>,
): Located[] {
  return candidates.map((item) => ({
    id: how.idOf(item),
    inactive: how.isInactive(item),
    ownership: ownershipOf(how.markerOf(item), owner),
  }));
}

/** Okta refuses to delete an active app or server (403 E0000056): deactivate first. */
export async function removeLocated(
  located: readonly Located[],
  how: Pick<OwnedRemoval<unknown>, 'what' | 'deactivate' | 'remove'>,
): Promise<UndoReport> {
  const report: UndoReport = { removed: [], leftAlone: [] };
  for (const { id, inactive, ownership } of located) {
    if (ownership !== 'this-request') {
      report.leftAlone.push({ id, reason: ownershipReason(ownership) });
      continue;
    }
    if (!inactive) await how.deactivate(id);
    await how.remove(id);
    report.removed.push(id);
  }
  logger.info(`${how.what} undo`, { removed: report.removed, leftAlone: report.leftAlone });
  return report;
}

export function removeOwned<T>(
  candidates: readonly T[],
  owner: Owner,
  how: OwnedRemoval<T>,
): Promise<UndoReport> {
  return removeLocated(locateOwned(candidates, owner, how), how);
}

/** What an undo did: the ids it removed, and what it found but must not touch (with why). */

export interface LeftAlone {
  id: string;
  reason: string;
}

export interface UndoReport {
  removed: string[];
  leftAlone: LeftAlone[];
}

export const nothingDone = (): UndoReport => ({ removed: [], leftAlone: [] });

export function mergeReports(reports: readonly UndoReport[]): UndoReport {
  return {
    removed: reports.flatMap((r) => r.removed),
    leftAlone: reports.flatMap((r) => r.leftAlone),
  };
}

/**
 * The request-status vocabulary, defined once: what a request record can say, which statuses
 * are final, what callers see, and how a Step Functions execution's status reads as ours.
 */

export const REQUEST_STATUSES = [
  'PENDING',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'CLEANUP_INCOMPLETE',
  'PLANNED',
] as const;

export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** PENDING is internal (accepted, execution not yet started): callers see RUNNING. */
export type PublicStatus = Exclude<RequestStatus, 'PENDING'>;

export const FINAL_STATUSES: readonly RequestStatus[] = [
  'SUCCEEDED',
  'FAILED',
  'CLEANUP_INCOMPLETE',
  'PLANNED',
];
export const ACTIVE_STATUSES: readonly RequestStatus[] = ['PENDING', 'RUNNING'];

export const isFinal = (status: RequestStatus): boolean => FINAL_STATUSES.includes(status);

export const publicStatus = (status: RequestStatus): PublicStatus =>
  status === 'PENDING' ? 'RUNNING' : status;

export type ExecutionStatus =
  'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/** The Fail states' error names that mean a rollback may have left something behind. */
export const INCOMPLETE_ROLLBACK_ERRORS: readonly string[] = ['CleanupIncomplete', 'FinalizeFailed'];

/** How a request reads from its execution, for runs whose record is not final yet. */
export function statusFromExecution(execution: {
  status?: string;
  error?: string;
  output?: string;
}): RequestStatus {
  switch (execution.status) {
    case 'SUCCEEDED': {
      const output = parseOutput(execution.output);
      return output.status === 'PLANNED' ? 'PLANNED' : 'SUCCEEDED';
    }
    case 'FAILED':
      return execution.error !== undefined && INCOMPLETE_ROLLBACK_ERRORS.includes(execution.error)
        ? 'CLEANUP_INCOMPLETE'
        : 'FAILED';
    // Timed out or stopped: the rollback never ran, so something may be left behind.
    case 'TIMED_OUT':
    case 'ABORTED':
      return 'CLEANUP_INCOMPLETE';
    default:
      return 'RUNNING';
  }
}

function parseOutput(output: string | undefined): { status?: unknown } {
  try {
    const parsed: unknown = JSON.parse(output ?? '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as { status?: unknown }) : {};
  } catch {
    return {};
  }
}

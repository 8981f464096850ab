/**
 * Accepting a run (provisioning or teardown), whichever door it came in by: validate the scope,
 * record the request, take the workspace lock, start exactly one execution named after the
 * request id. A repeated request is answered with the run it repeats, never a second one.
 */
import { START_FAILED, type RequestKind, type RequestRecord, type RequestSource } from '../clients/requests';
import { logger } from '../clients/logger';
import { ConflictError } from '../core/errors';
import { inputHash, newRequestId, requestIdFromKey } from '../core/idempotency';
import { portalRefOf } from '../core/portal-target';
import { assertServedEnvironment, assertServedTarget } from '../core/request';
import { isFinal, publicStatus, type PublicStatus } from '../core/status';
import { statusUrl, type RunDeps } from './deps';
import { diedWithoutFinalize, reconcileDeadRun } from './reconcile';

export interface RunRequest {
  kind: RequestKind;
  scope: { workspace: string; environment: string };
  /** The validated request, passed to the execution as `$.request`. */
  request: Record<string, unknown>;
  requestedBy: string;
  source: RequestSource;
  idempotencyKey?: string;
  dryRun: boolean;
}

export interface AcceptedRun {
  id: string;
  status: PublicStatus;
  /** False when an identical request was already accepted and this one maps onto it. */
  created: boolean;
}

export async function acceptRun(deps: RunDeps, run: RunRequest): Promise<AcceptedRun> {
  assertServedEnvironment(run.scope.environment, deps.servedEnvironment);
  assertServedTarget(portalRefOf(run.scope.workspace).kind, deps.servedTargets);
  // The key names the request; it is not part of what is being asked for.
  const { idempotencyKey: _key, ...withoutKey } = run.request;
  const hash = inputHash({ kind: run.kind, request: withoutKey });
  const id = run.idempotencyKey
    ? requestIdFromKey(run.source.principal ?? 'anonymous', run.idempotencyKey)
    : newRequestId(deps.now());

  if (run.idempotencyKey) {
    const existing = await deps.store.get(id);
    if (existing) {
      const same = sameOrConflict(deps, existing, hash);
      // Accepted but never started (the caller's earlier attempt died in between): start it now.
      if (existing.status === 'PENDING' && !existing.executionArn)
        await execute(deps, run, id, { owner: false });
      // Its start failed, so nothing ran: a repeat (a client's retry, Jira's redelivery) starts it.
      if (existing.status === 'FAILED' && existing.error?.name === START_FAILED)
        return restartFailedStart(deps, run, id, hash);
      return same;
    }
  }

  // Dry runs write nothing, so they need no lock.
  if (!run.dryRun) {
    const holder = await lockWorkspace(deps, run, id, hash);
    if (holder?.requestId === id) throw keyReused(deps, id);
    if (holder) {
      // The identical request is already running: answer with it rather than refuse - once its
      // record confirms it is that request. Not for a keyed request: its key must keep naming
      // its own request.
      if (
        !run.idempotencyKey &&
        holder.inputHash === hash &&
        (await isRunningWith(deps, holder.requestId, hash))
      )
        return { id: holder.requestId, status: 'RUNNING', created: false };
      throw busy(deps, run, holder.requestId);
    }
  }

  const now = deps.now().toISOString();
  const record: RequestRecord = {
    id,
    kind: run.kind,
    workspace: run.scope.workspace,
    environment: run.scope.environment,
    status: 'PENDING',
    requestedBy: run.requestedBy,
    source: run.source,
    inputHash: hash,
    ...(run.idempotencyKey ? { idempotencyKey: run.idempotencyKey } : {}),
    dryRun: run.dryRun,
    createdAt: now,
    updatedAt: now,
  };
  const created = await deps.store.create(record);
  if (!created.created) {
    // The key was bound to another body meanwhile: give back the lock this call took for it.
    if (created.record.inputHash !== hash && !run.dryRun) await deps.store.releaseLock(run.scope, id, hash);
    return sameOrConflict(deps, created.record, hash);
  }

  await execute(deps, run, id, { owner: true });
  logger.info('run accepted', {
    requestId: id,
    kind: run.kind,
    workspace: run.scope.workspace,
    dryRun: run.dryRun,
  });
  return { id, status: 'RUNNING', created: true };
}

/** Takes the lock; returns its holder when someone else has it. A lock held by an ended run is taken over. */
async function lockWorkspace(deps: RunDeps, run: RunRequest, id: string, hash: string) {
  const holder = { requestId: id, inputHash: hash };
  let lock = await deps.store.acquireLock(run.scope, holder, deps.lockTtlSeconds);
  if (!lock.acquired && (await holderHasEnded(deps, lock.heldBy.requestId))) {
    // Its run ended without releasing the lock (timed out, aborted, or Finalize never ran).
    await deps.store.releaseLock(run.scope, lock.heldBy.requestId);
    lock = await deps.store.acquireLock(run.scope, holder, deps.lockTtlSeconds);
  }
  return lock.acquired ? undefined : lock.heldBy;
}

function busy(deps: RunDeps, run: RunRequest, holderId: string): ConflictError {
  return new ConflictError(
    `Workspace '${run.scope.workspace}' (${run.scope.environment}) is already being changed by request ${holderId}; ` +
      'wait for it to finish, then retry',
    { runningRequest: { id: holderId, statusUrl: statusUrl(deps, holderId) } },
  );
}

/**
 * Starts the execution named after the request. A start that failed is undone (record FAILED, lock
 * released) only by the caller that owns the attempt, and only when Step Functions has no such
 * execution: a start whose answer was lost may have started it, and a repeat's failed start must
 * not fail the run its first caller started. Once started, a failed bookkeeping write must not free
 * the workspace while the run goes on - the status view derives the execution from the request id.
 */
async function execute(
  deps: RunDeps,
  run: RunRequest,
  id: string,
  attempt: { owner: boolean },
): Promise<void> {
  let executionArn: string;
  try {
    ({ executionArn } = await deps.executions.start(run.kind, id, { requestId: id, request: run.request }));
  } catch (err) {
    const error = err instanceof Error ? err.name : 'Error';
    if (await startedAnyway(deps, run, id)) {
      logger.warn('execution start answered with an error, but it started', { requestId: id, error });
      return recordStarted(deps, run, id, deps.executions.arnOf(run.kind, id));
    }
    logger.error('could not start the execution', { requestId: id, error });
    if (attempt.owner && (await deps.store.recordStart(id, { outcome: 'failed' })) && !run.dryRun)
      await deps.store.releaseLock(run.scope, id);
    throw err;
  }
  await recordStarted(deps, run, id, executionArn);
}

async function startedAnyway(deps: RunDeps, run: RunRequest, id: string): Promise<boolean> {
  try {
    return (await deps.executions.describe(run.kind, id)) !== undefined;
  } catch {
    // Unknown: not undone, so the lock holds until a repeat or its expiry settles it.
    return true;
  }
}

async function recordStarted(
  deps: RunDeps,
  run: RunRequest,
  id: string,
  executionArn: string,
): Promise<void> {
  try {
    const healed = await deps.store.recordStart(id, { outcome: 'started', executionArn });
    // A concurrent caller recorded the start as failed and gave the lock back: it runs after all.
    if (healed && !run.dryRun) {
      const lock = await deps.store.acquireLock(
        run.scope,
        { requestId: id, inputHash: (await deps.store.get(id))?.inputHash ?? '' },
        deps.lockTtlSeconds,
      );
      if (!lock.acquired)
        logger.warn('run started after its start was recorded failed; another request took the lock', {
          requestId: id,
          holder: lock.heldBy.requestId,
        });
    }
  } catch (err) {
    logger.warn('execution started but not recorded as RUNNING', {
      requestId: id,
      error: err instanceof Error ? err.name : 'Error',
    });
  }
}

/** A repeat of a request whose start failed: take the workspace again and start it once. */
async function restartFailedStart(
  deps: RunDeps,
  run: RunRequest,
  id: string,
  hash: string,
): Promise<AcceptedRun> {
  if (!run.dryRun) {
    const holder = await lockWorkspace(deps, run, id, hash);
    if (holder && holder.requestId !== id) throw busy(deps, run, holder.requestId);
  }
  if (!(await deps.store.recordStart(id, { outcome: 'reopened' }))) {
    // Another repeat reopened it first and starts it; answer with where it stands.
    const current = await deps.store.get(id);
    return { id, status: publicStatus(current?.status ?? 'PENDING'), created: false };
  }
  await execute(deps, run, id, { owner: true });
  logger.info('run accepted after its failed start', { requestId: id, kind: run.kind });
  return { id, status: 'RUNNING', created: false };
}

/** Whether the run holding a lock is over, so the lock is stale. */
async function holderHasEnded(deps: RunDeps, holderId: string): Promise<boolean> {
  const holder = await deps.store.get(holderId);
  if (!holder) return false;
  if (isFinal(holder.status)) return true;
  let execution;
  try {
    execution = await deps.executions.describe(holder.kind, holder.id);
  } catch {
    // Unknown: treat as still running; the lock's expiry is the backstop.
    return false;
  }
  // Not started (yet): still running as far as anyone can tell.
  if (!execution || execution.status === 'RUNNING') return false;
  if (diedWithoutFinalize(execution)) await reconcileDeadRun(deps, holder, execution);
  return true;
}

/** The record is the one place that binds a request id to its input. */
async function isRunningWith(deps: RunDeps, id: string, hash: string): Promise<boolean> {
  const record = await deps.store.get(id);
  return record !== undefined && record.inputHash === hash && !isFinal(record.status);
}

function keyReused(deps: RunDeps, id: string): ConflictError {
  return new ConflictError(`The Idempotency-Key was already used for a different request (${id})`, {
    existingRequest: { id, statusUrl: statusUrl(deps, id) },
  });
}

function sameOrConflict(deps: RunDeps, existing: RequestRecord, hash: string): AcceptedRun {
  if (existing.inputHash !== hash) throw keyReused(deps, existing.id);
  return { id: existing.id, status: publicStatus(existing.status), created: false };
}

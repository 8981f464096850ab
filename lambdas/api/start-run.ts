/**
 * Accepting a run (provisioning or teardown): idempotency by key, one run per workspace at a
 * time (a conditional-write lock), a request record, and a Step Functions execution named after
 * the request id - so a repeated request can never start a second execution.
 */
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { RequestKind, RequestRecord, RequestSource } from '../clients/requests';
import { ConflictError } from '../core/errors';
import { assertServedEnvironment } from '../core/request';
import { inputHash, newRequestId, requestIdFromKey } from '../core/idempotency';
import { logger } from '../clients/logger';
import type { ApiDeps } from './deps';
import { json, type ApiResult, type Caller } from './http';

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
  status: 'RUNNING' | 'PLANNED' | 'SUCCEEDED' | 'FAILED' | 'CLEANUP_INCOMPLETE';
  /** False when an identical request was already accepted and this one maps onto it. */
  created: boolean;
}

/** Deployed, the API lives under its stage (`/v1`); locally at the root. */
export const statusUrl = (id: string) => `${process.env.API_BASE_PATH ?? ''}/provisionings/${id}`;

/** What a self-service caller's run records as its source. */
export function apiSource(caller: Caller): RequestSource {
  return {
    channel: 'api',
    principal: caller.principal,
    sourceIp: caller.sourceIp,
    userAgent: caller.userAgent,
  };
}

/** 202 with where to follow the run. */
export function acceptedResponse(accepted: AcceptedRun, extra: Record<string, unknown> = {}): ApiResult {
  const url = statusUrl(accepted.id);
  return json(202, { id: accepted.id, status: accepted.status, statusUrl: url, ...extra }, { Location: url });
}

/** PENDING is an internal step between accepting and starting: callers see RUNNING. */
const visible = (status: RequestRecord['status']): AcceptedRun['status'] =>
  status === 'PENDING' ? 'RUNNING' : status;

export async function startRun(deps: ApiDeps, run: RunRequest): Promise<AcceptedRun> {
  assertServedEnvironment(run.scope.environment, process.env.PROVISIONER_ENVIRONMENT);
  // The key names the request; it is not part of what is being asked for.
  const { idempotencyKey: _key, ...withoutKey } = run.request;
  const hash = inputHash({ kind: run.kind, request: withoutKey });
  const id = run.idempotencyKey
    ? requestIdFromKey(run.source.principal ?? 'anonymous', run.idempotencyKey)
    : newRequestId(deps.now());

  if (run.idempotencyKey) {
    const existing = await deps.requests.get(id);
    if (existing) {
      const same = sameOrConflict(existing, hash);
      // Accepted but never started (the caller's earlier attempt died in between): start it now.
      if (existing.status === 'PENDING' && !existing.executionArn) await execute(deps, run, id);
      return same;
    }
  }

  // Dry runs write nothing, so they need no lock.
  if (!run.dryRun) {
    let lock = await deps.requests.acquireLock(
      run.scope,
      { requestId: id, inputHash: hash },
      deps.lockTtlSeconds,
    );
    if (!lock.acquired && (await holderHasEnded(deps, lock.heldBy.requestId))) {
      // Its run ended without releasing the lock (timed out, aborted, or Finalize never ran).
      await deps.requests.releaseLock(run.scope, lock.heldBy.requestId);
      lock = await deps.requests.acquireLock(
        run.scope,
        { requestId: id, inputHash: hash },
        deps.lockTtlSeconds,
      );
    }
    if (!lock.acquired) {
      // The identical request is already running: answer with it rather than refuse. Not for a
      // keyed request, though: its key must keep naming its own request (a retry after the other
      // run ended would otherwise start a second one).
      if (lock.heldBy.inputHash === hash && !run.idempotencyKey)
        return { id: lock.heldBy.requestId, status: 'RUNNING', created: false };
      throw new ConflictError(
        `Workspace '${run.scope.workspace}' (${run.scope.environment}) is already being changed by request ${lock.heldBy.requestId}; ` +
          'wait for it to finish, then retry',
        { runningRequest: { id: lock.heldBy.requestId, statusUrl: statusUrl(lock.heldBy.requestId) } },
      );
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
  const created = await deps.requests.create(record);
  if (!created.created) return sameOrConflict(created.record, hash);

  await execute(deps, run, id);
  logger.info('run accepted', {
    requestId: id,
    kind: run.kind,
    workspace: run.scope.workspace,
    dryRun: run.dryRun,
  });
  return { id, status: 'RUNNING', created: true };
}

/**
 * Starts the execution named after the request. Only a failed start is undone (record FAILED,
 * lock released); once it has started, a failed bookkeeping write must not free the workspace
 * while the run goes on - the status view derives the execution from the request id anyway.
 */
async function execute(deps: ApiDeps, run: RunRequest, id: string): Promise<void> {
  let executionArn: string | undefined;
  try {
    const started = await deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn:
          run.kind === 'provision' ? deps.stateMachines.provision : deps.stateMachines.teardown,
        name: id,
        input: JSON.stringify({ requestId: id, request: run.request }),
      }),
    );
    executionArn = started.executionArn;
  } catch (err) {
    // Same name: the execution exists already (an earlier attempt started it).
    if (err instanceof Error && err.name === 'ExecutionAlreadyExists') {
      executionArn = executionArnOf(deps, run.kind, id);
    } else {
      logger.error('could not start the execution', {
        requestId: id,
        error: err instanceof Error ? err.name : 'Error',
      });
      await deps.requests.update(id, {
        status: 'FAILED',
        error: { name: 'StartFailed', message: 'The workflow could not be started' },
      });
      if (!run.dryRun) await deps.requests.releaseLock(run.scope, id);
      throw err;
    }
  }
  try {
    await deps.requests.update(id, { status: 'RUNNING', executionArn });
  } catch (err) {
    logger.warn('execution started but not recorded as RUNNING', {
      requestId: id,
      error: err instanceof Error ? err.name : 'Error',
    });
  }
}

/** Whether the run holding a lock is over, so the lock is stale. */
async function holderHasEnded(deps: ApiDeps, holderId: string): Promise<boolean> {
  const holder = await deps.requests.get(holderId);
  if (!holder) return false;
  if (FINAL_STATUSES.has(holder.status)) return true;
  try {
    const execution = await deps.sfn.send(
      new DescribeExecutionCommand({
        executionArn: holder.executionArn ?? executionArnOf(deps, holder.kind, holder.id),
      }),
    );
    if (execution.status === 'RUNNING') return false;
    if (execution.status === 'TIMED_OUT' || execution.status === 'ABORTED') {
      await deps.requests.update(holder.id, {
        status: 'CLEANUP_INCOMPLETE',
        error: { name: execution.status, message: 'The run stopped before it could finish or roll back' },
      });
    }
    return true;
  } catch {
    // Not started yet, or unknown: treat as still running; the lock's expiry is the backstop.
    return false;
  }
}

const FINAL_STATUSES = new Set(['SUCCEEDED', 'FAILED', 'CLEANUP_INCOMPLETE', 'PLANNED']);

/** Executions are named after the request id, so the ARN follows from the state machine's. */
export function executionArnOf(deps: Pick<ApiDeps, 'stateMachines'>, kind: RequestKind, id: string): string {
  const machine = kind === 'provision' ? deps.stateMachines.provision : deps.stateMachines.teardown;
  return `${machine.replace(':stateMachine:', ':execution:')}:${id}`;
}

function sameOrConflict(existing: RequestRecord, hash: string): AcceptedRun {
  if (existing.inputHash !== hash) {
    throw new ConflictError(`The Idempotency-Key was already used for a different request (${existing.id})`, {
      existingRequest: { id: existing.id, statusUrl: statusUrl(existing.id) },
    });
  }
  return { id: existing.id, status: visible(existing.status), created: false };
}

/**
 * Accepting a run (provisioning or teardown): idempotency by key, one run per workspace at a
 * time (a conditional-write lock), a request record, and a Step Functions execution named after
 * the request id - so a repeated request can never start a second execution.
 */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { RequestKind, RequestRecord, RequestSource } from '../clients/requests';
import { ConflictError } from '../core/errors';
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
  // The key names the request; it is not part of what is being asked for.
  const { idempotencyKey: _key, ...withoutKey } = run.request;
  const hash = inputHash({ kind: run.kind, request: withoutKey });
  const id = run.idempotencyKey
    ? requestIdFromKey(run.source.principal ?? 'anonymous', run.idempotencyKey)
    : newRequestId(deps.now());

  if (run.idempotencyKey) {
    const existing = await deps.requests.get(id);
    if (existing) return sameOrConflict(existing, hash);
  }

  // Dry runs write nothing, so they need no lock.
  if (!run.dryRun) {
    const lock = await deps.requests.acquireLock(
      run.scope,
      { requestId: id, inputHash: hash },
      deps.lockTtlSeconds,
    );
    if (!lock.acquired) {
      // The identical request is already running: answer with it rather than refuse.
      if (lock.heldBy.inputHash === hash)
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

  try {
    const started = await deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn:
          run.kind === 'provision' ? deps.stateMachines.provision : deps.stateMachines.teardown,
        name: id,
        input: JSON.stringify({ requestId: id, request: run.request }),
      }),
    );
    await deps.requests.update(id, { status: 'RUNNING', executionArn: started.executionArn });
  } catch (err) {
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
  logger.info('run accepted', {
    requestId: id,
    kind: run.kind,
    workspace: run.scope.workspace,
    dryRun: run.dryRun,
  });
  return { id, status: 'RUNNING', created: true };
}

function sameOrConflict(existing: RequestRecord, hash: string): AcceptedRun {
  if (existing.inputHash !== hash) {
    throw new ConflictError(`The Idempotency-Key was already used for a different request (${existing.id})`, {
      existingRequest: { id: existing.id, statusUrl: statusUrl(existing.id) },
    });
  }
  return { id: existing.id, status: visible(existing.status), created: false };
}

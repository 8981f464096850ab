/**
 * GET /provisionings/{id}: the status of a run, with per-step progress read from its execution
 * history, its outputs (issuer, client id, portal URL, secret ARN - never a secret value), and who
 * asked and from where. The request record is authoritative once the run has finalized; until
 * then the execution says where it is.
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent as SfnHistoryEvent,
} from '@aws-sdk/client-sfn';
import type { RequestRecord } from '../clients/requests';
import { stepProgress, type HistoryEvent, type StepProgress } from '../core/progress';
import { isTaskState } from '../steps/catalogue';
import { depsFromEnv, type ApiDeps } from './deps';
import { NotFoundError, json, respond, type ApiEvent, type ApiResult } from './http';
import { executionArnOf, statusUrl } from './start-run';

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CLEANUP_INCOMPLETE', 'PLANNED']);

async function history(deps: ApiDeps, executionArn: string): Promise<SfnHistoryEvent[]> {
  const events: SfnHistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        nextToken,
        maxResults: 1000,
        includeExecutionData: false,
      }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** The status an unfinished record has, judged from the execution itself. */
function statusFromExecution(execution: {
  status?: string;
  error?: string;
  output?: string;
}): RequestRecord['status'] {
  switch (execution.status) {
    case 'SUCCEEDED': {
      const output = JSON.parse(execution.output ?? '{}') as { status?: string };
      return output.status === 'PLANNED' ? 'PLANNED' : 'SUCCEEDED';
    }
    case 'FAILED':
      // FinalizeFailed: the rollback ran but its outcome is unknown - assume something is left.
      return execution.error === 'CleanupIncomplete' || execution.error === 'FinalizeFailed'
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

/**
 * Finalize writes the final status before its own step ends in the history: once the record is
 * final, a still-open Finalize step has in fact finished.
 */
function closeFinalize(steps: StepProgress[], endedAt: string): StepProgress[] {
  return steps.map((s) =>
    s.name.startsWith('Finalize') && s.state === 'RUNNING' ? { ...s, state: 'SUCCEEDED', endedAt } : s,
  );
}

export function view(record: RequestRecord, steps: StepProgress[], status: RequestRecord['status']) {
  const outputs = record.outputs ?? {};
  const { plan, ...rest } = outputs as { plan?: unknown };
  return {
    id: record.id,
    kind: record.kind,
    status: status === 'PENDING' ? 'RUNNING' : status,
    workspace: record.workspace,
    environment: record.environment,
    dryRun: record.dryRun,
    requestedBy: record.requestedBy,
    source: record.source,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    statusUrl: statusUrl(record.id),
    steps,
    ...(Object.keys(rest).length ? { outputs: rest } : {}),
    ...(plan !== undefined ? { plan } : {}),
    ...(record.error ? { error: record.error } : {}),
    ...(record.leftovers?.length ? { leftovers: record.leftovers } : {}),
  };
}

export async function getProvisioning(event: ApiEvent, deps: ApiDeps): Promise<ApiResult> {
  return respond(async () => {
    const id = event.pathParameters?.id ?? '';
    const wellFormed = /^[A-Za-z0-9_-]{1,80}$/.test(id);
    const record = wellFormed ? await deps.requests.get(id) : undefined;
    if (!record)
      throw new NotFoundError(wellFormed ? `No request with id '${id}'` : 'No request with that id');
    let steps: StepProgress[] = [];
    let status = record.status;
    // Executions are named after the request: the ARN is known even if recording it failed.
    const executionArn = record.executionArn ?? executionArnOf(deps, record.kind, record.id);
    try {
      steps = stepProgress((await history(deps, executionArn)) as HistoryEvent[], isTaskState);
      if (FINAL.has(record.status)) steps = closeFinalize(steps, record.updatedAt);
      else status = statusFromExecution(await deps.sfn.send(new DescribeExecutionCommand({ executionArn })));
    } catch (err) {
      // Accepted but not started (yet), or its start failed: no history to show.
      if (!(err instanceof Error && err.name === 'ExecutionDoesNotExist')) throw err;
    }
    return json(200, view(record, steps, status));
  });
}

export const handler = (event: ApiEvent): Promise<ApiResult> => getProvisioning(event, depsFromEnv());

/**
 * Step Functions, as the run lifecycle needs it: start an execution named after the request,
 * describe it, read its history page by page. Executions are named after request ids, so an
 * execution's ARN follows from its state machine's and the id, whatever was recorded.
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import type { RequestKind } from './requests/schema';
import { errorName, mapAwsError } from './aws-errors';

export interface ExecutionDescription {
  status: string;
  error?: string;
  output?: string;
  startDate?: Date;
  stopDate?: Date;
}

export interface StartedExecution {
  executionArn: string;
  /** False when an execution of that name existed already (an earlier attempt started it). */
  started: boolean;
}

/** What the lifecycle uses; a recording double implements it in tests. */
export interface Executions {
  arnOf(kind: RequestKind, id: string): string;
  start(kind: RequestKind, id: string, input: unknown): Promise<StartedExecution>;
  /** Undefined when no such execution exists (accepted, not started yet). */
  describe(kind: RequestKind, id: string): Promise<ExecutionDescription | undefined>;
  /** Undefined when no such execution exists. */
  history(kind: RequestKind, id: string): Promise<HistoryEvent[] | undefined>;
}

export type StateMachineArns = Readonly<Record<RequestKind, string>>;

export function executionArnOf(stateMachines: StateMachineArns, kind: RequestKind, id: string): string {
  return `${stateMachines[kind].replace(':stateMachine:', ':execution:')}:${id}`;
}

const notFound = (err: unknown) => errorName(err) === 'ExecutionDoesNotExist';

export class StepFunctionsExecutions implements Executions {
  constructor(
    private readonly stateMachines: StateMachineArns,
    private readonly sfn: SFNClient = new SFNClient({}),
  ) {}

  arnOf(kind: RequestKind, id: string): string {
    return executionArnOf(this.stateMachines, kind, id);
  }

  async start(kind: RequestKind, id: string, input: unknown): Promise<StartedExecution> {
    try {
      const started = await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachines[kind],
          name: id,
          input: JSON.stringify(input),
        }),
      );
      return { executionArn: started.executionArn ?? this.arnOf(kind, id), started: true };
    } catch (err) {
      if (errorName(err) === 'ExecutionAlreadyExists')
        return { executionArn: this.arnOf(kind, id), started: false };
      throw mapAwsError('Step Functions', 'StartExecution', id, err);
    }
  }

  async describe(kind: RequestKind, id: string): Promise<ExecutionDescription | undefined> {
    try {
      const e = await this.sfn.send(new DescribeExecutionCommand({ executionArn: this.arnOf(kind, id) }));
      return {
        status: e.status ?? 'RUNNING',
        ...(e.error ? { error: e.error } : {}),
        ...(e.output ? { output: e.output } : {}),
        ...(e.startDate ? { startDate: e.startDate } : {}),
        ...(e.stopDate ? { stopDate: e.stopDate } : {}),
      };
    } catch (err) {
      if (notFound(err)) return undefined;
      throw mapAwsError('Step Functions', 'DescribeExecution', id, err);
    }
  }

  async history(kind: RequestKind, id: string): Promise<HistoryEvent[] | undefined> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.sfn.send(
          new GetExecutionHistoryCommand({
            executionArn: this.arnOf(kind, id),
            nextToken,
            maxResults: 1000,
            // Execution data can hold request details; progress needs names and times only.
            includeExecutionData: false,
          }),
        );
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (err) {
      if (notFound(err)) return undefined;
      throw mapAwsError('Step Functions', 'GetExecutionHistory', id, err);
    }
    return events;
  }
}

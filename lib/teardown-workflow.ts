/**
 * The teardown state machine: the undo halves of provisioning, in dependency order, for a
 * workspace provisioned earlier. Every step is idempotent and retried per error class; if one
 * still fails, the run ends in TeardownFailed and can simply be started again.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  FINALIZE_HANDLERS,
  FINALIZE_STATES,
  isParallel,
  teardownFlow,
  type StepMeta,
} from '../lambdas/steps/catalogue';
import { resultKeysOf } from './parallel-results';
import { settledParallel } from './settled-parallel';
import { acknowledgeStateMachineGrants, addForwardRetries, stepTasks } from './step-tasks';

export const TEARDOWN_FAILED = 'TeardownFailed';

export interface TeardownWorkflowProps {
  functions: Readonly<Record<string, lambda.IFunction>>;
  logRetention?: logs.RetentionDays;
}

export class TeardownWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: TeardownWorkflowProps) {
    super(scope, id);
    const { invoke, finalize } = stepTasks(this, props.functions, FINALIZE_HANDLERS.teardown.name);

    const failed = finalize(FINALIZE_STATES.teardownFailed, 'TEARDOWN_FAILED');
    failed.addRetry({
      errors: ['States.ALL'],
      interval: Duration.seconds(2),
      maxAttempts: 5,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });
    const fail = new sfn.Fail(this, TEARDOWN_FAILED, { error: TEARDOWN_FAILED, causePath: '$.final.cause' });
    failed.addCatch(
      new sfn.Fail(this, 'TeardownOutcomeNotRecorded', {
        error: TEARDOWN_FAILED,
        cause: 'see the execution history',
      }),
    );
    failed.next(fail);

    const task = (step: StepMeta) => {
      const state = invoke(
        step.name,
        step.name,
        step.resultKey ? { resultPath: `$.resources.${step.resultKey}` } : {},
      );
      addForwardRetries(state);
      return state;
    };
    // Each node: where the flow enters it, and where it continues from.
    const nodes = teardownFlow.map((node, index): [sfn.IChainable, sfn.INextable] => {
      if (isParallel(node)) {
        const { parallel, end } = settledParallel(
          this,
          node,
          resultKeysOf(teardownFlow.slice(0, index)),
          task,
          failed,
        );
        parallel.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.failure' });
        return [parallel, end];
      }
      const state = task(node);
      state.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.failure' });
      return [state, state];
    });
    const done = finalize(FINALIZE_STATES.tornDown, 'TORN_DOWN');
    addForwardRetries(done);
    done.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.failure' });
    done.next(new sfn.Succeed(this, 'TornDown', { outputPath: '$.final' }));

    nodes.forEach(([, end], i) => end.next(nodes[i + 1]?.[0] ?? done));
    const chain = (nodes[0] as [sfn.IChainable, sfn.INextable])[0];

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(chain),
      timeout: Duration.hours(1),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acknowledgeStateMachineGrants(this, props.functions);
  }
}

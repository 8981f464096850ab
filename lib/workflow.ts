/**
 * The provisioning state machine, generated from the step catalogue: each forward step is a
 * Task with retries per error class and a Catch into the compensation chain at the right point;
 * the chain runs the undo steps last-created-first, records any undo that still fails, and ends
 * in a distinct CleanupIncomplete failure listing what was left behind.
 */
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  ERRORS,
  acknowledgeStateMachineGrants,
  addForwardRetries,
  addUndoRetries,
  stepTasks,
  type Retrying,
} from './step-tasks';
import {
  FINALIZE_HANDLERS,
  FINALIZE_STATES,
  compensationChain,
  compensationEntry,
  isParallel,
  provisioningFlow,
  type FlowNode,
  type StepMeta,
} from '../lambdas/steps/catalogue';
import { resultKeysOf } from './parallel-results';
import { settledParallel } from './settled-parallel';

export { ERRORS, LAMBDA_SERVICE_ERRORS } from './step-tasks';

export interface ProvisioningWorkflowProps {
  /** The function behind each handler name (forward steps, undo steps and Finalize). */
  functions: Readonly<Record<string, lambda.IFunction>>;
  logRetention?: logs.RetentionDays;
}

export class ProvisioningWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ProvisioningWorkflowProps) {
    super(scope, id);
    const { invoke, finalize } = stepTasks(this, props.functions, FINALIZE_HANDLERS.provisioning.name);

    // ---- compensation chain -------------------------------------------------------------------
    const finalizeFailed = finalize(FINALIZE_STATES.failed, 'FAILED');
    finalizeFailed.addRetry({
      errors: ['States.ALL'],
      interval: Duration.seconds(2),
      maxAttempts: 5,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });
    finalizeFailed.addCatch(
      new sfn.Fail(this, 'OutcomeNotRecorded', {
        error: ERRORS.finalizeFailed,
        cause: 'The rollback ran but its outcome could not be recorded; see the execution history',
      }),
    );
    finalizeFailed.next(
      new sfn.Choice(this, 'CleanedUp?')
        .when(
          sfn.Condition.stringEquals('$.final.status', 'CLEANUP_INCOMPLETE'),
          new sfn.Fail(this, ERRORS.cleanupIncomplete, {
            error: ERRORS.cleanupIncomplete,
            causePath: '$.final.cause',
          }),
        )
        .otherwise(
          new sfn.Fail(this, ERRORS.provisioningFailed, {
            error: ERRORS.provisioningFailed,
            causePath: '$.final.cause',
          }),
        ),
    );

    const undoStates = new Map<string, sfn.TaskStateBase>();
    let next: sfn.IChainable = finalizeFailed;
    for (const undo of [...compensationChain()].reverse()) {
      const state = invoke(undo, undo, { resultPath: `$.undo.${undo}` });
      addUndoRetries(state);
      // An undo that still fails is recorded and the chain goes on: the others may still succeed.
      state.addCatch(next, { errors: ['States.ALL'], resultPath: `$.cleanupErrors.${undo}` });
      state.next(next);
      undoStates.set(undo, state);
      next = state;
    }
    const firstUndo = next;
    const failureTarget = (node: FlowNode): sfn.IChainable => {
      const entry = compensationEntry(provisioningFlow, node.name);
      return entry ? (undoStates.get(entry) as sfn.IChainable) : finalizeFailed;
    };
    const catchInto = (node: FlowNode, state: Retrying) =>
      state.addCatch(failureTarget(node), { errors: ['States.ALL'], resultPath: '$.failure' });

    // ---- forward flow ----------------------------------------------------------------------------
    const task = (step: StepMeta) => {
      const state = invoke(step.name, step.name, {
        // Without a result key the result replaces the state (ValidatePlan); ResultPath is then left out.
        ...(step.resultKey ? { resultPath: `$.resources.${step.resultKey}` } : {}),
      });
      addForwardRetries(state);
      return state;
    };

    const succeeded = finalize(FINALIZE_STATES.succeeded, 'SUCCEEDED');
    addForwardRetries(succeeded);
    // A run that cannot be recorded as finished is rolled back: nothing stays unaccounted for.
    succeeded.addCatch(firstUndo, { errors: ['States.ALL'], resultPath: '$.failure' });
    succeeded.next(new sfn.Succeed(this, 'Provisioned', { outputPath: '$.final' }));

    const planned = finalize(FINALIZE_STATES.planned, 'PLANNED');
    addForwardRetries(planned);
    planned.addCatch(finalizeFailed, { errors: ['States.ALL'], resultPath: '$.failure' });
    planned.next(new sfn.Succeed(this, 'Planned', { outputPath: '$.final' }));

    let start: sfn.IChainable | undefined;
    let tail: sfn.INextable | undefined;
    const append = (state: sfn.IChainable, continueFrom: sfn.INextable) => {
      if (tail) tail.next(state);
      else start = state;
      tail = continueFrom;
    };
    provisioningFlow.forEach((node, index) => {
      if (isParallel(node)) {
        const { parallel, end } = settledParallel(
          this,
          node,
          resultKeysOf(provisioningFlow.slice(0, index)),
          task,
          failureTarget(node),
        );
        catchInto(node, parallel);
        append(parallel, end);
      } else {
        const state = task(node);
        catchInto(node, state);
        append(state, state);
      }
      if (node.lastPlanningStep) {
        const provision = new sfn.Pass(this, 'Provision');
        append(
          new sfn.Choice(this, 'DryRun?')
            .when(sfn.Condition.booleanEquals('$.request.dryRun', true), planned)
            .otherwise(provision),
          provision,
        );
      }
    });
    (tail as sfn.INextable).next(succeeded);
    const definition = start as sfn.IChainable;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      // Long enough for a rollback whose every undo exhausts its retries (six undos, ~30 min each).
      timeout: Duration.hours(6),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });

    acknowledgeStateMachineGrants(this, props.functions);
  }
}

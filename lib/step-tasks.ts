/**
 * Building blocks shared by the state machines: a Lambda task with our defaults, the Finalize
 * task, and the retry policy per error class (forward steps vs undo steps).
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
  // A step that timed out: steps are idempotent, so running it again is safe.
  'Sandbox.Timedout',
  'Lambda.Unknown',
];

export const ERRORS = {
  transient: 'TransientError',
  rateLimited: 'RateLimitedError',
  cleanupIncomplete: 'CleanupIncomplete',
  provisioningFailed: 'ProvisioningFailed',
  finalizeFailed: 'FinalizeFailed',
} as const;

export type Retrying = sfn.TaskStateBase | sfn.Parallel;

/** `$$.State.RetryCount`: 0 on a state's first attempt, then the number of retries so far. */
const RETRY_COUNT = sfn.JsonPath.numberAt('$$.State.RetryCount');

/** Forward steps: a failure class gets the backoff it needs; everything else is final at once. */
export function addForwardRetries(state: Retrying): void {
  state.addRetry({
    errors: LAMBDA_SERVICE_ERRORS,
    interval: Duration.seconds(2),
    maxAttempts: 6,
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
  state.addRetry({
    errors: [ERRORS.transient, 'States.Timeout'],
    interval: Duration.seconds(2),
    maxAttempts: 4,
    backoffRate: 2,
    maxDelay: Duration.seconds(30),
    jitterStrategy: sfn.JitterType.FULL,
  });
  // The step itself already waited for X-Rate-Limit-Reset before failing; this backoff is the floor.
  // A refusal changes nothing, and in a burst one call can be refused many times (a concurrency 429
  // comes back within a second): enough attempts to outlast a storm, as the burst bench showed.
  state.addRetry({
    errors: [ERRORS.rateLimited],
    interval: Duration.seconds(5),
    maxAttempts: 10,
    backoffRate: 2,
    maxDelay: Duration.seconds(120),
    jitterStrategy: sfn.JitterType.FULL,
  });
}

/** Undo steps retry generously: giving up means something is left behind. */
export function addUndoRetries(state: sfn.TaskStateBase): void {
  state.addRetry({
    errors: LAMBDA_SERVICE_ERRORS,
    interval: Duration.seconds(2),
    maxAttempts: 8,
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
  state.addRetry({
    errors: [ERRORS.transient, ERRORS.rateLimited, 'States.Timeout'],
    interval: Duration.seconds(5),
    maxAttempts: 8,
    backoffRate: 2,
    maxDelay: Duration.seconds(300),
    jitterStrategy: sfn.JitterType.FULL,
  });
}

/** Tasks that invoke the step functions by handler name, with our defaults. */
export function stepTasks(
  scope: Construct,
  functions: Readonly<Record<string, lambda.IFunction>>,
  finalizeHandler: string,
) {
  const fn = (name: string): lambda.IFunction => {
    const f = functions[name];
    if (!f) throw new Error(`no function for ${name}`);
    return f;
  };
  const invoke = (stateName: string, handler: string, options: Partial<tasks.LambdaInvokeProps> = {}) =>
    new tasks.LambdaInvoke(scope, stateName, {
      stateName,
      lambdaFunction: fn(handler),
      // The retry count tells a step's first attempt (which may trust earlier reads) from a retry.
      payload: sfn.TaskInput.fromObject({ state: sfn.JsonPath.entirePayload, attempt: RETRY_COUNT }),
      // The function's return value is the result: no {Payload} envelope to unwrap.
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(Duration.seconds(120)),
      ...options,
    });
  /** Every Finalize state of a workflow runs its one Finalize function with the outcome it stands for. */
  const finalize = (stateName: string, outcome: string) =>
    invoke(stateName, finalizeHandler, {
      payload: sfn.TaskInput.fromObject({ outcome, state: sfn.JsonPath.entirePayload, attempt: RETRY_COUNT }),
      resultPath: '$.final',
    });
  return { invoke, finalize };
}

/** The wildcards a state machine's role needs, acknowledged once with the reason. */
export function acknowledgeStateMachineGrants(
  scope: Construct,
  functions: Readonly<Record<string, lambda.IFunction>>,
): void {
  Validations.of(scope).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray tracing and CloudWatch Logs delivery actions, which have no resource-level permissions',
  });
  for (const f of new Set(Object.values(functions))) {
    const logicalId = Stack.of(scope).getLogicalId(f.node.defaultChild as lambda.CfnFunction);
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      reason:
        'lambda:InvokeFunction on the step function and its versions/aliases, as granted by LambdaInvoke',
    });
  }
}

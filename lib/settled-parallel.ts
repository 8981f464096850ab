/**
 * A Parallel state of our flows whose branches always settle before anything else happens.
 *
 * Step Functions fails a Parallel as soon as one branch fails and stops the others - but a Lambda
 * invocation already running in a stopped branch still finishes, and may create something after
 * the rollback that should remove it has run (the chaos run found a rollback snapshot and an
 * authorization server left this way). So no branch is allowed to fail: each branch step's error is
 * caught into the branch's result, the Parallel ends only when every branch has ended, and only then
 * does a Choice send a failure to the rollback - with the first failed branch's error as `$.failure`
 * - or the branches' results on, rebuilt into `$.resources` (parallel-results.ts).
 *
 * Per Parallel this adds a Choice and a Pass to the path (two state transitions).
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { ParallelMeta, StepMeta } from '../lambdas/steps/catalogue';
import { parallelResultSelector } from './parallel-results';

export interface SettledParallel {
  /** The Parallel state: where the flow enters, and what takes a Catch for its own runtime errors. */
  parallel: sfn.Parallel;
  /** Where the flow continues once every branch succeeded. */
  end: sfn.Pass;
}

/** Where the branches' documents are kept until they are judged (dropped from the state after). */
const SETTLED = '$.settled';

export function settledParallel(
  scope: Construct,
  node: ParallelMeta,
  /** The result keys written before this Parallel (kept from `$.resources`). */
  before: readonly string[],
  task: (step: StepMeta) => sfn.TaskStateBase,
  /** Where a branch failure goes (the rollback entry, or the failed finalizer). */
  onFailure: sfn.IChainable,
): SettledParallel {
  const parallel = new sfn.Parallel(scope, node.name, { stateName: node.name, resultPath: SETTLED });
  node.branches.forEach((branch) => {
    const first = branch[0] as StepMeta;
    // The branch ends here with only its error: `{ failure }`.
    const ended = new sfn.Pass(scope, `${first.name}BranchFailed`, {
      parameters: { 'failure.$': '$.failure' },
    });
    const tasks = branch.map(task);
    for (const t of tasks) t.addCatch(ended, { errors: ['States.ALL'], resultPath: '$.failure' });
    const [head, ...rest] = tasks;
    parallel.branch(rest.reduce<sfn.Chain>((c, s) => c.next(s), sfn.Chain.start(head as sfn.TaskStateBase)));
  });

  const settled = new sfn.Choice(scope, `${node.name}Settled?`);
  node.branches.forEach((branch, i) => {
    const first = branch[0] as StepMeta;
    const failure = new sfn.Pass(scope, `${first.name}BranchFailure`, {
      parameters: {
        'requestId.$': '$.requestId',
        'request.$': '$.request',
        'resources.$': '$.resources',
        'failure.$': `${SETTLED}[${i}].failure`,
      },
    });
    failure.next(onFailure);
    settled.when(sfn.Condition.isPresent(`${SETTLED}[${i}].failure`), failure);
  });
  const end = new sfn.Pass(scope, `${node.name}Results`, {
    parameters: {
      'requestId.$': '$.requestId',
      'request.$': '$.request',
      resources: parallelResultSelector(before, node.branches, {
        before: '$.resources',
        branch: (i) => `${SETTLED}[${i}].resources`,
      }),
    },
  });
  settled.otherwise(end);
  parallel.next(settled);
  return { parallel, end };
}

/**
 * The Amazon States Language definition of the provisioning workflow, taken from the same CDK
 * construct that is deployed - no hand-written copy. Bundling is skipped (nothing runs in Lambda
 * here) and the function ARNs the template would resolve at deploy time are replaced by fakes.
 */
import { App, Stack } from 'aws-cdk-lib';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ProvisioningStack } from '../../lib/stack';

export interface AslState {
  Type: string;
  Resource?: string;
  Branches?: AslDefinition[];
  [key: string]: unknown;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [key: string]: unknown;
}

type Resolved = string | number | boolean | null | Resolved[] | { [key: string]: Resolved };

function flatten(value: Resolved): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) || value === null || typeof value !== 'object') return String(value);
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'] as [string, Resolved[]];
    return parts.map(flatten).join(separator);
  }
  if ('Fn::GetAtt' in value) {
    const [logicalId] = value['Fn::GetAtt'] as [string, string];
    return `arn:aws:lambda:us-east-1:000000000000:function:${logicalId}`;
  }
  if ('Ref' in value) {
    return value.Ref === 'AWS::Partition'
      ? 'aws'
      : value.Ref === 'AWS::Region'
        ? 'us-east-1'
        : value.Ref === 'AWS::AccountId'
          ? '000000000000'
          : `ref-${String(value.Ref)}`;
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)} in the state machine definition`);
}

export function aslOf(stack: Stack, stateMachine: sfn.StateMachine): AslDefinition {
  const cfn = stateMachine.node.defaultChild as sfn.CfnStateMachine;
  return JSON.parse(flatten(stack.resolve(cfn.definitionString) as Resolved)) as AslDefinition;
}

let cached: { provisioning: AslDefinition; teardown: AslDefinition } | undefined;

/** Both state machines' ASL, built once per process. */
function definitions(): { provisioning: AslDefinition; teardown: AslDefinition } {
  if (cached) return cached;
  // Bundling only matters for deployment; skip it so this works in tests and `npm start` alike.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ProvisioningStack(app, 'Local', {
    config: {
      environmentName: 'local',
      oktaOrgUrl: 'http://127.0.0.1',
      kongAdminUrl: 'http://127.0.0.1',
      oktaTokenSecretName: 'local/okta',
      kongTokenSecretName: 'local/kong',
    },
  });
  cached = {
    provisioning: aslOf(stack, stack.workflow.stateMachine),
    teardown: aslOf(stack, stack.teardown.stateMachine),
  };
  return cached;
}

export const provisioningAsl = (): AslDefinition => definitions().provisioning;
export const teardownAsl = (): AslDefinition => definitions().teardown;

/** Every Task state, at any depth (Parallel branches included). */
export function taskStateNames(definition: AslDefinition): string[] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [name] : []),
    ...(state.Branches ?? []).flatMap(taskStateNames),
  ]);
}

/** Every state that has a Retry field, at any depth. */
export function retryingStateNames(definition: AslDefinition): string[] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    ...(Array.isArray(state.Retry) ? [name] : []),
    ...(state.Branches ?? []).flatMap(retryingStateNames),
  ]);
}

/** Names derived from the request, shared by the steps so a retry always looks for the same thing. */
import { resourceName, secretName, type Scope } from '../core/naming';
import type { WorkflowState } from './state';

export function scopeOf(state: WorkflowState): Scope {
  return { environment: state.request.environment, workspace: state.request.workspace };
}

export const nameOf = (state: WorkflowState): string => resourceName(scopeOf(state));

export const clientSecretName = (state: WorkflowState): string => secretName(scopeOf(state), 'client-secret');

/** Settings as they were before this request (its rollback point). */
export const rollbackSnapshotName = (state: WorkflowState): string =>
  `${secretName(scopeOf(state), 'kong-snapshot')}/${state.requestId}`;

/** Settings as they were before the provisioner first touched the workspace (teardown's target). */
export const baselineSnapshotName = (state: WorkflowState): string =>
  secretName(scopeOf(state), 'kong-snapshot');

/** Step Functions payloads must not carry `undefined`; a missing resource is simply absent. */
export function requireResource<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`workflow state has no ${what}: an earlier step did not run`);
  return value;
}

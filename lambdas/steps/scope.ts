/** Names derived from the request, shared by the steps so a retry always looks for the same thing. */
import { resourceName, secretName, type Scope } from '../core/naming';

/** What every run's state carries, provisioning and teardown alike. */
export interface RunScope {
  requestId: string;
  request: Scope;
}

export const scopeOf = (state: RunScope): Scope => ({
  environment: state.request.environment,
  workspace: state.request.workspace,
});

export const nameOf = (state: RunScope): string => resourceName(scopeOf(state));

export const clientSecretName = (state: RunScope): string => secretName(scopeOf(state), 'client-secret');

/** Settings as they were before this request (its rollback point). */
export const rollbackSnapshotName = (state: RunScope): string =>
  `${secretName(scopeOf(state), 'kong-snapshot')}/${state.requestId}`;

/** Settings as they were before the provisioner first touched the workspace (teardown's target). */
export const baselineSnapshotName = (state: RunScope): string => secretName(scopeOf(state), 'kong-snapshot');

/** Step Functions payloads must not carry `undefined`; a missing resource is simply absent. */
export function requireResource<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`workflow state has no ${what}: an earlier step did not run`);
  return value;
}

/** Names derived from the request, shared by the steps so a retry always looks for the same thing. */
import { ANY_REQUEST, resourceName, secretName, type Owner, type Scope } from '../core/naming';

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

/** The description of the authorization server and of its access policy. */
export const describeServer = (state: RunScope) =>
  `Kong Dev Portal sign-in for workspace '${state.request.workspace}' (${state.request.environment})`;

/** This run, as the owner it records on what it makes. */
export const ownerOf = (state: RunScope): Owner => ({ scope: scopeOf(state), requestId: state.requestId });

/** Any provisioner run of this workspace (teardown removes what any of them made). */
export const anyRunOf = (state: RunScope): Owner => ({ scope: scopeOf(state), requestId: ANY_REQUEST });

export const clientSecretName = (state: RunScope): string => secretName(scopeOf(state), 'client-secret');

/**
 * Settings as they were before the current run (its rollback point). One per workspace: only one
 * run holds a workspace at a time, so a run takes over what a dead run left here.
 */
export const rollbackSnapshotName = (state: RunScope): string => secretName(scopeOf(state), 'kong-rollback');

/**
 * Settings as they were before the provisioner first touched the workspace (teardown's target),
 * written by the first run that reads the workspace, before it changes anything.
 */
export const baselineSnapshotName = (state: RunScope): string => secretName(scopeOf(state), 'kong-baseline');

/** Step Functions payloads must not carry `undefined`; a missing resource is simply absent. */
export function requireResource<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`workflow state has no ${what}: an earlier step did not run`);
  return value;
}

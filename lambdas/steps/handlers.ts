/**
 * Handler name -> code. Local mode and the tests dispatch through this map, each Lambda function
 * through a one-step table of the same kind (functions/), both via dispatch.ts, so a state runs the
 * same code wherever the state machine runs; `satisfies` makes the compiler prove that every
 * handler the catalogue names exists, and no other.
 */
import type { HandlerName } from './catalogue';
import type { StepContext } from './context';
import { assignGroups, unassignGroups } from './assign-groups';
import { configurePortal, revertPortal } from './configure-portal';
import { createAccessPolicy } from './create-access-policy';
import { createAuthServer, deleteAuthServer } from './create-auth-server';
import { createClaim } from './create-claim';
import { createOktaApp, deleteClientSecret, deleteOktaApp } from './create-okta-app';
import { createPolicyRule } from './create-policy-rule';
import { dispatch, on, onOutcome, type Handler } from './dispatch';
import { finalizeProvisioning, type FinalizeProvisioningInput } from './finalize-provisioning';
import { finalizeTeardown, type FinalizeTeardownInput } from './finalize-teardown';
import { locateOktaResources } from './locate-okta-resources';
import { removeAuthServer } from './remove-auth-server';
import { removeOktaApp } from './remove-okta-app';
import { removeSecrets } from './remove-secrets';
import { resolveOktaInputs } from './resolve-okta-inputs';
import { deletePortalSnapshot, resolvePortal } from './resolve-portal';
import { restorePortal } from './restore-portal';
import type { WorkflowState } from './state';
import type { TeardownState } from './teardown-state';
import { validatePlan } from './validate-plan';
import { validateTeardown } from './validate-teardown';
import { verifyPortal } from './verify-portal';

export const handlers = {
  ValidatePlan: on<{ requestId?: unknown; request?: unknown }>(validatePlan),
  ResolvePortal: on<WorkflowState>(resolvePortal),
  ResolveOktaInputs: on<WorkflowState>(resolveOktaInputs),
  CreateOktaApp: on<WorkflowState>(createOktaApp),
  AssignGroups: on<WorkflowState>(assignGroups),
  CreateAuthServer: on<WorkflowState>(createAuthServer),
  CreateClaim: on<WorkflowState>(createClaim),
  CreateAccessPolicy: on<WorkflowState>(createAccessPolicy),
  CreatePolicyRule: on<WorkflowState>(createPolicyRule),
  ConfigurePortal: on<WorkflowState>(configurePortal),
  VerifyPortal: on<WorkflowState>(verifyPortal),
  RevertPortal: on<WorkflowState>(revertPortal),
  DeleteAuthServer: on<WorkflowState>(deleteAuthServer),
  UnassignGroups: on<WorkflowState>(unassignGroups),
  DeleteOktaApp: on<WorkflowState>(deleteOktaApp),
  DeleteClientSecret: on<WorkflowState>(deleteClientSecret),
  DeletePortalSnapshot: on<WorkflowState>(deletePortalSnapshot),
  FinalizeProvisioning: onOutcome<FinalizeProvisioningInput>(finalizeProvisioning),
  ValidateTeardown: on<{ requestId?: unknown; request?: unknown }>(validateTeardown),
  RestorePortal: on<TeardownState>(restorePortal),
  LocateOktaResources: on<TeardownState>(locateOktaResources),
  RemoveAuthServer: on<TeardownState>(removeAuthServer),
  RemoveOktaApp: on<TeardownState>(removeOktaApp),
  RemoveSecrets: on<TeardownState>(removeSecrets),
  FinalizeTeardown: onOutcome<FinalizeTeardownInput>(finalizeTeardown),
} satisfies Record<HandlerName, Handler>;

export async function runStep(name: string, input: unknown, ctx: StepContext): Promise<unknown> {
  return dispatch(handlers, name, input, ctx);
}

/**
 * State name -> handler. The Lambda entry and local mode both dispatch through this map, so a
 * state runs the same code wherever the state machine runs.
 */
import { type StepContext, waitOutRateLimit } from './context';
import { assignGroups, unassignGroups } from './group-assignments';
import {
  createAccessPolicy,
  createAuthServer,
  createClaim,
  createPolicyRule,
  deleteAuthServer,
} from './auth-server';
import { finalize, type FinalizeInput } from './finalize';
import { createOktaApp, deleteClientSecret, deleteOktaApp } from './okta-app';
import { resolveOktaInputs } from './okta-inputs';
import { deletePortalSnapshot, resolvePortal } from './portal';
import { configurePortal, revertPortal, verifyPortal } from './portal-auth';
import type { WorkflowState } from './state';
import {
  removeAuthServer,
  removeOktaApp,
  removeSecrets,
  restorePortal,
  validateTeardown,
  type TeardownState,
} from './teardown';
import { validatePlan } from './validate-plan';

type Handler = (input: unknown, ctx: StepContext) => Promise<unknown>;

const onState =
  (fn: (state: WorkflowState, ctx: StepContext) => Promise<unknown>): Handler =>
  (input, ctx) =>
    fn(input as WorkflowState, ctx);

export const handlers: Readonly<Record<string, Handler>> = {
  ValidatePlan: (input) => validatePlan(input as { requestId?: unknown; request?: unknown }),
  ResolvePortal: onState(resolvePortal),
  ResolveOktaInputs: onState(resolveOktaInputs),
  CreateOktaApp: onState(createOktaApp),
  AssignGroups: onState(assignGroups),
  CreateAuthServer: onState(createAuthServer),
  CreateClaim: onState(createClaim),
  CreateAccessPolicy: onState(createAccessPolicy),
  CreatePolicyRule: onState(createPolicyRule),
  ConfigurePortal: onState(configurePortal),
  VerifyPortal: onState(verifyPortal),
  RevertPortal: onState(revertPortal),
  DeleteAuthServer: onState(deleteAuthServer),
  UnassignGroups: onState(unassignGroups),
  DeleteOktaApp: onState(deleteOktaApp),
  DeleteClientSecret: onState(deleteClientSecret),
  DeletePortalSnapshot: onState(deletePortalSnapshot),
  ValidateTeardown: (input) => validateTeardown(input as { requestId?: unknown; request?: unknown }),
  RestorePortal: (input, ctx) => restorePortal(input as TeardownState, ctx),
  RemoveAuthServer: (input, ctx) => removeAuthServer(input as TeardownState, ctx),
  RemoveOktaApp: (input, ctx) => removeOktaApp(input as TeardownState, ctx),
  RemoveSecrets: (input, ctx) => removeSecrets(input as TeardownState, ctx),
  Finalize: (input, ctx) => finalize(input as FinalizeInput, ctx),
};

export async function runStep(name: string, input: unknown, ctx: StepContext): Promise<unknown> {
  const handler = handlers[name];
  if (!handler) throw new Error(`no handler for state ${name}`);
  try {
    return await handler(input, ctx);
  } catch (err) {
    return waitOutRateLimit(err, ctx);
  }
}

/**
 * Handler name -> code. The Lambda entry and local mode both dispatch through this map, so a
 * state runs the same code wherever the state machine runs; `satisfies` makes the compiler prove
 * that every handler the catalogue names exists, and no other.
 */
import { z } from 'zod';
import { PermanentError } from '../core/errors';
import type { HandlerName } from './catalogue';
import { waitOutRateLimit, type StepContext } from './context';
import { assignGroups, unassignGroups } from './assign-groups';
import { configurePortal, revertPortal } from './configure-portal';
import { createAccessPolicy } from './create-access-policy';
import { createAuthServer, deleteAuthServer } from './create-auth-server';
import { createClaim } from './create-claim';
import { createOktaApp, deleteClientSecret, deleteOktaApp } from './create-okta-app';
import { createPolicyRule } from './create-policy-rule';
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

/**
 * What every Task state sends its function (lib/step-tasks.ts): the document earlier states wrote,
 * the state's retry count, and - for the Finalize states - the outcome it stands for.
 */
const taskInput = z.looseObject({
  state: z.unknown(),
  attempt: z.number().int().nonnegative().default(0),
  outcome: z.string().optional(),
});
type TaskInput = z.output<typeof taskInput>;

type Handler = (task: TaskInput, ctx: StepContext) => Promise<unknown>;

/**
 * Step Functions hands each Task the document earlier states wrote (JSON in, JSON out); the
 * ValidatePlan / ValidateTeardown states check it once, later states read it as that shape.
 */
const on =
  <S>(fn: (state: S, ctx: StepContext) => Promise<unknown>): Handler =>
  (task, ctx) =>
    fn(task.state as S, ctx);

/** The Finalize handlers take the outcome with the state. */
const onOutcome =
  <S>(fn: (input: S, ctx: StepContext) => Promise<unknown>): Handler =>
  (task, ctx) =>
    fn({ outcome: task.outcome, state: task.state } as S, ctx);

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

function isHandlerName(name: string): name is HandlerName {
  return Object.hasOwn(handlers, name);
}

export async function runStep(name: string, input: unknown, ctx: StepContext): Promise<unknown> {
  if (!isHandlerName(name)) throw new Error(`no handler for state ${name}`);
  const task = taskInput.safeParse(input);
  if (!task.success) throw new PermanentError(`state ${name} was invoked without its task input`);
  try {
    return await handlers[name](task.data, { ...ctx, attempt: task.data.attempt });
  } catch (err) {
    return waitOutRateLimit(err, ctx);
  }
}

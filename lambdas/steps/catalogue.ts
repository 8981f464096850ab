/**
 * The provisioning flow as one declarative list: every forward step, where its result goes, and
 * the undo steps that reverse it. The CDK workflow, the local runner and the README diagram are
 * all derived from this list, so the compensation order cannot drift from the creation order.
 * Pure metadata: no runtime imports, so `lib/` can read it. The names are literal types, so the
 * compiler proves every state has a handler (see handlers.ts).
 */
import type { LeftoverKind } from '../core/leftovers';
import type { SecretKind } from '../core/naming';

/** What a step does with one kind of the secrets the provisioner keeps per workspace. */
export type SecretUse = 'read' | 'write' | 'delete';

/**
 * Everything a step's function may touch (drives its IAM role): the Okta / Kong API token, and
 * per kind of managed secret exactly the use it makes of it - a step that only deletes a secret
 * can never read its value.
 */
export type SecretAccess = 'okta-token' | 'kong-token' | 'konnect-token' | `${SecretUse}:${SecretKind}`;

/** What a forward step may leave behind if its run dies after it started (no undo ran). */
export type Leftover = LeftoverKind;

export interface StepMeta {
  /** State name, also the key local mode uses to find the handler. */
  readonly name: string;
  /** `$.resources.<resultKey>` receives the step's result. */
  readonly resultKey?: string;
  /** Undo states that reverse this step, in the order they run. */
  readonly undo?: readonly string[];
  readonly access: readonly SecretAccess[];
  /** Dry runs stop after this step. */
  readonly lastPlanningStep?: true;
  /** What it may have made by the time it started, and the undo state that removes each (for a run that died). */
  readonly leaves?: Readonly<Partial<Record<Leftover, string>>>;
  readonly description: string;
}

/**
 * Steps that do not depend on each other, run at the same time (a Parallel state). Each branch step
 * writes its own result key as if it ran alone; the Parallel hands on everything written before it
 * plus what every branch wrote.
 */
export interface ParallelMeta {
  readonly name: string;
  readonly branches: ReadonlyArray<readonly StepMeta[]>;
  /** Dry runs stop after this node. */
  readonly lastPlanningStep?: true;
  readonly description: string;
}

export type FlowNode = StepMeta | ParallelMeta;

export interface UndoMeta {
  readonly name: string;
  readonly access: readonly SecretAccess[];
  readonly description: string;
}

export function isParallel(node: FlowNode): node is ParallelMeta {
  return 'branches' in node;
}

const PROVISIONING = [
  { name: 'ValidatePlan', access: [], description: 'validate the request and fix the names to use' },
  {
    name: 'ResolveInputs',
    lastPlanningStep: true,
    description: 'read Kong and look up Okta at the same time: neither needs the other',
    branches: [
      [
        {
          name: 'ResolvePortal',
          resultKey: 'portal',
          undo: ['DeletePortalSnapshot'],
          access: ['kong-token', 'konnect-token', 'write:kong-rollback', 'write:kong-baseline'],
          leaves: { 'kong-rollback': 'DeletePortalSnapshot' },
          description:
            'read /<ws>/kong and the workspace; derive the redirect URI and portal URL; snapshot config.portal*',
        },
      ],
      [
        {
          name: 'ResolveOktaInputs',
          resultKey: 'oktaInputs',
          access: ['okta-token'],
          description: 'resolve the Okta groups, check the e-mail attribute, look up existing resources',
        },
      ],
    ],
  },
  {
    name: 'CreateOktaResources',
    description: 'the app and the authorization server at the same time: the server does not need the app',
    branches: [
      [
        {
          name: 'CreateOktaApp',
          resultKey: 'oktaApp',
          undo: ['DeleteOktaApp', 'DeleteClientSecret'],
          access: ['okta-token', 'write:client-secret'],
          leaves: { 'okta-app': 'DeleteOktaApp', 'client-secret': 'DeleteClientSecret' },
          description: 'ensure the Web OIDC app; store its client secret in Secrets Manager',
        },
      ],
      [
        {
          name: 'CreateAuthServer',
          resultKey: 'authServer',
          undo: ['DeleteAuthServer'],
          access: ['okta-token'],
          leaves: { 'okta-authorization-server': 'DeleteAuthServer' },
          description: 'ensure the custom authorization server (audience, owned description)',
        },
      ],
    ],
  },
  {
    name: 'ConfigureOktaResources',
    description: 'group assignments, the claim and the access policy at the same time',
    branches: [
      [
        {
          name: 'AssignGroups',
          resultKey: 'groupAssignments',
          undo: ['UnassignGroups'],
          access: ['okta-token'],
          leaves: { 'okta-group-assignments': 'UnassignGroups' },
          description: 'assign the requested groups to the app',
        },
      ],
      [
        {
          name: 'CreateClaim',
          resultKey: 'authorization.claim',
          access: ['okta-token'],
          description: 'ID-token claim user.<attribute>, always',
        },
      ],
      // Claims, policies and rules live inside the authorization server: its undo removes them.
      [
        {
          name: 'CreateAccessPolicy',
          resultKey: 'authorization.accessPolicy',
          access: ['okta-token'],
          description: 'access policy for the app',
        },
        {
          name: 'CreatePolicyRule',
          resultKey: 'authorization.policyRule',
          access: ['okta-token'],
          description: 'authorization-code rule, any user, any scope',
        },
      ],
    ],
  },
  {
    // After Okta is complete, so the portal never points at a half-configured server.
    name: 'ConfigurePortal',
    resultKey: 'portalAuth',
    undo: ['RevertPortal'],
    access: ['kong-token', 'konnect-token', 'read:client-secret'],
    leaves: { 'kong-portal-settings': 'RevertPortal' },
    description:
      'PATCH the workspace: portal on, openid-connect, portal_auth_conf, auto approve; check what Kong answers',
  },
  {
    name: 'VerifyPortal',
    resultKey: 'verification',
    access: ['okta-token'],
    description:
      "fetch the discovery document and ask Okta's authorize endpoint, at the same time, whether it would start sign-in",
  },
] as const satisfies readonly FlowNode[];

const UNDO = [
  {
    name: 'RevertPortal',
    access: ['kong-token', 'konnect-token', 'read:kong-rollback'],
    description: 'restore the workspace config.portal* snapshot',
  },
  {
    name: 'DeleteAuthServer',
    access: ['okta-token'],
    description: 'remove the owned authorization server (claims, policies, rules with it)',
  },
  {
    name: 'UnassignGroups',
    access: ['okta-token'],
    description: 'remove group assignments this request added',
  },
  { name: 'DeleteOktaApp', access: ['okta-token'], description: 'deactivate and delete the owned app' },
  {
    name: 'DeleteClientSecret',
    access: ['delete:client-secret'],
    description: 'delete the client secret this request stored',
  },
  {
    name: 'DeletePortalSnapshot',
    access: ['delete:kong-rollback', 'delete:kong-baseline'],
    description: 'delete the Kong snapshot this request stored',
  },
] as const satisfies readonly UndoMeta[];

/**
 * Teardown: the undo halves in dependency order for a workspace provisioned earlier, found by
 * name. Each step is idempotent; a failed teardown is simply run again.
 */
const TEARDOWN = [
  { name: 'ValidateTeardown', access: [], description: 'validate the teardown request' },
  {
    name: 'RestoreAndLocate',
    description: 'put Kong back while finding, at the same time, what the provisioner made in Okta',
    branches: [
      [
        {
          name: 'RestorePortal',
          resultKey: 'removed.RestorePortal',
          access: ['okta-token', 'kong-token', 'konnect-token', 'read:kong-baseline'],
          description: 'put the Kong portal settings back to the saved baseline',
        },
      ],
      [
        {
          name: 'LocateOktaResources',
          resultKey: 'located',
          access: ['okta-token'],
          description: 'find the app and authorization server by name and say which are ours to remove',
        },
      ],
    ],
  },
  {
    // Only once Kong no longer signs in through them.
    name: 'RemoveOktaResources',
    description: 'remove the app and the authorization server at the same time',
    branches: [
      [
        {
          name: 'RemoveAuthServer',
          resultKey: 'removed.RemoveAuthServer',
          access: ['okta-token'],
          description: 'deactivate and delete the provisioner-made authorization server',
        },
      ],
      [
        {
          name: 'RemoveOktaApp',
          resultKey: 'removed.RemoveOktaApp',
          access: ['okta-token'],
          description: 'deactivate and delete the provisioner-made app',
        },
      ],
    ],
  },
  {
    name: 'RemoveSecrets',
    resultKey: 'removed.RemoveSecrets',
    access: ['delete:client-secret', 'delete:kong-baseline', 'delete:kong-rollback'],
    description: 'delete the client secret and the Kong baseline',
  },
] as const satisfies readonly FlowNode[];

/** The same lists, as the structural types the builders (CDK, diagram, local runner) walk. */
export const provisioningFlow: readonly FlowNode[] = PROVISIONING;
export const undoSteps: readonly UndoMeta[] = UNDO;
export const teardownFlow: readonly FlowNode[] = TEARDOWN;

/** The Finalize states of the state machines, each run by its workflow's Finalize handler with an outcome. */
export const FINALIZE_STATES = {
  planned: 'FinalizePlan',
  succeeded: 'FinalizeSucceeded',
  failed: 'FinalizeFailed',
  tornDown: 'FinalizeTeardown',
  teardownFailed: 'FinalizeTeardownFailed',
} as const;

export const FINALIZE_HANDLERS = {
  provisioning: { name: 'FinalizeProvisioning', access: ['delete:kong-rollback'] },
  teardown: { name: 'FinalizeTeardown', access: [] },
} as const satisfies Record<string, { name: string; access: readonly SecretAccess[] }>;

// ---- names as types ----------------------------------------------------------------------------

type Flow = (typeof PROVISIONING)[number];
type BranchStep<N> = N extends { branches: ReadonlyArray<ReadonlyArray<infer S>> } ? S : N;
export type ForwardStateName = BranchStep<Flow>['name'];
export type UndoStateName = (typeof UNDO)[number]['name'];
export type TeardownStateName = BranchStep<(typeof TEARDOWN)[number]>['name'];
export type FinalizeHandlerName = (typeof FINALIZE_HANDLERS)[keyof typeof FINALIZE_HANDLERS]['name'];
/** Every handler a function exists for: one Lambda each. */
export type HandlerName = ForwardStateName | UndoStateName | TeardownStateName | FinalizeHandlerName;

/** Every forward step in execution order (parallel branches flattened). */
export function forwardSteps(flow: readonly FlowNode[] = provisioningFlow): StepMeta[] {
  return flow.flatMap((node) => (isParallel(node) ? node.branches.flat() : [node]));
}

/**
 * What undoes a node: a step's own undos; for steps run at the same time, the undos of every
 * branch step (each branch last step first). A failed Parallel keeps none of its branches' results,
 * so those undos find their resources by name.
 */
export function undoOf(node: FlowNode): readonly string[] {
  if (!isParallel(node)) return node.undo ?? [];
  return node.branches.flatMap((branch) => [...branch].reverse().flatMap((step) => step.undo ?? []));
}

/**
 * The compensation chain: the undos of every step, last step first. A failing step enters the
 * chain at its own undo (it may have created something before failing), or at the undo of the
 * nearest earlier step that has one.
 */
export function compensationChain(flow: readonly FlowNode[] = provisioningFlow): string[] {
  return [...flow].reverse().flatMap((node) => undoOf(node));
}

export function compensationEntry(flow: readonly FlowNode[], nodeName: string): string | undefined {
  const index = flow.findIndex((n) => n.name === nodeName);
  for (let i = index; i >= 0; i--) {
    const node = flow[i];
    const first = node ? undoOf(node)[0] : undefined;
    if (first) return first;
  }
  return undefined;
}

const FINALIZE_STATE_HANDLER: Readonly<Record<string, FinalizeHandlerName>> = {
  [FINALIZE_STATES.planned]: FINALIZE_HANDLERS.provisioning.name,
  [FINALIZE_STATES.succeeded]: FINALIZE_HANDLERS.provisioning.name,
  [FINALIZE_STATES.failed]: FINALIZE_HANDLERS.provisioning.name,
  [FINALIZE_STATES.tornDown]: FINALIZE_HANDLERS.teardown.name,
  [FINALIZE_STATES.teardownFailed]: FINALIZE_HANDLERS.teardown.name,
};

/** Which handler a Task state runs (state names are unique; a Finalize handler serves several states). */
export function handlerNameForState(stateName: string): string {
  return FINALIZE_STATE_HANDLER[stateName] ?? stateName;
}

/** Every handler the state machines need a function for, with the secrets it may read. */
export function allHandlers(): Array<{ name: HandlerName; access: readonly SecretAccess[] }> {
  const forward: ReadonlyArray<BranchStep<Flow>> = PROVISIONING.flatMap(
    (node): ReadonlyArray<BranchStep<Flow>> => ('branches' in node ? node.branches.flat() : [node]),
  );
  type TeardownStep = BranchStep<(typeof TEARDOWN)[number]>;
  const teardown: readonly TeardownStep[] = TEARDOWN.flatMap((node): readonly TeardownStep[] =>
    'branches' in node ? node.branches.flat() : [node],
  );
  return [...forward, ...UNDO, ...teardown, ...Object.values(FINALIZE_HANDLERS)];
}

export function allHandlerNames(): HandlerName[] {
  return allHandlers().map((h) => h.name);
}

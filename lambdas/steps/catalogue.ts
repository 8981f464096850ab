/**
 * The provisioning flow as one declarative list: every forward step, where its result goes, and
 * the undo steps that reverse it. The CDK workflow, the local runner and the README diagram are
 * all derived from this list, so the compensation order cannot drift from the creation order.
 * Pure metadata: no runtime imports, so `lib/` can read it.
 */

/** Which secrets a step's function may read (drives least-privilege IAM). */
export type SecretAccess = 'okta-token' | 'kong-token' | 'managed-secrets';

export interface StepMeta {
  /** State name, also the key local mode uses to find the handler. */
  name: string;
  /** `$.resources.<resultKey>` receives the step's result. */
  resultKey?: string;
  /** Undo states that reverse this step, in the order they run. */
  undo?: readonly string[];
  access: readonly SecretAccess[];
  /** Dry runs stop after this step. */
  lastPlanningStep?: true;
  description: string;
}

export interface ParallelMeta {
  name: string;
  resultKey: string;
  branches: ReadonlyArray<readonly StepMeta[]>;
  /** Undo states entered when a branch fails (the branch results are lost with the failure). */
  undo?: readonly string[];
}

export type FlowNode = StepMeta | ParallelMeta;

export function isParallel(node: FlowNode): node is ParallelMeta {
  return 'branches' in node;
}

export interface UndoMeta {
  name: string;
  access: readonly SecretAccess[];
  description: string;
}

const step = (meta: StepMeta): StepMeta => meta;

export const provisioningFlow: readonly FlowNode[] = [
  step({ name: 'ValidatePlan', access: [], description: 'validate the request and fix the names to use' }),
  step({
    name: 'ResolvePortal',
    resultKey: 'portal',
    undo: ['DeletePortalSnapshot'],
    access: ['kong-token', 'managed-secrets'],
    description:
      'read /<ws>/kong and the workspace; derive the redirect URI and portal URL; snapshot config.portal*',
  }),
  step({
    name: 'ResolveOktaInputs',
    resultKey: 'oktaInputs',
    access: ['okta-token'],
    lastPlanningStep: true,
    description: 'resolve the Okta groups, check the e-mail attribute, look up existing resources',
  }),
  step({
    name: 'CreateOktaApp',
    resultKey: 'oktaApp',
    undo: ['DeleteOktaApp', 'DeleteClientSecret'],
    access: ['okta-token', 'managed-secrets'],
    description: 'ensure the Web OIDC app; store its client secret in Secrets Manager',
  }),
  step({
    name: 'AssignGroups',
    resultKey: 'groupAssignments',
    undo: ['UnassignGroups'],
    access: ['okta-token'],
    description: 'assign the requested groups to the app',
  }),
  step({
    name: 'CreateAuthServer',
    resultKey: 'authServer',
    undo: ['DeleteAuthServer'],
    access: ['okta-token'],
    description: 'ensure the custom authorization server (audience, owned description)',
  }),
  {
    name: 'ConfigureAuthorization',
    resultKey: 'authorization',
    branches: [
      [
        step({
          name: 'CreateClaim',
          resultKey: 'claim',
          access: ['okta-token'],
          description: 'ID-token claim user.<attribute>, always',
        }),
      ],
      [
        step({
          name: 'CreateAccessPolicy',
          resultKey: 'accessPolicy',
          access: ['okta-token'],
          description: 'access policy for the app',
        }),
        step({
          name: 'CreatePolicyRule',
          resultKey: 'policyRule',
          access: ['okta-token'],
          description: 'authorization-code rule, any user, any scope',
        }),
      ],
    ],
    // Claims, policies and rules live inside the authorization server; its undo removes them.
    undo: [],
  },
  step({
    name: 'ConfigurePortal',
    resultKey: 'portalAuth',
    undo: ['RevertPortal'],
    access: ['kong-token', 'managed-secrets'],
    description: 'PATCH the workspace: portal on, openid-connect, portal_auth_conf, auto approve',
  }),
  step({
    name: 'VerifyPortal',
    resultKey: 'verification',
    access: ['kong-token'],
    description: 'read back the workspace and fetch the issuer discovery document',
  }),
];

export const undoSteps: readonly UndoMeta[] = [
  {
    name: 'RevertPortal',
    access: ['kong-token', 'managed-secrets'],
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
    access: ['managed-secrets'],
    description: 'delete the client secret this request stored',
  },
  {
    name: 'DeletePortalSnapshot',
    access: ['managed-secrets'],
    description: 'delete the Kong snapshot this request stored',
  },
];

export const FINALIZE = 'Finalize';

/** Every forward step in execution order (parallel branches flattened). */
export function forwardSteps(flow: readonly FlowNode[] = provisioningFlow): StepMeta[] {
  return flow.flatMap((node) => (isParallel(node) ? node.branches.flat() : [node]));
}

/**
 * The compensation chain: the undos of every step, last step first. A failing step enters the
 * chain at its own undo (it may have created something before failing), or at the undo of the
 * nearest earlier step that has one.
 */
export function compensationChain(flow: readonly FlowNode[] = provisioningFlow): string[] {
  return [...flow].reverse().flatMap((node) => node.undo ?? []);
}

export function compensationEntry(flow: readonly FlowNode[], nodeName: string): string | undefined {
  const index = flow.findIndex((n) => n.name === nodeName);
  for (let i = index; i >= 0; i--) {
    const first = flow[i]?.undo?.[0];
    if (first) return first;
  }
  return undefined;
}

export function undoMeta(name: string): UndoMeta {
  const meta = undoSteps.find((u) => u.name === name);
  if (!meta) throw new Error(`unknown undo step ${name}`);
  return meta;
}

/** The Finalize states of the state machine all run the one Finalize handler, with an outcome. */
export const FINALIZE_STATES = {
  planned: 'FinalizePlan',
  succeeded: 'FinalizeSucceeded',
  failed: 'FinalizeFailed',
  tornDown: 'FinalizeTeardown',
  teardownFailed: 'FinalizeTeardownFailed',
} as const;

/**
 * Teardown: the undo halves in dependency order for a workspace provisioned earlier, found by
 * name. Each step is idempotent; a failed teardown is simply run again.
 */
export const teardownFlow: readonly StepMeta[] = [
  step({ name: 'ValidateTeardown', access: [], description: 'validate the teardown request' }),
  step({
    name: 'RestorePortal',
    resultKey: 'removed.RestorePortal',
    access: ['okta-token', 'kong-token', 'managed-secrets'],
    description: 'put the Kong portal settings back to the saved baseline',
  }),
  step({
    name: 'RemoveAuthServer',
    resultKey: 'removed.RemoveAuthServer',
    access: ['okta-token'],
    description: 'deactivate and delete the provisioner-made authorization server',
  }),
  step({
    name: 'RemoveOktaApp',
    resultKey: 'removed.RemoveOktaApp',
    access: ['okta-token'],
    description: 'deactivate and delete the provisioner-made app',
  }),
  step({
    name: 'RemoveSecrets',
    resultKey: 'removed.RemoveSecrets',
    access: ['managed-secrets'],
    description: 'delete the client secret and the Kong baseline',
  }),
];

/** Which handler a Task state runs (state names are unique; handlers can serve several states). */
export function handlerNameForState(stateName: string): string {
  return (Object.values(FINALIZE_STATES) as string[]).includes(stateName) ? FINALIZE : stateName;
}

/** Every handler the state machines need a function for. */
export function allHandlerNames(): string[] {
  return [
    ...forwardSteps().map((s) => s.name),
    ...undoSteps.map((u) => u.name),
    ...teardownFlow.map((s) => s.name),
    FINALIZE,
  ];
}

/** Task states whose progress a user sees (every state that runs a handler). */
export function isTaskState(name: string): boolean {
  return allHandlerNames().includes(name) || (Object.values(FINALIZE_STATES) as string[]).includes(name);
}

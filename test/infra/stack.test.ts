/**
 * The synthesized ProvisioningStack, read the way an operator would: the workflow's error
 * handling and rollback order, the function defaults, least-privilege IAM, and the alarms.
 * The stack is built once, without bundling (no Lambda code runs here).
 */
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  ConflictError,
  PermanentError,
  RateLimitedError,
  TransientError,
  ValidationError,
} from '../../lambdas/core/errors';
import { DEFAULT_METRICS_NAMESPACE, METRIC_NAMES, METRICS_SERVICE } from '../../lambdas/core/metric-names';
import { PRODUCT, SECRET_KINDS } from '../../lambdas/core/naming';
import * as catalogue from '../../lambdas/steps/catalogue';
import {
  FINALIZE_HANDLERS,
  FINALIZE_STATES,
  allHandlerNames,
  compensationChain,
  forwardSteps,
  handlerNameForState,
  isParallel,
  provisioningFlow,
  undoOf,
  undoSteps,
  type FlowNode,
  type SecretAccess,
  type SecretUse,
} from '../../lambdas/steps/catalogue';
import { ProvisioningStack, type ProvisioningConfig } from '../../lib/stack';
import { aslOf, taskStateNames, type AslDefinition, type AslState } from '../../local/workflow/asl';

// ---- the stack under test ------------------------------------------------------------------------

const CONFIG: ProvisioningConfig = {
  environmentName: 'test',
  oktaOrgUrl: 'https://example.okta.com',
  kongAdminUrl: 'https://kong-admin.example.com:8444',
  oktaTokenSecretName: 'ops/okta-api-token',
  kongTokenSecretName: 'ops/kong-admin-token',
  konnect: { apiUrl: 'https://eu.api.konghq.com', tokenSecretName: 'ops/konnect-token' },
};

/** Token values a deployer may have in their shell (local mode): they must never reach the template. */
const TOKEN_SENTINELS = {
  OKTA_API_TOKEN: 'sentinel-okta-ssws-token-value-0123456789',
  KONG_ADMIN_TOKEN: 'sentinel-kong-rbac-token-value-0123456789',
};

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
interface CfnResource {
  Type: string;
  Properties?: { [key: string]: Json };
}

// aws-cdk-lib's built-in CloudFormation schema validation is left to `cdk synth` (it doubles synth time).
function build(config: ProvisioningConfig) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new ProvisioningStack(app, 'Test', { config });
  const template = Template.fromStack(stack);
  return { stack, template, resources: template.toJSON().Resources as Record<string, CfnResource> };
}

const savedEnv = Object.fromEntries(Object.keys(TOKEN_SENTINELS).map((k) => [k, process.env[k]]));
Object.assign(process.env, TOKEN_SENTINELS);
const { stack, template, resources } = build(CONFIG);
for (const [key, value] of Object.entries(savedEnv)) {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}
const asl = aslOf(stack, stack.workflow.stateMachine);
const stateMachineId = stack.getLogicalId(stack.workflow.stateMachine.node.defaultChild as CfnElement);

// ---- template helpers --------------------------------------------------------------------------

const PARTITION = 'aws';
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';

function resourcesOf(from: Record<string, CfnResource>, type: string): [string, CfnResource][] {
  return Object.entries(from).filter(([, r]) => r.Type === type);
}

function asObject(value: Json | undefined): { [key: string]: Json } {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function asArray(value: Json | undefined): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A template value as the string it would deploy to (pseudo parameters filled in, other refs named). */
function flat(value: Json | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.map(flat).join(',');
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'] as [string, Json[]];
    return parts.map(flat).join(separator);
  }
  if ('Ref' in value) {
    const ref = String(value.Ref);
    const pseudo: Record<string, string> = {
      'AWS::Partition': PARTITION,
      'AWS::Region': REGION,
      'AWS::AccountId': ACCOUNT,
    };
    return pseudo[ref] ?? `ref:${ref}`;
  }
  if ('Fn::GetAtt' in value) {
    const [id, attribute] = value['Fn::GetAtt'] as [string, string];
    return `getatt:${id}.${attribute}`;
  }
  return JSON.stringify(value);
}

function refTarget(value: Json | undefined): string | undefined {
  const ref = asObject(value).Ref;
  return typeof ref === 'string' ? ref : undefined;
}

/** IAM wildcard matching (`*`, `?`); actions compare case-insensitively, ARNs exactly. */
function wildcardMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

interface Statement {
  effect: string;
  actions: string[];
  resources: string[];
  conditional: boolean;
}

function statementsOf(document: Json | undefined): Statement[] {
  return asArray(asObject(document).Statement).map((s) => {
    const statement = asObject(s);
    return {
      effect: String(statement.Effect),
      actions: asArray(statement.Action).map(flat),
      resources: asArray(statement.Resource).map(flat),
      conditional: statement.Condition !== undefined,
    };
  });
}

/** Every statement granted to a role: its inline policies and every AWS::IAM::Policy attached to it. */
function roleStatements(from: Record<string, CfnResource>, roleId: string): Statement[] {
  const role = from[roleId];
  const inline = asArray(role?.Properties?.Policies).flatMap((p) => statementsOf(asObject(p).PolicyDocument));
  const attached = resourcesOf(from, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties?.Roles).some((r) => refTarget(r) === roleId))
    .flatMap(([, p]) => statementsOf(p.Properties?.PolicyDocument));
  return [...inline, ...attached];
}

function allStatements(from: Record<string, CfnResource>): Statement[] {
  return [
    ...resourcesOf(from, 'AWS::IAM::Role').flatMap(([, r]) =>
      asArray(r.Properties?.Policies).flatMap((p) => statementsOf(asObject(p).PolicyDocument)),
    ),
    ...[...resourcesOf(from, 'AWS::IAM::Policy'), ...resourcesOf(from, 'AWS::IAM::ManagedPolicy')].flatMap(
      ([, p]) => statementsOf(p.Properties?.PolicyDocument),
    ),
  ];
}

/**
 * Whether the statements unconditionally allow `action` on `arn`. A conditional grant is taken
 * not to apply (e.g. a tag condition the token secrets do not meet); an explicit Deny wins.
 */
function allows(statements: Statement[], action: string, arn: string): boolean {
  const matches = (s: Statement) =>
    s.actions.some((a) => wildcardMatches(a, action, true)) &&
    s.resources.some((r) => wildcardMatches(r, arn));
  const allowed = statements.some((s) => s.effect === 'Allow' && !s.conditional && matches(s));
  return allowed && !statements.some((s) => s.effect === 'Deny' && matches(s));
}

/** The ARN Secrets Manager gives a secret of this name (with its random six-character suffix). */
const secretArn = (name: string) =>
  `arn:${PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbC123`;

interface StepFunctionResource {
  logicalId: string;
  handler: string;
  props: { [key: string]: Json };
  env: { [key: string]: Json };
  roleId: string;
}

function lambdaFunctions(from: Record<string, CfnResource>): StepFunctionResource[] {
  return resourcesOf(from, 'AWS::Lambda::Function').map(([logicalId, fn]) => {
    const props = fn.Properties ?? {};
    const env = asObject(asObject(props.Environment).Variables);
    const [roleId] = asObject(props.Role)['Fn::GetAtt'] as [string, string];
    return { logicalId, handler: String(env.STEP_NAME), props, env, roleId };
  });
}

/** The functions behind workflow steps: they say which step they are in STEP_NAME. */
const stepFunctions = (from: Record<string, CfnResource>) =>
  lambdaFunctions(from).filter((f) => f.env.STEP_NAME !== undefined);

/** Every catalogue entry that names a step and its access: forward, undo, and any other flow it exports. */
const catalogueSteps: { name: string; access: readonly SecretAccess[] }[] = Object.values(catalogue)
  .filter((value): value is readonly FlowNode[] => Array.isArray(value))
  .flatMap((flow) => forwardSteps(flow))
  .filter((s) => typeof s.name === 'string' && Array.isArray(s.access));

/**
 * What each function may reach: a catalogue step what its entry says, Finalize only the secrets it
 * manages, and any other function (e.g. an API handler) none of the secrets at all.
 */
function accessOf(handler: string): readonly SecretAccess[] {
  const finalize = Object.values(FINALIZE_HANDLERS).find((h) => h.name === handler);
  if (finalize) return finalize.access;
  return catalogueSteps.find((s) => s.name === handler)?.access ?? [];
}

const SECRET_WRITES = [
  'secretsmanager:CreateSecret',
  'secretsmanager:PutSecretValue',
  'secretsmanager:DeleteSecret',
];

/** Every way a function could reach a token secret it has no business with, as readable findings. */
function tokenAccessFindings(from: Record<string, CfnResource>, config: ProvisioningConfig): string[] {
  const tokens = [
    { access: 'okta-token' as const, arn: secretArn(config.oktaTokenSecretName) },
    { access: 'kong-token' as const, arn: secretArn(config.kongTokenSecretName) },
    ...(config.konnect
      ? [{ access: 'konnect-token' as const, arn: secretArn(config.konnect.tokenSecretName) }]
      : []),
  ];
  return stepFunctions(from).flatMap((fn) => {
    const statements = roleStatements(from, fn.roleId);
    return tokens.flatMap(({ access, arn }) => [
      ...(!accessOf(fn.handler).includes(access) && allows(statements, 'secretsmanager:GetSecretValue', arn)
        ? [`${fn.handler} can read the ${access} secret`]
        : []),
      ...SECRET_WRITES.filter((action) => allows(statements, action, arn)).map(
        (action) => `${fn.handler} has ${action} on the ${access} secret`,
      ),
    ]);
  });
}

// ---- ASL helpers -----------------------------------------------------------------------------

interface Retrier {
  ErrorEquals: string[];
  JitterStrategy?: string;
}
interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string;
}

const retriersOf = (state: AslState | undefined): Retrier[] => (state?.Retry as Retrier[] | undefined) ?? [];
const catchersOf = (state: AslState | undefined): Catcher[] => (state?.Catch as Catcher[] | undefined) ?? [];
const catchAll = (state: AslState | undefined) =>
  catchersOf(state).find((c) => c.ErrorEquals.length === 1 && c.ErrorEquals[0] === 'States.ALL');

/** Every state by name, Parallel branches included, with the Parallel state (if any) that holds it. */
function statesOf(
  definition: AslDefinition,
  parallel?: string,
): Map<string, { state: AslState; parallel?: string }> {
  const out = new Map<string, { state: AslState; parallel?: string }>();
  for (const [name, state] of Object.entries(definition.States)) {
    out.set(name, { state, parallel });
    for (const branch of state.Branches ?? []) for (const [n, s] of statesOf(branch, name)) out.set(n, s);
  }
  return out;
}

const states = statesOf(asl);
const stateNamed = (name: string): AslState => {
  const found = states.get(name);
  if (!found) throw new Error(`no state ${name} in the state machine`);
  return found.state;
};

/** The undo states entered from `entry`, in order, up to (not including) FinalizeFailed. */
function chainFrom(entry: string): string[] {
  const visited: string[] = [];
  for (let name = entry; name !== FINALIZE_STATES.failed; name = String(stateNamed(name).Next)) {
    if (visited.includes(name) || visited.length > 50) throw new Error(`compensation chain loops at ${name}`);
    visited.push(name);
  }
  return visited;
}

// Error names as the runtime throws them (Step Functions matches on `name`).
const RETRIED = [
  new TransientError('t').name,
  new RateLimitedError('r').name,
  'Lambda.TooManyRequestsException',
];
const NEVER_RETRIED = [
  'States.ALL',
  'States.TaskFailed',
  new PermanentError('p').name,
  new ValidationError('v', []).name,
  new ConflictError('c').name,
];

// ---- tests -------------------------------------------------------------------------------------

describe('state machine', () => {
  it('is a Standard workflow with X-Ray tracing, secret-free ALL-level logging and an execution timeout', () => {
    // Intent: exactly-once, long-running executions an operator can trace and audit without leaking state.
    const machines = resourcesOf(resources, 'AWS::StepFunctions::StateMachine');
    expect(machines.map(([id]) => id)).toContain(stateMachineId);
    // Every state machine in the stack (provisioning and any other) follows the same rules.
    for (const [id, machine] of machines) {
      const props = machine.Properties ?? {};
      const logging = asObject(props.LoggingConfiguration);
      const [destination] = asArray(logging.Destinations);
      const logGroupArn = flat(asObject(asObject(destination).CloudWatchLogsLogGroup).LogGroupArn);
      const logGroupId = /^getatt:(\w+)\.Arn$/.exec(logGroupArn)?.[1] ?? '';
      expect({
        id,
        type: props.StateMachineType,
        tracing: props.TracingConfiguration,
        level: logging.Level,
        includeExecutionData: logging.IncludeExecutionData,
        logsTo: resources[logGroupId]?.Type,
      }).toEqual({
        id,
        type: 'STANDARD',
        tracing: { Enabled: true },
        level: 'ALL',
        includeExecutionData: false,
        logsTo: 'AWS::Logs::LogGroup',
      });
    }
    expect(asl.TimeoutSeconds).toEqual(expect.any(Number));
    expect(asl.TimeoutSeconds).toBeGreaterThan(0);
  });
});

describe('workflow error handling (ASL)', () => {
  const forward = forwardSteps().map((s) => s.name);

  it('retries transient, rate-limited and Lambda throttling errors with full jitter on every forward step', () => {
    // Intent: a flaky vendor or a throttled Lambda never fails a provisioning by itself.
    expect(forward.length).toBeGreaterThan(0);
    for (const name of forward) {
      const retriers = retriersOf(stateNamed(name));
      for (const error of RETRIED) {
        expect({ name, error, retried: retriers.some((r) => r.ErrorEquals.includes(error)) }).toEqual({
          name,
          error,
          retried: true,
        });
      }
      for (const retrier of retriers)
        expect({ name, jitter: retrier.JitterStrategy }).toEqual({ name, jitter: 'FULL' });
    }
  });

  it('never retries permanent errors on a forward step', () => {
    // Intent: bad input, bad credentials or a conflict go straight to rollback instead of hammering the vendor.
    for (const name of forward) {
      const retried = retriersOf(stateNamed(name)).flatMap((r) => r.ErrorEquals);
      expect({ name, retried: retried.filter((e) => NEVER_RETRIED.includes(e)) }).toEqual({
        name,
        retried: [],
      });
    }
  });

  it('catches every failure of a top-level forward step into the rollback, keeping the state', () => {
    // Intent: no forward failure ends the run without compensation, and the undos still see $.resources.
    const entries = new Set([...compensationChain(), FINALIZE_STATES.failed]);
    for (const node of provisioningFlow) {
      const state = stateNamed(node.name);
      expect({ node: node.name, type: state.Type }).toEqual({
        node: node.name,
        type: isParallel(node) ? 'Parallel' : 'Task',
      });
      const catcher = catchAll(state);
      expect({ node: node.name, entersRollback: catcher !== undefined && entries.has(catcher.Next) }).toEqual(
        {
          node: node.name,
          entersRollback: true,
        },
      );
      expect({ node: node.name, resultPath: catcher?.ResultPath }).toEqual({
        node: node.name,
        resultPath: '$.failure',
      });
    }
  });

  it('lets every branch of a Parallel settle before a failure enters the rollback', () => {
    // Intent: a branch still at work when its sibling fails could create something after the undo
    // that should remove it has run; so a branch step's failure only ends its own branch (with its
    // error), the Parallel waits for every branch, and then a Choice sends the failure to the same
    // rollback entry the Parallel's own Catch names - or the results on.
    const parallels = provisioningFlow.filter(isParallel);
    expect(parallels.length).toBeGreaterThan(0);
    for (const node of parallels) {
      const parallel = stateNamed(node.name);
      const entry = catchAll(parallel)?.Next;
      expect(entry).toBeDefined();
      const settled = stateNamed(String(parallel.Next));
      expect(settled.Type).toBe('Choice');
      const choices = settled.Choices as { Variable: string; IsPresent?: boolean; Next: string }[];
      node.branches.forEach((branch, i) => {
        for (const step of branch) {
          expect(states.get(step.name)?.parallel).toBe(node.name);
          expect(retriersOf(stateNamed(step.name)).length).toBeGreaterThan(0);
          expect(catchAll(stateNamed(step.name))?.Next).toBe(`${branch[0]!.name}BranchFailed`);
        }
        const choice = choices.find((c) => c.Variable === `$.settled[${i}].failure`);
        expect(choice?.IsPresent).toBe(true);
        const failure = stateNamed(String(choice?.Next));
        expect(failure.Parameters).toMatchObject({ 'failure.$': `$.settled[${i}].failure` });
        expect(failure.Next).toBe(entry);
      });
      expect(settled.Default).toBe(`${node.name}Results`);
    }
  });

  it('enters the rollback at the failing step’s own undo, or the nearest earlier one', () => {
    // Intent: a failure undoes exactly what this and the earlier steps may have created, nothing that never ran.
    const expected: Record<string, string> = {
      ValidatePlan: FINALIZE_STATES.failed,
      ResolveInputs: 'DeletePortalSnapshot',
      CreateOktaResources: 'DeleteOktaApp',
      ConfigureOktaResources: 'UnassignGroups',
      ConfigurePortal: 'RevertPortal',
      VerifyPortal: 'RevertPortal',
    };
    expect(Object.keys(expected).sort()).toEqual(provisioningFlow.map((n) => n.name).sort());
    for (const [index, node] of provisioningFlow.entries()) {
      const entry = catchAll(stateNamed(node.name))?.Next;
      expect({ node: node.name, entry }).toEqual({ node: node.name, entry: expected[node.name] });
      // Walking the chain from there runs the undo of every step up to and including this one.
      const undone = entry === FINALIZE_STATES.failed ? [] : chainFrom(entry ?? '');
      const created = provisioningFlow.slice(0, index + 1).flatMap((n) => undoOf(n));
      expect({ node: node.name, undone: [...undone].sort() }).toEqual({
        node: node.name,
        undone: [...created].sort(),
      });
    }
  });

  it('chains the undo states last-created-first into FinalizeFailed, each retried and never stopping the chain', () => {
    // Intent: one undo that still fails is recorded under $.cleanupErrors and the others still run.
    const chain = compensationChain();
    expect([...chain].sort()).toEqual(undoSteps.map((u) => u.name).sort());
    expect(chainFrom(chain[0] ?? '')).toEqual(chain);
    for (const [i, name] of chain.entries()) {
      const state = stateNamed(name);
      const next = chain[i + 1] ?? FINALIZE_STATES.failed;
      expect({ name, type: state.Type, next: state.Next }).toEqual({ name, type: 'Task', next });
      const retried = retriersOf(state).flatMap((r) => r.ErrorEquals);
      expect({ name, retried: RETRIED.filter((e) => !retried.includes(e)) }).toEqual({ name, retried: [] });
      expect({ name, catch: catchAll(state) }).toEqual({
        name,
        catch: { ErrorEquals: ['States.ALL'], Next: next, ResultPath: `$.cleanupErrors.${name}` },
      });
      // The undo's own result must not replace the state the later undos read.
      expect({ name, resultPath: state.ResultPath }).toEqual({
        name,
        resultPath: expect.stringMatching(/^\$\.\w/),
      });
    }
  });

  it('ends a failed run in a distinct CleanupIncomplete or ProvisioningFailed Fail state', () => {
    // Intent: an operator (and the CleanupIncomplete alarm) can tell "rolled back" from "left something behind".
    const fails = [...states.values()].map((s) => s.state).filter((s) => s.Type === 'Fail');
    const cleanupIncomplete = fails.find((s) => s.Error === 'CleanupIncomplete');
    const provisioningFailed = fails.find((s) => s.Error === 'ProvisioningFailed');
    expect(cleanupIncomplete?.CausePath).toEqual(expect.any(String));
    expect(provisioningFailed).toBeDefined();
    // FinalizeFailed decides between them on the status it reports.
    const decision = stateNamed(String(stateNamed(FINALIZE_STATES.failed).Next));
    const choices = decision.Choices as { Variable: string; StringEquals?: string; Next: string }[];
    const incomplete = choices.find((c) => c.StringEquals === 'CLEANUP_INCOMPLETE');
    expect(stateNamed(incomplete?.Next ?? '').Error).toBe('CleanupIncomplete');
    expect(stateNamed(String(decision.Default)).Error).toBe('ProvisioningFailed');
  });

  it('stops a dry run after the planning steps and returns the plan', () => {
    // Intent: dryRun: true creates nothing in Okta or Kong.
    const lastPlanning = provisioningFlow.find((n) => n.lastPlanningStep)?.name ?? '';
    // The planning Parallel settles first; its results go on to the dry-run Choice.
    const settled = stateNamed(String(stateNamed(lastPlanning).Next));
    const choice = stateNamed(String(stateNamed(String(settled.Default)).Next));
    expect(choice.Type).toBe('Choice');
    expect(choice.Choices).toEqual([
      { Variable: '$.request.dryRun', BooleanEquals: true, Next: 'FinalizePlan' },
    ]);
    expect(stateNamed('FinalizePlan').Parameters).toMatchObject({ outcome: 'PLANNED' });
    // Otherwise the run goes on to the first creating step.
    const firstCreating =
      provisioningFlow[provisioningFlow.findIndex((n) => n.name === lastPlanning) + 1]?.name;
    const otherwise = stateNamed(String(choice.Default));
    expect(otherwise.Type === 'Pass' ? otherwise.Next : choice.Default).toBe(firstCreating);
  });
});

describe('Lambda functions', () => {
  const functions = stepFunctions(resources);

  it('run Node.js 22 on arm64 with active tracing and their own log group', () => {
    // Intent: every function runs the tested runtime and can be traced and read in CloudWatch.
    const all = lambdaFunctions(resources);
    expect(all.length).toBeGreaterThan(0);
    for (const fn of all) {
      const { Runtime, Architectures, TracingConfig, LoggingConfig } = fn.props;
      const logGroupId = refTarget(asObject(LoggingConfig).LogGroup) ?? '';
      expect({
        fn: fn.logicalId,
        Runtime,
        Architectures,
        TracingConfig,
        logGroup: resources[logGroupId]?.Type,
      }).toEqual({
        fn: fn.logicalId,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        logGroup: 'AWS::Logs::LogGroup',
      });
    }
  });

  it('start without source-map support, and Okta steps get the memory (CPU) their larger init needs', () => {
    // Intent: no function pays for source maps at every cold start (they are read on an error,
    // see lib/provisioner-function.ts), and memory follows the measured init CPU time.
    const oktaSteps = new Set(
      catalogueSteps.filter((s) => s.access.includes('okta-token')).map((s) => s.name),
    );
    for (const fn of lambdaFunctions(resources)) {
      const okta = oktaSteps.has(fn.handler);
      expect({ fn: fn.logicalId, nodeOptions: fn.env.NODE_OPTIONS, memory: fn.props.MemorySize }).toEqual({
        fn: fn.logicalId,
        nodeOptions: undefined,
        memory: okta ? 1024 : 512,
      });
    }
    expect(oktaSteps.size).toBeGreaterThan(0);
  });

  it('keep logs for a bounded time', () => {
    // Intent: no log group grows (and costs) forever.
    const logGroups = resourcesOf(resources, 'AWS::Logs::LogGroup');
    expect(logGroups.length).toBeGreaterThan(0);
    for (const [id, group] of logGroups) {
      expect({ id, retention: group.Properties?.RetentionInDays }).toEqual({
        id,
        retention: expect.any(Number),
      });
    }
  });

  it('exist once per catalogue handler, and each Task state invokes the function of its own step', () => {
    // Intent: every Task state has its function, and the function it calls runs that step's handler.
    for (const handler of allHandlerNames()) {
      expect({ handler, functions: functions.filter((f) => f.handler === handler).length }).toEqual({
        handler,
        functions: 1,
      });
    }
    const tasks = taskStateNames(asl);
    expect(tasks.length).toBeGreaterThan(0);
    for (const name of tasks) {
      const state = stateNamed(name);
      const target = String(asObject(state.Parameters as Json).FunctionName ?? state.Resource);
      const logicalId = /:function:(\w+)/.exec(target)?.[1];
      const invoked = functions.find((f) => f.logicalId === logicalId);
      expect({ state: name, runs: invoked?.handler }).toEqual({
        state: name,
        runs: handlerNameForState(name),
      });
    }
  });
});

describe('IAM least privilege', () => {
  const functions = stepFunctions(resources);
  const oktaArn = secretArn(CONFIG.oktaTokenSecretName);
  const kongArn = secretArn(CONFIG.kongTokenSecretName);

  it('never grants a Secrets Manager action on every resource', () => {
    // Intent: no role can read or change secrets it was not meant to, whatever they are named.
    const statements = allStatements(resources);
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements.filter((st) => st.resources.includes('*'))) {
      expect({ actions: s.actions.filter((a) => /^secretsmanager:/i.test(a) || a === '*') }).toEqual({
        actions: [],
      });
    }
  });

  it('gives only the functions whose step talks to Okta the Okta URL and token secret', () => {
    // Intent: a step without Okta access can neither find nor read the Okta API token.
    for (const fn of functions) {
      const needs = accessOf(fn.handler).includes('okta-token');
      const statements = roleStatements(resources, fn.roleId);
      expect({
        fn: fn.handler,
        oktaEnv: Object.keys(fn.env)
          .filter((k) => k.startsWith('OKTA_'))
          .sort(),
        canRead: allows(statements, 'secretsmanager:GetSecretValue', oktaArn),
        policyNamesSecret: JSON.stringify(statements).includes(`:secret:${CONFIG.oktaTokenSecretName}`),
      }).toEqual({
        fn: fn.handler,
        oktaEnv: needs ? ['OKTA_ORG_URL', 'OKTA_TOKEN_SECRET_ARN'] : [],
        canRead: needs,
        policyNamesSecret: needs,
      });
      if (needs) {
        expect(fn.env.OKTA_ORG_URL).toBe(CONFIG.oktaOrgUrl);
        expect(flat(fn.env.OKTA_TOKEN_SECRET_ARN)).toContain(`:secret:${CONFIG.oktaTokenSecretName}`);
      }
    }
  });

  it('gives only the portal steps the Konnect API URL and token secret, and only where Konnect is configured', () => {
    // Intent: the Konnect token is readable by the four portal steps and nothing else; a deployment
    // without Konnect gives no function a Konnect setting.
    const konnectArn = secretArn('ops/konnect-token');
    for (const fn of functions) {
      const needs = accessOf(fn.handler).includes('konnect-token');
      const statements = roleStatements(resources, fn.roleId);
      expect({
        fn: fn.handler,
        konnectEnv: Object.keys(fn.env)
          .filter((k) => k.startsWith('KONNECT_'))
          .sort(),
        canRead: allows(statements, 'secretsmanager:GetSecretValue', konnectArn),
      }).toEqual({
        fn: fn.handler,
        konnectEnv: needs ? ['KONNECT_API_URL', 'KONNECT_TOKEN_SECRET_ARN'] : [],
        canRead: needs,
      });
      if (needs) expect(fn.env.KONNECT_API_URL).toBe('https://eu.api.konghq.com');
    }
    expect(
      functions
        .filter((fn) => accessOf(fn.handler).includes('konnect-token'))
        .map((f) => f.handler)
        .sort(),
    ).toEqual(['ConfigurePortal', 'ResolvePortal', 'RestorePortal', 'RevertPortal']);
    const { konnect: _konnect, ...withoutKonnect } = CONFIG;
    const plain = build(withoutKonnect).resources;
    expect(
      lambdaFunctions(plain).filter((fn) => Object.keys(fn.env).some((k) => k.startsWith('KONNECT_'))),
    ).toEqual([]);
    // The front door knows which targets it serves, so a Konnect request to a deployment without
    // Konnect is a 400 there, not a run that fails at ResolvePortal.
    const servedBy = (from: Record<string, CfnResource>) => [
      ...new Set(
        lambdaFunctions(from)
          .filter((fn) => fn.env.API_BASE_PATH !== undefined)
          .map((fn) => String(fn.env.PORTAL_TARGETS)),
      ),
    ];
    expect(servedBy(resources)).toEqual(['kong-ee-workspace,konnect']);
    expect(servedBy(plain)).toEqual(['kong-ee-workspace']);
  });

  it('gives only the functions whose step talks to Kong the Kong URL and token secret', () => {
    // Intent: a step without Kong access can neither find nor read the Kong RBAC token.
    for (const fn of functions) {
      const needs = accessOf(fn.handler).includes('kong-token');
      const statements = roleStatements(resources, fn.roleId);
      expect({
        fn: fn.handler,
        kongEnv: Object.keys(fn.env)
          .filter((k) => k.startsWith('KONG_'))
          .sort(),
        canRead: allows(statements, 'secretsmanager:GetSecretValue', kongArn),
        policyNamesSecret: JSON.stringify(statements).includes(`:secret:${CONFIG.kongTokenSecretName}`),
      }).toEqual({
        fn: fn.handler,
        kongEnv: needs ? ['KONG_ADMIN_URL', 'KONG_TOKEN_SECRET_ARN'] : [],
        canRead: needs,
        policyNamesSecret: needs,
      });
      if (needs) {
        expect(fn.env.KONG_ADMIN_URL).toBe(CONFIG.kongAdminUrl);
        expect(flat(fn.env.KONG_TOKEN_SECRET_ARN)).toContain(`:secret:${CONFIG.kongTokenSecretName}`);
      }
    }
  });

  it('gives each step exactly the use of each kind of managed secret its catalogue entry names', () => {
    // Intent (least privilege): reading, writing and deleting are granted per step and per kind of
    // secret (client secret, Kong baseline, Kong rollback point) - nothing else, in any workspace.
    const probes: Record<SecretUse, string[]> = {
      read: ['secretsmanager:GetSecretValue'],
      write: ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue'],
      delete: ['secretsmanager:DeleteSecret'],
    };
    for (const fn of functions) {
      const statements = roleStatements(resources, fn.roleId);
      for (const kind of SECRET_KINDS) {
        const arn = secretArn(`${PRODUCT}/test/team-a/${kind}`);
        for (const use of ['read', 'write', 'delete'] as const) {
          const expected = accessOf(fn.handler).includes(`${use}:${kind}`);
          for (const action of probes[use])
            expect({ fn: fn.handler, kind, action, allowed: allows(statements, action, arn) }).toEqual({
              fn: fn.handler,
              kind,
              action,
              allowed: expected,
            });
        }
      }
      // And never a secret of another environment.
      const elsewhere = secretArn(`${PRODUCT}/prod/team-a/client-secret`);
      expect({
        fn: fn.handler,
        other: allows(statements, 'secretsmanager:GetSecretValue', elsewhere),
      }).toEqual({
        fn: fn.handler,
        other: false,
      });
    }
    expect(tokenAccessFindings(resources, CONFIG)).toEqual([]);
  });

  it('lets no step that only deletes or writes secrets read one', () => {
    // Intent: the undo and clean-up steps that delete secrets cannot read any workspace's client secret.
    const readers = functions.filter((fn) =>
      SECRET_KINDS.some((kind) =>
        allows(
          roleStatements(resources, fn.roleId),
          'secretsmanager:GetSecretValue',
          secretArn(`${PRODUCT}/test/w/${kind}`),
        ),
      ),
    );
    expect(readers.map((f) => f.handler).sort()).toEqual([
      'ConfigurePortal',
      'RestorePortal',
      'RevertPortal',
    ]);
    for (const name of [
      'DeleteClientSecret',
      'DeletePortalSnapshot',
      'RemoveSecrets',
      'FinalizeProvisioning',
    ])
      expect(functions.some((f) => f.handler === name)).toBe(true);
  });

  it('grants the step functions and the state machine nothing outside the policies in this template', () => {
    // Intent: no AWS managed policy silently widens a workflow role (e.g. logs:* on every log group).
    const machineRole = asObject(resources[stateMachineId]?.Properties?.RoleArn)['Fn::GetAtt'] as string[];
    const roleIds = [...functions.map((f) => f.roleId), String(machineRole[0])];
    for (const id of roleIds) {
      expect({
        id,
        role: resources[id]?.Type,
        managed: resources[id]?.Properties?.ManagedPolicyArns,
      }).toEqual({
        id,
        role: 'AWS::IAM::Role',
      });
    }
  });

  it('references the API tokens by secret ARN only, never by value', () => {
    // Intent: a token value can't leak through the template, the CloudFormation console or `get-function`.
    const text = JSON.stringify(template.toJSON());
    for (const value of Object.values(TOKEN_SENTINELS)) expect(text).not.toContain(value);
    expect(text).not.toMatch(/OKTA_API_TOKEN|KONG_ADMIN_TOKEN/);
    for (const fn of functions) {
      const tokenVars = Object.keys(fn.env).filter((k) => /TOKEN/.test(k));
      expect({ fn: fn.handler, tokenVars: tokenVars.filter((k) => !k.endsWith('_SECRET_ARN')) }).toEqual({
        fn: fn.handler,
        tokenVars: [],
      });
    }
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  // The default cdk.json token names must sit outside `kong-portal-provisioner/`, the prefix every
  // secret-keeping steps reach.
  it('keeps the API tokens out of reach of other steps with the default cdk.json secret names', () => {
    // Intent: the deployable default configuration is as least-privilege as the one above.
    const context = (
      JSON.parse(readFileSync(path.join(__dirname, '../../cdk.json'), 'utf8')) as {
        context: Record<string, string>;
      }
    ).context;
    const config: ProvisioningConfig = {
      ...CONFIG,
      oktaTokenSecretName: String(context.oktaTokenSecretName),
      kongTokenSecretName: String(context.kongTokenSecretName),
    };
    expect(tokenAccessFindings(build(config).resources, config)).toEqual([]);
  });
});

describe('alarms', () => {
  const alarms = resourcesOf(resources, 'AWS::CloudWatch::Alarm');
  const alarmsOn = (namespace: Json | undefined, metricName: Json | undefined, machineId?: string) =>
    alarms.filter(
      ([, a]) =>
        a.Properties?.Namespace === namespace &&
        a.Properties?.MetricName === metricName &&
        (machineId === undefined ||
          JSON.stringify(a.Properties?.Dimensions) ===
            JSON.stringify([{ Name: 'StateMachineArn', Value: { Ref: machineId } }])),
    );
  const operatorAlarms = {
    ExecutionsFailed: alarmsOn('AWS/States', 'ExecutionsFailed', stateMachineId),
    ExecutionsTimedOut: alarmsOn('AWS/States', 'ExecutionsTimedOut', stateMachineId),
    CleanupIncomplete: alarmsOn(DEFAULT_METRICS_NAMESPACE, METRIC_NAMES.cleanupIncomplete),
    RunEndedDeadLetters: alarmsOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible'),
  };
  const topicIds = new Set(alarms.flatMap(([, a]) => asArray(a.Properties?.AlarmActions).map(refTarget)));

  it('alarm on failed and timed-out provisioning executions, incomplete cleanup and unhandled run-ended events, through SNS', () => {
    // Intent: an operator is notified of every failed run, timed-out run, run that left something
    // behind, and run whose end could not be reconciled or answered.
    expect(
      Object.fromEntries(Object.entries(operatorAlarms).map(([name, found]) => [name, found.length])),
    ).toEqual({ ExecutionsFailed: 1, ExecutionsTimedOut: 1, CleanupIncomplete: 1, RunEndedDeadLetters: 1 });
    for (const [id, alarm] of Object.values(operatorAlarms).flat()) {
      const { ComparisonOperator, Threshold, AlarmActions } = alarm.Properties ?? {};
      // One occurrence is enough to alarm, and the alarm goes to an SNS topic.
      const actions = asArray(AlarmActions).map((a) => resources[refTarget(a) ?? '']?.Type);
      expect({ id, ComparisonOperator, Threshold, actions }).toEqual({
        id,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        actions: ['AWS::SNS::Topic'],
      });
    }
  });

  it('count CLEANUP_INCOMPLETE outcomes from the metric the run-ended handler emits', () => {
    // Intent: the alarm that means "resources were left behind" reads exactly the EMF metric (name,
    // namespace, `service` dimension) the handler writes, for every way a run can end so.
    const [[, alarm]] = operatorAlarms.CleanupIncomplete as [[string, CfnResource]];
    expect(alarm.Properties?.Dimensions).toEqual([{ Name: 'service', Value: METRICS_SERVICE }]);
    const runEnded = lambdaFunctions(resources).filter((f) => f.env.METRICS_NAMESPACE !== undefined);
    expect(runEnded.map((f) => f.env.METRICS_NAMESPACE)).toEqual([DEFAULT_METRICS_NAMESPACE]);
    expect(resourcesOf(resources, 'AWS::Logs::MetricFilter')).toEqual([]);
  });

  it('notify through an encrypted SNS topic', () => {
    // Intent: alarm notifications are encrypted at rest.
    expect(topicIds.size).toBeGreaterThan(0);
    for (const id of topicIds) {
      expect({ id, key: resources[id ?? '']?.Properties?.KmsMasterKeyId }).toEqual({
        id,
        key: expect.anything(),
      });
    }
  });

  // CloudWatch cannot publish to a
  // topic encrypted with the AWS managed key alias/aws/sns: the alarms would never reach anyone.
  it('encrypts the topic with a customer managed key that lets CloudWatch use it', () => {
    // Intent: the encrypted topic still delivers alarm notifications.
    for (const id of topicIds) {
      const keyId = /^(?:getatt|ref):(\w+)/.exec(flat(resources[id ?? '']?.Properties?.KmsMasterKeyId))?.[1];
      const key = resources[keyId ?? ''];
      expect({ id, key: key?.Type }).toEqual({ id, key: 'AWS::KMS::Key' });
      expect(JSON.stringify(key?.Properties?.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    }
  });
});

describe('a Kong with a renamed RBAC header (kong.conf rbac_auth_header)', () => {
  it('tells exactly the functions that talk to Kong which header to send', () => {
    const { resources: custom } = build({ ...CONFIG, kongRbacHeader: 'X-Kong-Rbac-Token' });
    for (const fn of stepFunctions(custom)) {
      const talksToKong = accessOf(fn.handler).includes('kong-token');
      expect({ fn: fn.handler, header: fn.env.KONG_RBAC_HEADER }).toEqual({
        fn: fn.handler,
        header: talksToKong ? 'X-Kong-Rbac-Token' : undefined,
      });
    }
  });
});

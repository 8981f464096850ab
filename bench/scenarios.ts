/**
 * The benchmark's scenarios, each on the local stack (the same handlers, ASL and emulators as
 * `npm start`) with the sandboxes' latency and Okta's rate limits set for it. Bounded: loopback
 * only, a fixed number of runs.
 */
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { executionArnOf } from '../lambdas/clients/executions';
import type { RecordedCall } from '../local/sandboxes/http-sandbox';
import { ONE_APP_LIMITS, oktaBucketOf, type OktaBucket } from '../local/sandboxes/okta';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../local/stack';
import { boundMs, callCounts, PROVISIONING_ROUNDS, TEARDOWN_ROUNDS, type Round } from './critical-path';
import { executionFacts, historyOf, type ExecutionFacts } from './execution';

export const ENVIRONMENT = 'bench';

export async function withStack<T>(
  options: Omit<LocalStackOptions, 'dataDir'>,
  fn: (stack: LocalStack) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kpp-bench-'));
  const stack = await startLocalStack({ port: 0, ...options, dataDir });
  try {
    return await fn(stack);
  } finally {
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const clients = (stack: LocalStack) => {
  const { region, credentials, endpoints } = stack.aws;
  return {
    sfn: new SFNClient({ region, credentials, endpoint: endpoints?.sfn }),
    secretsManager: new SecretsManagerClient({ region, credentials, endpoint: endpoints?.secretsManager }),
  };
};

async function post(stack: LocalStack, route: string, method: string, body?: unknown): Promise<string> {
  const res = await fetch(`${stack.apiUrl}${route}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status !== 202) throw new Error(`${method} ${route} answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** POST -> final status over HTTP, as a user sees it (polled every 10 ms). */
async function untilFinal(stack: LocalStack, id: string): Promise<string> {
  for (;;) {
    const view = (await (await fetch(`${stack.apiUrl}/provisionings/${id}`)).json()) as { status: string };
    if (view.status !== 'RUNNING') return view.status;
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const provisionBody = (workspace: string) => ({
  workspace,
  environment: ENVIRONMENT,
  oktaGroups: ['Everyone'],
});

export async function provisionOnce(
  stack: LocalStack,
  workspace: string,
): Promise<{ id: string; ms: number }> {
  const started = performance.now();
  const id = await post(stack, '/provisionings', 'POST', provisionBody(workspace));
  const status = await untilFinal(stack, id);
  if (status !== 'SUCCEEDED') throw new Error(`${workspace} ended ${status}`);
  return { id, ms: performance.now() - started };
}

async function teardownOnce(stack: LocalStack, workspace: string): Promise<void> {
  const id = await post(stack, `/workspaces/${workspace}/portal?environment=${ENVIRONMENT}`, 'DELETE');
  const status = await untilFinal(stack, id);
  if (status !== 'SUCCEEDED') throw new Error(`teardown of ${workspace} ended ${status}`);
}

export interface TimedRun {
  status: string;
  /** Execution start -> stop, from its history. */
  executionMs: number;
  /** POST -> final status over HTTP. */
  userMs: number;
  vendorCalls: number;
  callsByRoute: Record<string, number>;
  boundMs: number;
  ratio: number;
  facts: ExecutionFacts;
  secretsManagerCalls: number;
}

export interface SingleResult {
  latencyMs: number;
  /** Workspaces provisioned and torn down one after another; the median run is reported. */
  repeats: number;
  provisioning: TimedRun;
  teardown: TimedRun;
  /** Every run's ratio, in order. */
  ratios: { provisioning: number[]; teardown: number[] };
  /** Okta calls of one provisioning per rate-limit bucket. */
  oktaCallsPerBucket: Partial<Record<OktaBucket, number>>;
  secretsKept: number;
}

const smCalls = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

async function timed(
  stack: LocalStack,
  kind: 'provision' | 'teardown',
  workspace: string,
  rounds: readonly Round[],
  latencyMs: number,
): Promise<{ run: TimedRun; calls: RecordedCall[] }> {
  const okta = stack.oktaSandbox!;
  const kong = stack.kongSandbox!;
  okta.control.resetTraffic();
  kong.control.resetTraffic();
  okta.control.setLatency(latencyMs);
  kong.control.setLatency(latencyMs);
  const sm0 = smCalls(stack.secretsManager.operationCounts());
  const started = performance.now();
  const id =
    kind === 'provision'
      ? await post(stack, '/provisionings', 'POST', provisionBody(workspace))
      : await post(stack, `/workspaces/${workspace}/portal?environment=${ENVIRONMENT}`, 'DELETE');
  const status = await untilFinal(stack, id);
  const userMs = performance.now() - started;
  await stack.idle();
  okta.control.setLatency(0);
  kong.control.setLatency(0);
  const calls = [...okta.control.calls, ...kong.control.calls];
  const facts = executionFacts(
    await historyOf(clients(stack).sfn, executionArnOf(stack.stateMachines, kind, id)),
  );
  const bound = boundMs(rounds, latencyMs);
  return {
    calls,
    run: {
      status,
      executionMs: facts.durationMs,
      userMs: Math.round(userMs),
      vendorCalls: calls.length,
      callsByRoute: callCounts(calls, workspace),
      boundMs: bound,
      ratio: round2(facts.durationMs / bound),
      facts,
      secretsManagerCalls: smCalls(stack.secretsManager.operationCounts()) - sm0,
    },
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The run of median execution time (an odd count: the middle one). */
function medianRun<T extends { run: TimedRun }>(runs: readonly T[]): T {
  return [...runs].sort((a, b) => a.run.executionMs - b.run.executionMs)[Math.floor(runs.length / 2)] as T;
}

/**
 * Provisionings and their teardowns, `repeats` workspaces one after another, with every Okta/Kong
 * call taking `latencyMs`; the run of median execution time is reported (this machine's timing
 * varies by ~10 % from one run to the next).
 */
export async function single(latencyMs: number, repeats = 5): Promise<SingleResult> {
  return withStack({}, async (stack) => {
    // A first run warms the process (module loading, ASL validation), as a deployed system is warm.
    stack.kongSandbox!.control.addWorkspace('warm-up');
    await provisionOnce(stack, 'warm-up');
    await teardownOnce(stack, 'warm-up');
    const provisionings: Array<Awaited<ReturnType<typeof timed>>> = [];
    const teardowns: Array<Awaited<ReturnType<typeof timed>>> = [];
    let secretsKept = 0;
    for (let i = 1; i <= repeats; i++) {
      const workspace = `single-${i}`;
      stack.kongSandbox!.control.addWorkspace(workspace);
      provisionings.push(await timed(stack, 'provision', workspace, PROVISIONING_ROUNDS, latencyMs));
      secretsKept = await secretsOf(stack, workspace);
      teardowns.push(await timed(stack, 'teardown', workspace, TEARDOWN_ROUNDS, latencyMs));
    }
    const provisioning = medianRun(provisionings);
    const teardown = medianRun(teardowns);
    const oktaCallsPerBucket: Partial<Record<OktaBucket, number>> = {};
    for (const c of provisioning.calls) {
      const bucket = oktaBucketOf(c.path);
      if (bucket && !c.path.includes('/.well-known/'))
        oktaCallsPerBucket[bucket] = (oktaCallsPerBucket[bucket] ?? 0) + 1;
    }
    return {
      latencyMs,
      repeats,
      provisioning: provisioning.run,
      teardown: teardown.run,
      ratios: {
        provisioning: provisionings.map((p) => p.run.ratio),
        teardown: teardowns.map((t) => t.run.ratio),
      },
      oktaCallsPerBucket,
      secretsKept,
    };
  });
}

async function secretsOf(stack: LocalStack, workspace: string): Promise<number> {
  const listed = await clients(stack).secretsManager.send(
    new ListSecretsCommand({
      Filters: [{ Key: 'name', Values: [`kong-portal-provisioner/${ENVIRONMENT}/${workspace}/`] }],
    }),
  );
  return (listed.SecretList ?? []).filter((s) => !s.DeletedDate).length;
}

export interface BurstResult {
  runs: number;
  succeeded: number;
  failed: number;
  /** Why the runs that did not succeed ended as they did (the execution's error and cause). */
  failures: Array<{ status: string; error: string; cause: string }>;
  duplicates: number;
  wallMs: number;
  /** The busiest bucket's calls x runs / its limit, in (scaled) minutes. */
  boundMs: number;
  boundBucket: string;
  ratio: number;
  minuteMs: number;
  timeFactor: number;
  concurrency: number;
  latencyMs: number;
  oktaCalls: number;
  refused429: number;
  peakInFlight: number;
  callsPerBucketPerRun: Partial<Record<OktaBucket, number>>;
}

/**
 * `runs` provisionings for as many workspaces submitted at once, the Okta sandbox enforcing Okta's
 * per-minute limits and its concurrency limit with a minute of `minuteMs`. Step Functions' retry
 * waits are scaled by the same factor (5 s -> 5 s / factor, fixed rather than jittered).
 */
export async function burst(
  runs: number,
  options: { minuteMs: number; latencyMs: number; callsPerBucketPerRun: Partial<Record<OktaBucket, number>> },
): Promise<BurstResult> {
  const timeFactor = 60_000 / options.minuteMs;
  return withStack({ retryDelayMs: Math.round(5_000 / timeFactor) }, async (stack) => {
    const okta = stack.oktaSandbox!;
    const kong = stack.kongSandbox!;
    for (let i = 0; i < runs; i++) kong.control.addWorkspace(`burst-${i}`);
    kong.control.setLatency(options.latencyMs);
    okta.control.setLatency(options.latencyMs);
    const plan = okta.control.enforceRateLimits({ minuteMs: options.minuteMs });
    const ids = await Promise.all(
      Array.from({ length: runs }, (_, i) =>
        post(stack, '/provisionings', 'POST', provisionBody(`burst-${i}`)),
      ),
    );
    await stack.idle();
    const { sfn } = clients(stack);
    const executions = await Promise.all(
      ids.map((id) =>
        sfn.send(
          new DescribeExecutionCommand({
            executionArn: executionArnOf(stack.stateMachines, 'provision', id),
          }),
        ),
      ),
    );
    const startMs = Math.min(...executions.map((e) => e.startDate?.getTime() ?? Infinity));
    const stopMs = Math.max(...executions.map((e) => e.stopDate?.getTime() ?? 0));
    const labels = new Map<string, number>();
    // An app and its authorization server share one name: count each kind on its own.
    for (const name of [
      ...okta.state.apps().map((a) => `app ${a.label}`),
      ...okta.state.authServers().map((s) => `authorization server ${s.name}`),
    ])
      labels.set(name, (labels.get(name) ?? 0) + 1);
    let bound = 0;
    let boundBucket = '';
    for (const [bucket, perRun] of Object.entries(options.callsPerBucketPerRun) as Array<
      [OktaBucket, number]
    >) {
      const ms = ((perRun * runs) / (plan.limits[bucket] ?? ONE_APP_LIMITS[bucket])) * options.minuteMs;
      if (ms > bound) [bound, boundBucket] = [ms, bucket];
    }
    const usage = okta.control.rateLimitUsage();
    const wallMs = stopMs - startMs;
    return {
      runs,
      succeeded: executions.filter((e) => e.status === 'SUCCEEDED').length,
      failed: executions.filter((e) => e.status !== 'SUCCEEDED').length,
      failures: executions
        .filter((e) => e.status !== 'SUCCEEDED')
        .map((e) => ({
          status: e.status ?? 'unknown',
          error: e.error ?? '',
          cause: (e.cause ?? '').slice(0, 400),
        })),
      duplicates: [...labels.values()].reduce((n, count) => n + count - 1, 0),
      wallMs,
      boundMs: Math.round(bound),
      boundBucket,
      ratio: round2(wallMs / bound),
      minuteMs: options.minuteMs,
      timeFactor,
      concurrency: plan.concurrency,
      latencyMs: options.latencyMs,
      oktaCalls: okta.control.calls.length,
      refused429: okta.control.calls.filter((c) => c.status === 429).length,
      peakInFlight: usage.peakInFlight,
      callsPerBucketPerRun: options.callsPerBucketPerRun,
    };
  });
}

export interface BaselineResult {
  readyMs: number;
  firstMs: number;
  sequentialP50Ms: number;
  sequentialP95Ms: number;
  sequentialRuns: number;
  concurrentRuns: number;
  concurrentWallMs: number;
  peakRssMiB: number;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

/** The local stack as a newcomer meets it: start-up, first run, runs in a row, runs at once, memory. */
export async function baseline(sequentialRuns: number, concurrentRuns: number): Promise<BaselineResult> {
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  try {
    return await withStack({}, async (stack) => {
      const readyMs = performance.now() - t0;
      const kong = stack.kongSandbox!;
      kong.control.addWorkspace('first');
      const first = await provisionOnce(stack, 'first');
      const sequential: number[] = [];
      for (let i = 0; i < sequentialRuns; i++) {
        kong.control.addWorkspace(`seq-${i}`);
        sequential.push((await provisionOnce(stack, `seq-${i}`)).ms);
      }
      for (let i = 0; i < concurrentRuns; i++) kong.control.addWorkspace(`con-${i}`);
      const c0 = performance.now();
      await Promise.all(Array.from({ length: concurrentRuns }, (_, i) => provisionOnce(stack, `con-${i}`)));
      const concurrentWallMs = performance.now() - c0;
      return {
        readyMs: Math.round(readyMs),
        firstMs: Math.round(first.ms),
        sequentialP50Ms: Math.round(percentile(sequential, 50)),
        sequentialP95Ms: Math.round(percentile(sequential, 95)),
        sequentialRuns,
        concurrentRuns,
        concurrentWallMs: Math.round(concurrentWallMs),
        peakRssMiB: Math.round(peakRss / 1024 / 1024),
      };
    });
  } finally {
    clearInterval(sampler);
  }
}

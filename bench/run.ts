/**
 * `npm run bench`: every scenario on the local stack, then bench/results/latest.json,
 * docs/benchmarks.md (generated from that file) and the step timeline SVGs. Not part of `npm test`;
 * bounded (loopback only, fixed numbers of runs) and well under 10 minutes on 2 cores.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { logger } from '../lambdas/clients/logger';
import { costPerThousand, standingPerMonth } from './cost';
import { writeBenchmarkDocs } from './docs';
import type { BenchResults } from './report';
import { targets } from './report';
import { baseline, burst, single } from './scenarios';
import { timelineSvg } from './timeline';

const ROOT = path.join(__dirname, '..');
const LATENCY_MS = 100;
const BURST_RUNS = Number(process.env.BENCH_BURST ?? 50);
/** A 6-second Okta minute: the burst's rate limits at 10 x speed. */
const OKTA_MINUTE_MS = 6_000;
/** Every step function's memory (lib/provisioner-function.ts). */
const FUNCTION_MEMORY_MB = 512;
/** DynamoDB requests of one API-started provisioning, counted from the code path (accept, Finalize, run-ended). */
const DYNAMO_WRITES = 7;
const DYNAMO_READS = 4;

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function coldStart(): Promise<BenchResults['coldStart']> {
  return undefined;
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  logger.setLogLevel('SILENT');
  const log = (what: string) => console.error(`[bench] ${what}`);

  log(`single provisioning and teardown, ${LATENCY_MS} ms per call`);
  const one = await single(LATENCY_MS);
  log(`burst of ${BURST_RUNS}, Okta limits at a ${OKTA_MINUTE_MS} ms minute`);
  const many = await burst(BURST_RUNS, {
    minuteMs: OKTA_MINUTE_MS,
    latencyMs: LATENCY_MS,
    callsPerBucketPerRun: one.oktaCallsPerBucket,
  });
  log('local stack: start-up, first run, 20 in a row, 10 at once');
  const local = await baseline(20, 10);
  log('cold start per function');
  const cold = await coldStart();

  const p = one.provisioning;
  const gbSeconds =
    (p.facts.steps.reduce((sum, s) => sum + (s.endMs - s.startMs), 0) / 1000) * (FUNCTION_MEMORY_MB / 1024);
  const usage = {
    stateTransitions: p.facts.stateTransitions,
    lambdaInvocations: p.facts.lambdaInvocations + 2,
    lambdaGbSeconds: Math.round(gbSeconds * 1000) / 1000,
    secretsManagerCalls: p.secretsManagerCalls,
    apiRequests: 1,
    dynamoDbWrites: DYNAMO_WRITES,
    dynamoDbReads: DYNAMO_READS,
  };
  const results: BenchResults = {
    date: new Date().toISOString(),
    commit: commit(),
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    },
    single: one,
    burst: many,
    baseline: local,
    cost: {
      usage,
      perThousand: costPerThousand(usage),
      // A request record of ~2 KB per run (the record and its answers).
      standingPerWorkspaceMonth: standingPerMonth(one.secretsKept, 2048),
      functionMemoryMb: FUNCTION_MEMORY_MB,
    },
    ...(cold ? { coldStart: cold } : {}),
  };

  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  mkdirSync(path.join(ROOT, 'docs/benchmarks'), { recursive: true });
  writeFileSync(
    path.join(ROOT, 'docs/benchmarks/provisioning-timeline.svg'),
    timelineSvg(
      `One provisioning, ${LATENCY_MS} ms per Okta/Kong call (${p.executionMs} ms)`,
      p.facts.steps,
      p.boundMs,
    ),
  );
  writeFileSync(
    path.join(ROOT, 'docs/benchmarks/teardown-timeline.svg'),
    timelineSvg(
      `One teardown, ${LATENCY_MS} ms per Okta/Kong call (${one.teardown.executionMs} ms)`,
      one.teardown.facts.steps,
      one.teardown.boundMs,
    ),
  );
  await writeBenchmarkDocs(ROOT, results);

  console.log(
    `\nkong-portal-provisioner benchmark (${results.machine.cpus} cores, Node ${process.version}, ${results.date})\n`,
  );
  for (const t of targets(results))
    console.log(
      `  ${t.what.padEnd(62)} ${t.measured.padStart(9)}  target ${t.target}${t.met ? '' : '  MISSED'}`,
    );
  console.log(`\n  results: bench/results/latest.json, docs/benchmarks.md\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

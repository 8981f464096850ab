/**
 * `npm run bench`: how fast the local stack starts and how long a provisioning takes end to end
 * (POST -> final status over HTTP, the user's view), plus memory. Bounded: loopback only, a fixed
 * number of runs. Targets come from the issues: ready and first provisioning finished well within
 * a minute of `npm start`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { logger } from '../lambdas/clients/logger';
import { startLocalStack, type LocalStack } from '../local/stack';

const SEQUENTIAL = Number(process.env.BENCH_RUNS ?? 20);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 10);

async function provision(stack: LocalStack, workspace: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${stack.apiUrl}/provisionings`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ workspace, environment: 'bench', oktaGroups: ['Everyone'] }),
  });
  if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  for (;;) {
    const view = (await (await fetch(`${stack.apiUrl}/provisionings/${id}`)).json()) as { status: string };
    if (view.status === 'SUCCEEDED') return performance.now() - started;
    if (view.status !== 'RUNNING') throw new Error(`${workspace} ended ${view.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const ms = (v: number) => `${v.toFixed(0)} ms`;

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  logger.setLogLevel('SILENT');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kpp-bench-'));
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  const stack = await startLocalStack({ dataDir, port: 0 });
  const ready = performance.now() - t0;
  try {
    const kong = stack.kongSandbox!;
    const first = (kong.control.addWorkspace('bench-first'), await provision(stack, 'bench-first'));

    const sequential: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      kong.control.addWorkspace(`bench-s${i}`);
      sequential.push(await provision(stack, `bench-s${i}`));
    }
    for (let i = 0; i < CONCURRENT; i++) kong.control.addWorkspace(`bench-c${i}`);
    const c0 = performance.now();
    const concurrent = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => provision(stack, `bench-c${i}`)),
    );
    const wall = performance.now() - c0;

    const rows = [
      ['local stack ready (npm start)', ms(ready), 'target < 60 s'],
      ['first provisioning, POST -> SUCCEEDED', ms(first), 'target: ready + first < 60 s'],
      [`sequential provisioning p50 (n=${SEQUENTIAL})`, ms(percentile(sequential, 50)), ''],
      [`sequential provisioning p95 (n=${SEQUENTIAL})`, ms(percentile(sequential, 95)), ''],
      [`${CONCURRENT} concurrent workspaces, wall`, ms(wall), `p95 ${ms(percentile(concurrent, 95))}`],
      ['peak RSS of the whole local stack', `${(peakRss / 1024 / 1024).toFixed(0)} MiB`, ''],
    ];
    console.log(
      `\nkong-portal-provisioner benchmark (Node ${process.version}, ${new Date().toISOString()})\n`,
    );
    for (const [what, value, note] of rows)
      console.log(`  ${what!.padEnd(46)} ${value!.padStart(9)}  ${note}`);
    const ok = ready + first < 60_000;
    console.log(`\n  newcomer target (ready + first provisioning < 60 s): ${ok ? 'met' : 'MISSED'}\n`);
    if (!ok) process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/**
 * docs/benchmarks.md, generated from bench/results/latest.json alone: the same results always
 * give the same document, so a test can tell when the document is stale.
 */
import type { CostPerThousand, RunUsage } from './cost';
import { PRICES } from './cost';
import { PROVISIONING_ROUNDS, TEARDOWN_ROUNDS, type Round } from './critical-path';
import { TARGETS, withinTarget, type ColdStartResult } from './cold-start';
import type { BaselineResult, BurstResult, SingleResult } from './scenarios';

export interface BenchResults {
  date: string;
  commit: string;
  machine: { node: string; platform: string; cpus: number; cpuModel: string; memoryGiB: number };
  single: SingleResult;
  burst: BurstResult;
  baseline: BaselineResult;
  cost: {
    usage: RunUsage;
    perThousand: CostPerThousand;
    standingPerWorkspaceMonth: { secrets: number; dynamoDb: number; total: number };
    functionMemoryMb: { oktaSteps: number; otherSteps: number };
  };
  coldStart: { rows: ColdStartResult[]; command: string; notes?: string[] };
}

export interface Target {
  what: string;
  target: string;
  measured: string;
  met: boolean;
  /** For an upper-bound target: the figure and its limit, to say by how much it is missed. */
  value?: number;
  limit?: number;
}

const usd = (n: number) => `$${n.toFixed(4)}`;
/** Bundle sizes in kB of 1,000 bytes, as the cold-start targets are read (bench/cold-start.ts). */
const kB = (bytes: number) => `${Math.round(bytes / 1000)} kB`;

export function targets(r: BenchResults): Target[] {
  const t: Target[] = [
    {
      what: 'single provisioning, execution time / critical-path bound',
      target: '<= 1.25 (stretch 1.15)',
      measured: `${r.single.provisioning.ratio}`,
      met: r.single.provisioning.ratio <= 1.25,
      value: r.single.provisioning.ratio,
      limit: 1.25,
    },
    {
      what: 'teardown, execution time / critical-path bound',
      target: '<= 1.25',
      measured: `${r.single.teardown.ratio}`,
      met: r.single.teardown.ratio <= 1.25,
      value: r.single.teardown.ratio,
      limit: 1.25,
    },
    {
      what: `burst of ${r.burst.runs}: success`,
      target: '100 %',
      measured: `${Math.round((100 * r.burst.succeeded) / r.burst.runs)} %`,
      met: r.burst.succeeded === r.burst.runs,
    },
    {
      what: 'burst: duplicates',
      target: '0',
      measured: `${r.burst.duplicates}`,
      met: r.burst.duplicates === 0,
    },
    {
      what: 'burst: wall time / rate-limit bound',
      target: '<= 1.3',
      measured: `${r.burst.ratio}`,
      met: r.burst.ratio <= 1.3,
      value: r.burst.ratio,
      limit: 1.3,
    },
    {
      what: 'state transitions per provisioning',
      target: '<= 30',
      measured: `${r.cost.usage.stateTransitions}`,
      met: r.cost.usage.stateTransitions <= 30,
    },
  ];
  const kinds = [...new Set(r.coldStart.rows.map((row) => row.kind))];
  for (const kind of kinds) {
    const rows = r.coldStart.rows.filter((row) => row.kind === kind);
    const target = TARGETS[kind];
    const asDeployed = (row: ColdStartResult) =>
      Math.round(row.deployedWithSourceMaps ? row.initWithSourceMaps.ms : row.init.ms);
    const largest = Math.max(...rows.map((row) => row.bundleBytes));
    const slowest = Math.max(...rows.map(asDeployed));
    const over = (name: (row: ColdStartResult) => boolean) => rows.filter(name).map((row) => row.name);
    const bigOnes = over((row) => !withinTarget(row).bytes);
    const slowOnes = over((row) => !withinTarget(row).ms);
    t.push(
      {
        what: `${kind} functions: largest bundle${bigOnes.length ? ` (over: ${bigOnes.join(', ')})` : ''}`,
        target: `<= ${kB(target.bytes)}`,
        measured: kB(largest),
        met: bigOnes.length === 0,
        value: largest,
        limit: target.bytes,
      },
      {
        what: `${kind} functions: slowest init${slowOnes.length ? ` (over: ${slowOnes.join(', ')})` : ''}`,
        target: `<= ${target.ms} ms`,
        measured: `${slowest} ms`,
        met: slowOnes.length === 0,
        value: slowest,
        limit: target.ms,
      },
    );
  }
  return t;
}

export function verdict(t: Target): string {
  if (t.met) return 'met';
  if (t.value === undefined || !t.limit) return '**missed**';
  const over = (100 * (t.value - t.limit)) / t.limit;
  return `**missed** by ${over < 1 ? over.toPrecision(1) : Math.round(over)} %`;
}

/** One timed run as a row of the single-run table. */
function runRow(name: string, run: SingleResult['provisioning']): Array<string | number> {
  return [
    name,
    `${run.executionMs} ms`,
    `${run.userMs} ms`,
    run.vendorCalls,
    `${run.boundMs} ms`,
    run.ratio,
    run.facts.stateTransitions,
    run.facts.lambdaInvocations,
  ];
}

/** A Markdown table with aligned columns, readable as plain text too. */
function table(head: string[], rows: Array<Array<string | number>>): string {
  const cells = [head, ...rows.map((row) => row.map(String))];
  const widths = head.map((_, i) => Math.max(3, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

function roundsTable(rounds: readonly Round[]): string {
  return table(
    ['round', 'calls (at the same time)', 'needs'],
    rounds.map((r, i) => [i + 1, r.calls.map((c) => `\`${c}\``).join(', '), r.needs]),
  );
}

export function renderBenchmarks(r: BenchResults): string {
  const p = r.single.provisioning;
  const td = r.single.teardown;
  const lines: string[] = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` from \`bench/results/latest.json\` - do not edit by hand.`,
    '',
    `- date: ${r.date}`,
    `- commit: ${r.commit}`,
    `- machine: ${r.machine.cpus} x ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, ${r.machine.platform}, Node ${r.machine.node}`,
    '',
    '## Targets',
    '',
    table(
      ['measure', 'target', 'measured', ''],
      targets(r).map((t) => [t.what, t.target, t.measured, verdict(t)]),
    ),
    '',
    '## Single provisioning and teardown',
    '',
    `Every Okta and Kong call takes ${r.single.latencyMs} ms (the sandboxes' latency setting). Time is the execution's, from its Step Functions history (start to stop); the user's view (POST to final status over HTTP, polled every 10 ms) is beside it. The bound is the number of rounds of calls that depend on each other times ${r.single.latencyMs} ms (below). ${r.single.repeats} workspaces were provisioned and torn down one after another; the table shows the run of median execution time (every run's ratio: provisioning ${r.single.ratios.provisioning.join(', ')}; teardown ${r.single.ratios.teardown.join(', ')}).`,
    '',
    table(
      [
        'run',
        'execution',
        'POST -> final',
        'Okta/Kong calls',
        'bound',
        'ratio',
        'state transitions',
        'Lambda invocations',
      ],
      [runRow('provisioning', p), runRow('teardown', td)],
    ),
    '',
    '![One provisioning, step by step](benchmarks/provisioning-timeline.svg)',
    '',
    '### The critical path of a provisioning',
    '',
    roundsTable(PROVISIONING_ROUNDS),
    '',
    '### The critical path of a teardown',
    '',
    roundsTable(TEARDOWN_ROUNDS),
    '',
    '## Burst',
    '',
    `${r.burst.runs} provisionings for ${r.burst.runs} workspaces submitted at once; every call takes ${r.burst.latencyMs} ms; the Okta sandbox enforces Okta's per-minute limits for a One App org and a concurrency limit of ${r.burst.concurrency}, with a minute of ${r.burst.minuteMs} ms (time factor ${r.burst.timeFactor}); Step Functions' retry waits are scaled by the same factor. The bound is the busiest bucket's calls per run x runs / its per-minute limit, as the issue defines it: a steady rate. Okta's limits are per fixed window (a bucket's quota renews each minute), so a burst can use one window's whole quota and the next window's at its start, and finish below that bound: a ratio under 1 is possible and says the run kept up with the windows. Okta's reset header is in whole seconds, which is why the minute is not scaled further.`,
    '',
    table(
      [
        'runs',
        'succeeded',
        'duplicates',
        'wall',
        'bound',
        'ratio',
        'Okta calls',
        '429 answers',
        'peak in flight',
      ],
      [
        [
          r.burst.runs,
          r.burst.succeeded,
          r.burst.duplicates,
          `${r.burst.wallMs} ms`,
          `${r.burst.boundMs} ms (\`${r.burst.boundBucket}\`)`,
          r.burst.ratio,
          r.burst.oktaCalls,
          r.burst.refused429,
          r.burst.peakInFlight,
        ],
      ],
    ),
    '',
    'Okta calls per provisioning, per rate-limit bucket:',
    '',
    table(
      ['bucket', 'calls per run'],
      Object.entries(r.burst.callsPerBucketPerRun).map(([bucket, n]) => [`\`${bucket}\``, n]),
    ),
    '',
  ];
  lines.push(
    '## Cold start',
    '',
    `Each function bundled as the stack bundles it (bench/bundle.ts); module init - what Lambda's Init phase spends before the first event - measured in a fresh \`node\` process, median of 5, wall and CPU time (\`${r.coldStart.command}\`). "maps" says whether the deployed function turns on \`--enable-source-maps\` (none does: frames are mapped at the handler boundary on the first error, lambdas/clients/stack-traces.ts).`,
    '',
    table(
      [
        'function',
        'kind',
        'bundle',
        'init',
        'init with --enable-source-maps',
        'maps',
        'RSS after init',
        'target',
        'met',
      ],
      r.coldStart.rows.map((row) => {
        const ok = withinTarget(row);
        return [
          row.name,
          row.kind,
          kB(row.bundleBytes),
          `${Math.round(row.init.ms)} ms (CPU ${Math.round(row.init.cpuMs)} ms)`,
          `${Math.round(row.initWithSourceMaps.ms)} ms (CPU ${Math.round(row.initWithSourceMaps.cpuMs)} ms)`,
          row.deployedWithSourceMaps ? 'on' : 'off',
          `${Math.round(row.rssMb)} MB`,
          `${kB(TARGETS[row.kind].bytes)} / ${TARGETS[row.kind].ms} ms`,
          ok.bytes && ok.ms
            ? 'yes'
            : `no (${[!ok.bytes ? 'size' : '', !ok.ms ? 'init' : ''].filter(Boolean).join(', ')})`,
        ];
      }),
    ),
    '',
    ...(r.coldStart.notes ?? []).map((n) => `- ${n}`),
    ...(r.coldStart.notes?.length ? [''] : []),
  );
  const c = r.cost;
  lines.push(
    '## Cost',
    '',
    `List prices in ${PRICES.region}, read on ${PRICES.readOn}, free tiers left out: Step Functions $0.025 per 1,000 state transitions; Lambda (arm64) $0.20 per million requests and $0.0000133334 per GB-second; Secrets Manager $0.40 per secret per month and $0.05 per 10,000 API calls; API Gateway REST $3.50 per million requests; DynamoDB on demand $0.625 per million writes, $0.125 per million reads, $0.25 per GB-month. Sources: ${PRICES.sources.join(', ')}.`,
    '',
    table(
      ['per provisioning', 'count'],
      [
        ['state transitions', c.usage.stateTransitions],
        ['Lambda invocations (steps, the API call, the run-ended handler)', c.usage.lambdaInvocations],
        [
          `Lambda GB-seconds (Okta steps at ${c.functionMemoryMb.oktaSteps} MB, other steps at ${c.functionMemoryMb.otherSteps} MB, ${r.single.latencyMs} ms per vendor call)`,
          c.usage.lambdaGbSeconds,
        ],
        ['Secrets Manager API calls', c.usage.secretsManagerCalls],
        ['API Gateway requests', c.usage.apiRequests],
        [
          'DynamoDB writes / reads (counted from the code path)',
          `${c.usage.dynamoDbWrites} / ${c.usage.dynamoDbReads}`,
        ],
      ],
    ),
    '',
    table(
      ['per 1,000 provisionings', 'USD'],
      [
        ['Step Functions', usd(c.perThousand.stepFunctions)],
        ['Lambda requests', usd(c.perThousand.lambdaRequests)],
        ['Lambda duration', usd(c.perThousand.lambdaDuration)],
        ['Secrets Manager API calls', usd(c.perThousand.secretsManagerCalls)],
        ['API Gateway', usd(c.perThousand.apiGateway)],
        ['DynamoDB', usd(c.perThousand.dynamoDb)],
        ['**total**', `**${usd(c.perThousand.total)}**`],
      ],
    ),
    '',
    `Standing cost of a provisioned workspace: ${r.single.secretsKept} secret(s) kept in Secrets Manager = ${usd(c.standingPerWorkspaceMonth.secrets)} per month, its DynamoDB records ${usd(c.standingPerWorkspaceMonth.dynamoDb)} per month - a workspace kept for a month costs more than ${Math.floor(c.standingPerWorkspaceMonth.total / (c.perThousand.total / 1000))} provisionings.`,
    '',
    'What is kept, and why it must be: the client secret (`.../client-secret`: the one copy the provisioner holds, which ConfigurePortal reads by ARN and a successful run reports by ARN) and the teardown baseline (`.../kong-baseline`: the portal settings before the first provisioning - the only record of them, and a Kong workspace\'s can hold another client secret, session secrets and keys, so it is a secret too). The per-run rollback point is deleted when the run succeeds. Not done: for a workspace whose settings were the product defaults, the baseline could be dropped (saving one secret, half the standing cost) if a later run could tell "defaults, not recorded" from "never recorded"; that needs a marker ResolvePortal can read without reading the client secret (a DescribeSecret-only permission), which this version does not add.',
    '',
    '## The local stack',
    '',
    table(
      ['measure', 'result'],
      [
        ['local stack ready (start-up inside `npm start`)', `${r.baseline.readyMs} ms`],
        ['first provisioning, POST -> SUCCEEDED (no injected latency)', `${r.baseline.firstMs} ms`],
        [
          `provisioning one after another, p50 / p95 (n=${r.baseline.sequentialRuns})`,
          `${r.baseline.sequentialP50Ms} ms / ${r.baseline.sequentialP95Ms} ms`,
        ],
        [`${r.baseline.concurrentRuns} workspaces at once, wall`, `${r.baseline.concurrentWallMs} ms`],
        ['peak RSS of the whole local stack', `${r.baseline.peakRssMiB} MiB`],
      ],
    ),
    '',
  );
  return lines.join('\n');
}

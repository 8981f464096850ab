/**
 * Cold start of every deployed function: its bundle, built exactly as the construct builds it
 * (bench/bundle.ts), and the time to load it - module init, what Lambda's Init phase spends before
 * the first event - in a fresh `node` process each time, median of 5, without and with Node's
 * source-map support. Sequential on purpose: parallel runs on 2 cores measure each other.
 *
 * `npx tsx bench/cold-start.ts [name...]` prints the table; `measureColdStart()` returns the rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bundleFunction, type Bundle } from './bundle';
import { deployedFunctions, type DeployedFunction } from './functions';
import { median, probe, type ProbeResult } from './probe';
import type { FunctionKind } from '../lib/provisioner-function';

export interface InitTime {
  /** Median wall-clock milliseconds of `require(bundle)`. */
  ms: number;
  /** Median CPU milliseconds (user + system) of the same: steadier than wall time on a busy machine. */
  cpuMs: number;
}

export interface ColdStartResult {
  name: string;
  kind: FunctionKind;
  bundleBytes: number;
  sourceMapBytes: number;
  init: InitTime;
  /** The same bundle loaded with `--enable-source-maps`. */
  initWithSourceMaps: InitTime;
  /** Whether the deployed function enables Node's source-map support (NODE_OPTIONS). */
  deployedWithSourceMaps: boolean;
  /** Resident memory after init, MB. */
  rssMb: number;
}

/** The targets (kB and MB in bytes of 1000, the stricter reading). */
export const TARGETS: Record<FunctionKind, { bytes: number; ms: number }> = {
  'okta-step': { bytes: 2_000_000, ms: 250 },
  step: { bytes: 600_000, ms: 100 },
  api: { bytes: 600_000, ms: 100 },
  webhook: { bytes: 600_000, ms: 100 },
  events: { bytes: 600_000, ms: 100 },
};

export interface ColdStartOptions {
  /** Processes per measurement (the median is reported). */
  runs?: number;
  /** Only these functions (by name). */
  names?: readonly string[];
}

type Sample = ProbeResult;

/** One fresh process, with the function's own environment and what Lambda adds. */
function loadOnce(fn: DeployedFunction, bundle: Bundle, sourceMaps: boolean): Sample {
  return probe({
    file: bundle.file,
    env: lambdaEnvironment(fn),
    nodeArgs: sourceMaps ? ['--enable-source-maps'] : [],
  });
}

/** The function's environment as Lambda sets it, without NODE_OPTIONS (each column picks its own). */
export function lambdaEnvironment(fn: DeployedFunction): Record<string, string> {
  const { NODE_OPTIONS: _ignored, ...environment } = fn.environment;
  return { ...environment, AWS_REGION: 'eu-west-1', AWS_LAMBDA_FUNCTION_NAME: fn.name };
}

const summary = (samples: Sample[]): InitTime => ({
  ms: median(samples.map((s) => s.ms)),
  cpuMs: median(samples.map((s) => s.cpuMs)),
});

export async function measureColdStart(options: ColdStartOptions = {}): Promise<ColdStartResult[]> {
  const runs = options.runs ?? 5;
  const functions = deployedFunctions().filter((f) => !options.names || options.names.includes(f.name));
  const dir = mkdtempSync(path.join(tmpdir(), 'kpp-cold-start-'));
  try {
    // Functions sharing an entry share a bundle (the same input gives the same output).
    const entries = [...new Set(functions.map((f) => f.entry))];
    const bundles = new Map(
      await Promise.all(
        entries.map(
          async (entry, i) => [entry, await bundleFunction(entry, path.join(dir, String(i)))] as const,
        ),
      ),
    );
    // One unmeasured load of every bundle first: right after bundling, the first functions measured
    // were up to twice as slow as the same bundle measured alone (files just written, a busy machine).
    for (const fn of functions) loadOnce(fn, bundles.get(fn.entry) as Bundle, false);
    return functions.map((fn) => {
      const bundle = bundles.get(fn.entry) as Bundle;
      const plain: Sample[] = [];
      const mapped: Sample[] = [];
      // Interleaved, so a burst of load on the machine hits both columns alike.
      for (let i = 0; i < runs; i++) {
        plain.push(loadOnce(fn, bundle, false));
        mapped.push(loadOnce(fn, bundle, true));
      }
      return {
        name: fn.name,
        kind: fn.kind,
        bundleBytes: bundle.bytes,
        sourceMapBytes: bundle.mapBytes,
        init: summary(plain),
        initWithSourceMaps: summary(mapped),
        deployedWithSourceMaps: /--enable-source-maps/.test(fn.environment.NODE_OPTIONS ?? ''),
        rssMb: median(plain.map((s) => s.rss)) / 1e6,
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Within target as deployed (with source maps when the function enables them). */
export function withinTarget(r: ColdStartResult): { bytes: boolean; ms: boolean } {
  const target = TARGETS[r.kind];
  const ms = r.deployedWithSourceMaps ? r.initWithSourceMaps.ms : r.init.ms;
  return { bytes: r.bundleBytes <= target.bytes, ms: ms <= target.ms };
}

export function formatTable(results: readonly ColdStartResult[]): string {
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} kB`;
  const t = (time: InitTime) => `${time.ms.toFixed(0)} ms (cpu ${time.cpuMs.toFixed(0)})`;
  const rows = results.map((r) => {
    const ok = withinTarget(r);
    const target = TARGETS[r.kind];
    return [
      r.name,
      r.kind,
      kb(r.bundleBytes) + (ok.bytes ? '' : ' !'),
      kb(r.sourceMapBytes),
      t(r.init) + (ok.ms || r.deployedWithSourceMaps ? '' : ' !'),
      t(r.initWithSourceMaps) + (ok.ms || !r.deployedWithSourceMaps ? '' : ' !'),
      r.deployedWithSourceMaps ? 'on' : 'off',
      `${r.rssMb.toFixed(0)} MB`,
      `${kb(target.bytes)} / ${target.ms} ms`,
    ];
  });
  const header = [
    'function',
    'kind',
    'bundle',
    'map',
    'init',
    'init --enable-source-maps',
    'maps',
    'rss',
    'target',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `node ${process.version}, ${runs(results)}; "!" marks a missed target (as deployed: "maps" says whether the function enables source maps)`,
  ].join('\n');
}

const runs = (results: readonly ColdStartResult[]) =>
  `${results.length} functions, median of 5 fresh processes each`;

if (require.main === module) {
  measureColdStart({ names: process.argv.slice(2).length ? process.argv.slice(2) : undefined })
    .then((results) => console.log(formatTable(results)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}

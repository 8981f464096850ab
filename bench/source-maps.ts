/**
 * What each way of getting stack traces in the original sources costs, on a few step functions of
 * each size: the bundle and map bytes, module init (fresh process, median of 5), and, for an error
 * thrown by the step's own code (the handler invoked with an empty state), how long until its
 * stack reads and what its first frame says. The choice and its reasons are in
 * lib/provisioner-function.ts.
 *
 * `npx tsx bench/source-maps.ts [function...]` prints the table.
 */
import { SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FUNCTION_BUNDLING } from '../lib/bundling';
import { bundleFunction } from './bundle';
import { lambdaEnvironment } from './cold-start';
import { deployedFunctions } from './functions';
import { median, probe } from './probe';

interface SourceMapOption {
  name: string;
  bundling: Partial<BundlingOptions>;
  nodeArgs: string[];
  setSourceMapsAtError?: boolean;
}

export const SOURCE_MAP_OPTIONS: readonly SourceMapOption[] = [
  { name: 'no source map', bundling: { sourceMap: false }, nodeArgs: [] },
  {
    name: '--enable-source-maps, external map with sources',
    bundling: { sourceMap: true, sourcesContent: true },
    nodeArgs: ['--enable-source-maps'],
  },
  {
    name: '--enable-source-maps, external map, no sources',
    bundling: { sourceMap: true, sourcesContent: false },
    nodeArgs: ['--enable-source-maps'],
  },
  {
    name: '--enable-source-maps, inline map, no sources',
    bundling: { sourceMap: true, sourceMapMode: SourceMapMode.INLINE, sourcesContent: false },
    nodeArgs: ['--enable-source-maps'],
  },
  {
    name: 'setSourceMapsEnabled(true) after init',
    bundling: { sourceMap: true, sourcesContent: false },
    nodeArgs: [],
    setSourceMapsAtError: true,
  },
  {
    name: 'map read when an error leaves the handler',
    bundling: { sourceMap: true, sourcesContent: false },
    nodeArgs: [],
  },
];

export interface SourceMapResult {
  option: string;
  fn: string;
  bundleBytes: number;
  mapBytes: number;
  initMs: number;
  /** From the call to a readable stack of the error (includes mapping it, where that is done). */
  errorMs: number;
  frame: string;
}

/** A step whose code fails at once on an empty state, for each bundle size (no client, Kong, Okta). */
const DEFAULT_FUNCTIONS = ['ValidatePlan', 'ConfigurePortal', 'CreateClaim', 'ResolveOktaInputs'];

export async function compareSourceMaps(names: readonly string[] = DEFAULT_FUNCTIONS, runs = 5) {
  const functions = deployedFunctions().filter((f) => names.includes(f.name));
  const dir = mkdtempSync(path.join(tmpdir(), 'kpp-source-maps-'));
  const results: SourceMapResult[] = [];
  try {
    for (const [i, option] of SOURCE_MAP_OPTIONS.entries()) {
      for (const fn of functions) {
        const bundle = await bundleFunction(fn.entry, path.join(dir, `${i}-${fn.name}`), {
          ...FUNCTION_BUNDLING,
          ...option.bundling,
        });
        // Without the vendors' URLs the step gets no clients and fails in its own code, offline.
        const env = Object.fromEntries(
          Object.entries(lambdaEnvironment(fn)).filter(([k]) => !/^(OKTA|KONG|REQUESTS)_/.test(k)),
        );
        const samples = Array.from({ length: runs }, () =>
          probe({
            file: bundle.file,
            env,
            nodeArgs: option.nodeArgs,
            invoke: true,
            setSourceMapsAtError: option.setSourceMapsAtError ?? false,
          }),
        );
        results.push({
          option: option.name,
          fn: fn.name,
          bundleBytes: bundle.bytes,
          mapBytes: bundle.mapBytes,
          initMs: median(samples.map((s) => s.ms)),
          errorMs: median(samples.map((s) => s.errorMs ?? NaN)),
          frame: samples[0]?.frame ?? '',
        });
      }
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatSourceMapTable(results: readonly SourceMapResult[]): string {
  const rows = results.map((r) => [
    r.option,
    r.fn,
    `${(r.bundleBytes / 1000).toFixed(0)} kB`,
    `${(r.mapBytes / 1000).toFixed(0)} kB`,
    `${r.initMs.toFixed(0)} ms`,
    `${r.errorMs.toFixed(0)} ms`,
    r.frame.replace(/\(\/.*\/(kpp-source-maps-[^/]+\/)/, '(<tmp>/').slice(0, 80),
  ]);
  const header = ['option', 'function', 'bundle', 'map', 'init', 'error -> stack', 'first frame'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

if (require.main === module) {
  const names = process.argv.slice(2);
  compareSourceMaps(names.length ? names : undefined)
    .then((results) => console.log(formatSourceMapTable(results)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}

/**
 * One fresh `node` process that loads a bundle (module init, as Lambda's Init phase does) and,
 * when asked, invokes its handler with an empty event to see how the error it throws reads.
 * The process gets only the given environment (and PATH): nothing of the caller's shell.
 */
import { execFileSync } from 'node:child_process';

export interface ProbeResult {
  /** Wall-clock milliseconds of `require(bundle)`. */
  ms: number;
  /** CPU milliseconds (user + system) of the same. */
  cpuMs: number;
  /** Resident memory after init, bytes. */
  rss: number;
  /** With `invoke`: milliseconds from the call to a readable stack of the error it threw. */
  errorMs?: number;
  /** With `invoke`: the error's first stack frame. */
  frame?: string;
}

const MARK = '@@probe@@';
const SCRIPT = `
const { performance } = require('node:perf_hooks');
const report = (r) => process.stdout.write('\\n${MARK}' + JSON.stringify(r));
const cpu = process.cpuUsage();
const t0 = performance.now();
const fn = require(process.env.PROBE_BUNDLE);
const ms = performance.now() - t0;
const used = process.cpuUsage(cpu);
const result = { ms, cpuMs: (used.user + used.system) / 1000, rss: process.memoryUsage().rss };
if (!process.env.PROBE_INVOKE) report(result);
else {
  const context = { getRemainingTimeInMillis: () => 60000, functionName: 'probe', awsRequestId: 'probe' };
  // Enabled after the bundle loaded: whether Node then maps its frames (it does not: see stack-traces.ts).
  if (process.env.PROBE_SET_SOURCE_MAPS) process.setSourceMapsEnabled(true);
  const t1 = performance.now();
  Promise.resolve()
    .then(() => fn.handler({ state: {}, attempt: 0 }, context))
    .then(
      () => report({ ...result, frame: '(no error)' }),
      (err) => {
        const frame = String(err && err.stack).split('\\n').find((l) => /^\\s+at /.test(l)) || '';
        report({ ...result, errorMs: performance.now() - t1, frame: frame.trim() });
      },
    );
}
`;

export interface ProbeOptions {
  file: string;
  env: Record<string, string>;
  nodeArgs?: readonly string[];
  invoke?: boolean;
  /** Call process.setSourceMapsEnabled(true) after the bundle loaded, before the handler runs. */
  setSourceMapsAtError?: boolean;
}

export function probe(options: ProbeOptions): ProbeResult {
  const out = execFileSync(process.execPath, [...(options.nodeArgs ?? []), '-e', SCRIPT], {
    env: {
      PATH: process.env.PATH ?? '',
      ...options.env,
      PROBE_BUNDLE: options.file,
      ...(options.invoke ? { PROBE_INVOKE: '1' } : {}),
      ...(options.setSourceMapsAtError ? { PROBE_SET_SOURCE_MAPS: '1' } : {}),
    },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.slice(out.lastIndexOf(MARK) + MARK.length)) as ProbeResult;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

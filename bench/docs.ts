/**
 * Writing the benchmark's results and the document generated from them. Both are left out of
 * prettier (.prettierignore): the renderer's output is the file, byte for byte, so the staleness
 * test compares it with a plain string comparison.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderBenchmarks, type BenchResults } from './report';

export const RESULTS_FILE = 'bench/results/latest.json';
export const DOC_FILE = 'docs/benchmarks.md';

/** The document the given results produce. */
export function benchmarkDoc(results: BenchResults): string {
  return renderBenchmarks(results);
}

export function writeBenchmarkDocs(root: string, results: BenchResults): void {
  writeFileSync(path.join(root, RESULTS_FILE), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(root, DOC_FILE), benchmarkDoc(results));
}

export function readResults(root: string): BenchResults {
  return JSON.parse(readFileSync(path.join(root, RESULTS_FILE), 'utf8')) as BenchResults;
}

// `npx tsx bench/docs.ts`: the document again from the stored results (after a change to the renderer).
if (require.main === module) {
  const root = path.join(__dirname, '..');
  writeBenchmarkDocs(root, readResults(root));
}

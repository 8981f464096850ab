/**
 * Writing the benchmark's results and the document generated from them, both formatted the way the
 * repository formats its files (prettier), so `prettier --check` and the staleness test agree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as prettier from 'prettier';
import { renderBenchmarks, type BenchResults } from './report';

export const RESULTS_FILE = 'bench/results/latest.json';
export const DOC_FILE = 'docs/benchmarks.md';

async function formatted(root: string, text: string, file: string): Promise<string> {
  const options = (await prettier.resolveConfig(path.join(root, file))) ?? {};
  return prettier.format(text, { ...options, filepath: path.join(root, file) });
}

/** The document the given results produce. */
export function benchmarkDoc(root: string, results: BenchResults): Promise<string> {
  return formatted(root, renderBenchmarks(results), DOC_FILE);
}

export async function writeBenchmarkDocs(root: string, results: BenchResults): Promise<void> {
  writeFileSync(path.join(root, RESULTS_FILE), await formatted(root, JSON.stringify(results), RESULTS_FILE));
  writeFileSync(path.join(root, DOC_FILE), await benchmarkDoc(root, results));
}

export function readResults(root: string): BenchResults {
  return JSON.parse(readFileSync(path.join(root, RESULTS_FILE), 'utf8')) as BenchResults;
}

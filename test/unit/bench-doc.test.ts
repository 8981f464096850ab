// Intent: docs/benchmarks.md is exactly what `npm run bench` generates from the results it wrote,
// and those results still describe the code: the critical-path tables come from the code, and the
// cold-start table names every function the stack deploys. A hand edit, a stale document or a
// function added without re-running the bench fails here.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { benchmarkDoc, DOC_FILE, readResults } from '../../bench/docs';
import { deployedFunctions } from '../../bench/functions';
import { targets } from '../../bench/report';

const ROOT = path.join(__dirname, '../..');

it('docs/benchmarks.md is the document generated from bench/results/latest.json', () => {
  const results = readResults(ROOT);
  expect(readFileSync(path.join(ROOT, DOC_FILE), 'utf8')).toBe(benchmarkDoc(results));
});

it('the results cover every function the stack deploys, and every issue target is judged', () => {
  const results = readResults(ROOT);
  const measured = results.coldStart.rows.map((r) => r.name).sort();
  expect(measured).toEqual(
    deployedFunctions()
      .map((f) => f.name)
      .sort(),
  );
  const judged = targets(results).map((t) => t.what);
  for (const what of [
    'single provisioning',
    'teardown',
    'burst of',
    'duplicates',
    'rate-limit bound',
    'state transitions',
    'okta-step functions: largest bundle',
    'okta-step functions: slowest init',
    'step functions: largest bundle',
    'api functions: slowest init',
  ])
    expect(judged.some((w) => w.includes(what))).toBe(true);
});

it('the README links the benchmark document and the step timeline', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  expect(readme).toContain('](docs/benchmarks.md)');
  expect(readme).toContain('](docs/benchmarks/provisioning-timeline.svg)');
});

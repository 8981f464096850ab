// Intent: the workflow diagram in the README is the one generated from the step catalogue, so the
// documentation cannot drift from what the state machine does.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { workflowDiagram } from '../../lambdas/steps/diagram';

it('README shows the workflow exactly as the catalogue defines it', () => {
  const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  expect(readme).toContain(workflowDiagram());
});

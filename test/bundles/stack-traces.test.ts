// Intent: functions load without Node's source-map support (it costs every cold start), yet an
// error that leaves a step function still reads in our sources: the handler boundary maps its
// frames from the map shipped beside the bundle, leaving its name and message as they were.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bundleFunction } from '../../bench/bundle';
import { probe } from '../../bench/probe';
import { originalStack } from '../../lambdas/clients/stack-traces';
import { stepEntry } from '../../lib/provisioner-function';

const dir = mkdtempSync(path.join(tmpdir(), 'kpp-stack-traces-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('an error leaving a bundled step function has its frames in the repository sources', async () => {
  const bundle = await bundleFunction(stepEntry('ValidatePlan'), dir);
  const env = { STEP_NAME: 'ValidatePlan', POWERTOOLS_LOG_LEVEL: 'SILENT' };
  const { frame } = probe({ file: bundle.file, env, invoke: true });
  // The empty state has no requestId: ValidationError.of, thrown from core/errors.ts.
  expect(frame).toMatch(/^at ValidationError\.of \(lambdas\/core\/errors\.ts:\d+:\d+\)$/);
}, 60_000);

it('leaves frames without a map beside them, and the first line, as they are', () => {
  const stack = [
    'TransientError: Okta listApplications failed (HTTP 503)',
    '    at OktaApi.call (/nowhere/index.js:1:2345)',
    '    at node:internal/process/task_queues:95:5',
  ].join('\n');
  expect(originalStack(stack)).toBe(stack);
});

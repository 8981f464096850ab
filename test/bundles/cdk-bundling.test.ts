// Intent: the bench and the bundle tests measure what is deployed. A function synthesized with real
// bundling (CDK running the local esbuild from its command line) and bench/bundle.ts (esbuild's API,
// same options) produce byte-identical code and the same source map.
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bundleFunction } from '../../bench/bundle';
import { FUNCTION_BUNDLING } from '../../lib/bundling';
import { stepEntry } from '../../lib/provisioner-function';

const dir = mkdtempSync(path.join(tmpdir(), 'kpp-cdk-bundling-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('bench/bundle.ts builds exactly what NodejsFunction deploys', async () => {
  // A small function that still reaches an AWS SDK client, zod and the Kong client's axios.
  const entry = stepEntry('ConfigurePortal');
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  new NodejsFunction(new Stack(app, 'Bundling'), 'Fn', {
    entry,
    runtime: lambda.Runtime.NODEJS_22_X,
    bundling: FUNCTION_BUNDLING,
  });
  app.synth();
  const assets = readdirSync(path.join(dir, 'cdk.out')).filter((d) => d.startsWith('asset.'));
  expect(assets).toHaveLength(1);
  const deployed = path.join(dir, 'cdk.out', assets[0] ?? '');
  const ours = await bundleFunction(entry, path.join(dir, 'bench'));
  expect(readFileSync(ours.file).equals(readFileSync(path.join(deployed, 'index.js')))).toBe(true);
  const map = (file: string) => {
    const { mappings, names, sourcesContent } = JSON.parse(readFileSync(file, 'utf8')) as Record<
      string,
      unknown
    >;
    return { mappings, names, sourcesContent };
  };
  expect(map(`${ours.file}.map`)).toEqual(map(path.join(deployed, 'index.js.map')));
}, 120_000);

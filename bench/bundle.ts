/**
 * A function's bundle, built the way NodejsFunction builds it at synth: the construct's own bundling
 * options (lib/bundling.ts), turned into esbuild's API options exactly as aws-cdk-lib turns them into
 * esbuild's command line (aws-lambda-nodejs/lib/bundling.js, buildEsbuildArgs). An option that is
 * not mapped here fails loudly rather than bundling differently from a deployment.
 */
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { FUNCTION_BUNDLING } from '../lib/bundling';

export const PROJECT_ROOT = path.resolve(__dirname, '..');

const MAPPED = new Set([
  'minify',
  'keepNames',
  'sourceMap',
  'sourceMapMode',
  'sourcesContent',
  'target',
  'format',
  'mainFields',
  'externalModules',
  'esbuildArgs',
  'forceDockerBundling',
]);

/** esbuild's CLI flags CDK passes through `esbuildArgs` that the bench understands. */
function aliasesOf(esbuildArgs: BundlingOptions['esbuildArgs']): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const [flag, value] of Object.entries(esbuildArgs ?? {})) {
    if (flag !== '--alias') throw new Error(`bench/bundle.ts does not map esbuildArgs '${flag}'`);
    for (const item of Array.isArray(value) ? value : [String(value)]) {
      const [from, to] = item.split('=');
      if (!from || !to) throw new Error(`--alias '${item}' is not from=to`);
      aliases[from] = to;
    }
  }
  return aliases;
}

const outfileName = (bundling: BundlingOptions) => (bundling.format === 'esm' ? 'index.mjs' : 'index.js');

export function esbuildOptionsFor(
  entry: string,
  outdir: string,
  bundling: BundlingOptions = FUNCTION_BUNDLING,
): BuildOptions {
  const unmapped = Object.keys(bundling).filter((key) => !MAPPED.has(key));
  if (unmapped.length)
    throw new Error(`bench/bundle.ts does not map bundling option(s) ${unmapped.join(', ')}`);
  const mode = bundling.sourceMapMode ?? (bundling.sourceMap ? 'default' : undefined);
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    outfile: path.join(outdir, outfileName(bundling)),
    absWorkingDir: PROJECT_ROOT,
    ...(bundling.target ? { target: bundling.target } : {}),
    ...(bundling.format ? { format: bundling.format } : {}),
    ...(bundling.minify ? { minify: true } : {}),
    // CDK's `--sourcemap` (mode default) is esbuild's linked map: index.js.map plus a comment.
    ...(mode ? { sourcemap: mode === 'default' ? true : mode } : {}),
    ...(bundling.sourcesContent === false ? { sourcesContent: false } : {}),
    external: [...(bundling.externalModules ?? [])],
    ...(bundling.keepNames ? { keepNames: true } : {}),
    ...(bundling.mainFields ? { mainFields: [...bundling.mainFields] } : {}),
    alias: aliasesOf(bundling.esbuildArgs),
    metafile: true,
    logLevel: 'error',
  };
}

export interface Bundle {
  file: string;
  bytes: number;
  /** Bytes of the separate source map (0 when there is none). */
  mapBytes: number;
  metafile: Metafile;
}

export async function bundleFunction(
  entry: string,
  outdir: string,
  bundling: BundlingOptions = FUNCTION_BUNDLING,
): Promise<Bundle> {
  const options = esbuildOptionsFor(entry, outdir, bundling);
  const { metafile } = await build(options);
  const file = path.join(outdir, outfileName(bundling));
  if (!metafile) throw new Error(`esbuild returned no metafile for ${entry}`);
  const map = statSync(`${file}.map`, { throwIfNoEntry: false });
  return { file, bytes: statSync(file).size, mapBytes: map?.size ?? 0, metafile };
}

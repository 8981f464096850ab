/**
 * Every deployed function's module graph, bundled with the construct's own options (bench/bundle.ts)
 * in one esbuild run with one entry per function: the same graph each function's own build has,
 * in a fraction of the time.
 */
import { build, type Metafile } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { esbuildOptionsFor } from '../../bench/bundle';
import { deployedFunctions, type DeployedFunction } from '../../bench/functions';

export interface FunctionGraph {
  fn: DeployedFunction;
  /** Inputs that put code into the function's bundle (repository paths, node_modules/... for packages). */
  inputs: string[];
  /** The whole build's inputs, with how each was imported (shared by all functions). */
  all: Metafile['inputs'];
}

export async function functionGraphs(): Promise<FunctionGraph[]> {
  const functions = deployedFunctions();
  const outdir = mkdtempSync(path.join(tmpdir(), 'kpp-bundles-'));
  try {
    const { outfile: _single, ...options } = esbuildOptionsFor(functions[0]?.entry ?? '', outdir);
    const { metafile } = await build({
      ...options,
      entryPoints: Object.fromEntries(functions.map((f) => [f.name, f.entry])),
      outdir,
      write: false,
    });
    if (!metafile) throw new Error('esbuild returned no metafile');
    return functions.map((fn) => {
      const output =
        metafile.outputs[path.relative(options.absWorkingDir ?? '', path.join(outdir, `${fn.name}.js`))];
      if (!output) throw new Error(`no output for ${fn.name}`);
      const inputs = Object.entries(output.inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([file]) => file);
      return { fn, inputs, all: metafile.inputs };
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * What a Parallel state of our flows hands on. Every branch gets a copy of the state and writes its
 * steps' results into it as if it ran alone; Step Functions then returns the branches' documents as
 * an array. The selector built here rebuilds `$.resources` from that array: the results written
 * before the Parallel plus each branch step's own result (settled-parallel.ts reads them once every
 * branch has ended).
 */
import type { FlowNode, StepMeta } from '../lambdas/steps/catalogue';
import { isParallel } from '../lambdas/steps/catalogue';

type Selector = { [key: string]: string | Selector };

/** The result keys the nodes write, in flow order (dotted: `authorization.claim`). */
export function resultKeysOf(nodes: readonly FlowNode[]): string[] {
  return nodes
    .flatMap((node) => (isParallel(node) ? node.branches.flat() : [node]))
    .flatMap((step) => (step.resultKey ? [step.resultKey] : []));
}

function place(tree: Selector, path: string, source: string): void {
  const parts = path.split('.');
  const leaf = parts.pop() as string;
  let node = tree;
  for (const part of parts) {
    const child = node[part] ?? (node[part] = {});
    if (typeof child === 'string' || `${part}.$` in node)
      throw new Error(`result key '${path}' lies inside another result`);
    node = child;
  }
  if (leaf in node || `${leaf}.$` in node) throw new Error(`result key '${path}' is written twice`);
  node[`${leaf}.$`] = source;
}

/** Where the results are read from: by default a ResultSelector's view (the branches' array). */
export interface ResultRoots {
  before: string;
  branch(index: number): string;
}

const SELECTOR_ROOTS: ResultRoots = { before: '$[0].resources', branch: (i) => `$[${i}].resources` };

export function parallelResultSelector(
  before: readonly string[],
  branches: ReadonlyArray<readonly StepMeta[]>,
  roots: ResultRoots = SELECTOR_ROOTS,
): Selector {
  const tree: Selector = {};
  for (const key of before) place(tree, key, `${roots.before}.${key}`);
  branches.forEach((branch, i) => {
    for (const key of resultKeysOf(branch)) place(tree, key, `${roots.branch(i)}.${key}`);
  });
  return tree;
}

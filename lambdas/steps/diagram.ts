/**
 * The workflow as a Mermaid diagram, generated from the step catalogue so the README cannot drift
 * from what runs (a unit test compares them; `npm run diagram` prints it).
 */
import {
  compensationChain,
  compensationEntry,
  isParallel,
  provisioningFlow,
  type FlowNode,
} from './catalogue';

const id = (name: string) => name.replace(/[^A-Za-z0-9]/g, '');

export function workflowDiagram(flow: readonly FlowNode[] = provisioningFlow): string {
  const lines = ['flowchart TD'];
  let previous: string[] = [];
  const link = (from: string[], to: string) => from.forEach((f) => lines.push(`  ${f} --> ${to}`));
  for (const node of flow) {
    if (isParallel(node)) {
      const ends: string[] = [];
      for (const branch of node.branches) {
        let branchPrevious = previous;
        for (const step of branch) {
          link(branchPrevious, id(step.name));
          branchPrevious = [id(step.name)];
        }
        ends.push(...branchPrevious);
      }
      previous = ends;
    } else {
      link(previous, id(node.name));
      previous = [id(node.name)];
      if (node.lastPlanningStep) {
        lines.push(`  ${id(node.name)} -. dryRun .-> FinalizePlan([FinalizePlan: return the plan])`);
      }
    }
  }
  link(previous, 'FinalizeSucceeded([FinalizeSucceeded])');
  const chain = compensationChain(flow);
  chain.forEach((undo, i) => {
    const next = chain[i + 1] ?? 'FinalizeFailed([FinalizeFailed: ProvisioningFailed or CleanupIncomplete])';
    lines.push(`  ${id(undo)}[/${undo}/] --> ${i + 1 < chain.length ? id(next) : next}`);
  });
  for (const node of flow) {
    const entry = compensationEntry(flow, node.name);
    const from = isParallel(node)
      ? node.branches.map((b) => id(b[b.length - 1]?.name ?? ''))
      : [id(node.name)];
    from.forEach((f) => lines.push(`  ${f} -. fails .-> ${entry ? id(entry) : 'FinalizeFailed'}`));
  }
  return lines.join('\n');
}

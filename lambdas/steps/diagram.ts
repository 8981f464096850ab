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

/**
 * Steps run at the same time are drawn inside a subgraph named after their Parallel state; the
 * flow links node to node (a subgraph stands for all of its branches).
 */
export function workflowDiagram(flow: readonly FlowNode[] = provisioningFlow): string {
  const lines = ['flowchart TD'];
  let previous: string | undefined;
  for (const node of flow) {
    if (previous) lines.push(`  ${previous} --> ${id(node.name)}`);
    if (isParallel(node)) {
      lines.push(`  subgraph ${id(node.name)} [${node.name}: at the same time]`);
      for (const branch of node.branches) {
        const names = branch.map((step) => id(step.name));
        lines.push(`    ${names.join(' --> ')}`);
      }
      lines.push('  end');
    }
    if (node.lastPlanningStep)
      lines.push(`  ${id(node.name)} -. dryRun .-> FinalizePlan([FinalizePlan: return the plan])`);
    previous = id(node.name);
  }
  lines.push(`  ${previous ?? 'Start'} --> FinalizeSucceeded([FinalizeSucceeded])`);
  const chain = compensationChain(flow);
  chain.forEach((undo, i) => {
    const next = chain[i + 1] ?? 'FinalizeFailed([FinalizeFailed: ProvisioningFailed or CleanupIncomplete])';
    lines.push(`  ${id(undo)}[/${undo}/] --> ${i + 1 < chain.length ? id(next) : next}`);
  });
  for (const node of flow) {
    const entry = compensationEntry(flow, node.name);
    lines.push(`  ${id(node.name)} -. fails .-> ${entry ? id(entry) : 'FinalizeFailed'}`);
  }
  return lines.join('\n');
}

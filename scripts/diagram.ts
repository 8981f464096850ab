/** Prints the workflow diagram generated from the step catalogue (paste into README.md). */
import { workflowDiagram } from '../lambdas/steps/diagram';

console.log(workflowDiagram());

/**
 * How every function's code is bundled, in one place: ProvisionerFunction hands these options to
 * NodejsFunction (which runs the local esbuild), and the cold-start bench and the bundle tests
 * build with the very same options through esbuild's API (bench/bundle.ts maps them as CDK does).
 */
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

export const FUNCTION_BUNDLING: BundlingOptions = {
  minify: true,
  // Step Functions matches errors by name: class names must survive minification.
  keepNames: true,
  sourceMap: true,
  target: 'node22',
  format: OutputFormat.CJS,
  // The runtime's SDK v3 would be a different version than the one tested: bundle ours.
  externalModules: [],
  forceDockerBundling: false,
};

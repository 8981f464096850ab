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
  // The map goes beside the bundle, positions only (source text is in the repository): see
  // ProvisionerFunction for how and when it is read.
  sourceMap: true,
  sourcesContent: false,
  target: 'node22',
  format: OutputFormat.CJS,
  // The runtime's SDK v3 would be a different version than the one tested: bundle ours.
  externalModules: [],
  // A package's ES build first: the AWS SDK's (no "exports" map) tree-shakes to about two thirds.
  mainFields: ['module', 'main'],
  esbuildArgs: {
    '--alias': [
      // CommonJS code that require()s a package gets that package's ES build as a namespace
      // object; the Okta SDK calls require('node-fetch') as a function, so it gets node-fetch's
      // CommonJS build (test/bundles keeps every other such require out).
      'node-fetch=node-fetch/lib/index.js',
      // Loaded at start-up by our dependencies, never called by us: see each stand-in's comment.
      'whatwg-url=./lambdas/clients/stand-ins/whatwg-url.cjs',
      'form-data=./lambdas/clients/stand-ins/form-data.cjs',
      // Lambda's credentials are in the environment: the rest of the default chain is never used.
      '@aws-sdk/credential-provider-node=./lambdas/clients/stand-ins/credential-provider-node.ts',
    ],
  },
  forceDockerBundling: false,
};

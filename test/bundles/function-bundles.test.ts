// Intent: each function's bundle carries only what it can call. Built with the construct's own
// options (not timed: bench/cold-start.ts measures), each step function bundles its own step
// module and no other, the Okta SDK only when its access names the Okta token (and then only the
// modules its client calls, never the SDK's index, Client or Http), the Kong client only with the
// Kong token, the AWS clients only where its step uses them; and no CommonJS require() of a
// package resolves to that package's ES build (which would hand it a namespace object).
import { FINALIZE_HANDLERS } from '../../lambdas/steps/catalogue';
import { functionGraphs, type FunctionGraph } from '../support/bundles';
import { handlerModules } from '../support/step-entries';

let graphs: FunctionGraph[];
beforeAll(async () => {
  graphs = await functionGraphs();
}, 180_000);

const OKTA_SDK = 'node_modules/@okta/okta-sdk-nodejs/';
const has = (g: FunctionGraph, prefix: string) => g.inputs.some((i) => i.startsWith(prefix));
const steps = () => graphs.filter((g) => g.fn.kind === 'step' || g.fn.kind === 'okta-step');

describe('function bundles', () => {
  it('cover every deployed function', () => {
    expect(graphs.length).toBeGreaterThanOrEqual(31);
    expect(steps().length).toBe(handlerModules().size);
  });

  it('carry the Okta SDK only for a step whose access names the Okta token', () => {
    for (const g of graphs) {
      expect({ fn: g.fn.name, okta: has(g, OKTA_SDK) }).toEqual({
        fn: g.fn.name,
        okta: g.fn.access.includes('okta-token'),
      });
    }
  });

  it("load the Okta SDK's modules one by one, never its index, Client, Http or all-API layers", () => {
    const whole = [
      'src/index.js',
      'src/client.js',
      'src/http.js',
      'src/generated/index.js',
      'src/generated/types/',
    ];
    for (const g of graphs) {
      const loaded = g.inputs.filter((i) => whole.some((w) => i.startsWith(OKTA_SDK + w)));
      expect({ fn: g.fn.name, loaded }).toEqual({ fn: g.fn.name, loaded: [] });
    }
  });

  it('include, of all the step modules, only their own step module (and never the handler table)', () => {
    const table = handlerModules();
    const stepModules = new Set([...table.values()].map((h) => h.module));
    for (const g of steps()) {
      const bundled = g.inputs.filter((i) => stepModules.has(i) || i === 'lambdas/steps/handlers.ts');
      expect({ fn: g.fn.name, bundled }).toEqual({ fn: g.fn.name, bundled: [table.get(g.fn.name)?.module] });
    }
    // Other functions read the catalogue (pure metadata: what a dead run's steps may have left), no step code.
    for (const g of graphs.filter((x) => !steps().includes(x))) {
      const stepCode = g.inputs.filter(
        (i) => i.startsWith('lambdas/steps/') && i !== 'lambdas/steps/catalogue.ts',
      );
      expect({ fn: g.fn.name, steps: stepCode }).toEqual({
        fn: g.fn.name,
        steps: [],
      });
    }
  });

  it('carry the Kong client, Secrets Manager and DynamoDB only for steps that use them', () => {
    const finalizers: string[] = Object.values(FINALIZE_HANDLERS).map((h) => h.name);
    for (const g of steps()) {
      const { name, access } = g.fn;
      expect({
        name,
        kong: has(g, 'lambdas/clients/kong.ts'),
        secretsManager: has(g, 'node_modules/@aws-sdk/client-secrets-manager/'),
        dynamodb: has(g, 'node_modules/@aws-sdk/client-dynamodb/'),
      }).toEqual({
        name,
        kong: access.includes('kong-token'),
        secretsManager: access.length > 0,
        dynamodb: finalizers.includes(name),
      });
    }
  });

  it("give node-fetch, whatwg-url's only requirer, Node's URL instead of whatwg-url", () => {
    const all = graphs[0]?.all ?? {};
    const shim = 'lambdas/clients/stand-ins/whatwg-url.cjs';
    const requirers = Object.entries(all)
      .filter(([, input]) => input.imports.some((i) => i.path === shim))
      .map(([file]) => file);
    expect(requirers).toEqual(['node_modules/node-fetch/lib/index.js']);
    const loaded = graphs.filter((g) => has(g, 'node_modules/whatwg-url/') || has(g, 'node_modules/tr46/'));
    expect(loaded.map((g) => g.fn.name)).toEqual([]);
  });

  it('get the form-data stand-in only where axios and the Okta ApplicationApi load form-data', () => {
    const all = graphs[0]?.all ?? {};
    const requirers = Object.entries(all)
      .filter(([, input]) => input.imports.some((i) => i.path === 'lambdas/clients/stand-ins/form-data.cjs'))
      .map(([file]) => file)
      .sort();
    expect(requirers).toEqual([
      'node_modules/@okta/okta-sdk-nodejs/src/generated/apis/ApplicationApi.js',
      'node_modules/axios/lib/platform/node/classes/FormData.js',
    ]);
    expect(graphs.filter((g) => has(g, 'node_modules/form-data/')).map((g) => g.fn.name)).toEqual([]);
  });

  it('never require() a package that resolves to its ES build', () => {
    const all = graphs[0]?.all ?? {};
    const hazards = Object.entries(all).flatMap(([file, input]) =>
      input.imports
        .filter((i) => i.kind === 'require-call' && all[i.path]?.format === 'esm')
        .map((i) => `${file} -> ${i.path}`),
    );
    expect(hazards).toEqual([]);
  });
});

// Intent: the house stays readable as it grows. Handlers stay thin and core stays pure: no file in
// lambdas/ grows past ~400 lines, no API handler past ~50; only the config module reads the
// environment; imports go down the layers (core <- clients <- runs <- tickets <- api; core <-
// clients <- steps; core <- clients <- tickets <- events), never up and never in a cycle; lib/
// reads only the runtime's pure metadata.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((entry) => {
    const rel = path.join(dir, entry);
    if (statSync(path.join(ROOT, rel)).isDirectory()) return sources(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const lines = (file: string) => read(file).split('\n').length;

/** Relative imports of a file, resolved to repository paths (a folder import means its index.ts). */
function importsOf(file: string): string[] {
  const specifiers = [...read(file).matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(
    (m) => m[1] ?? '',
  );
  return specifiers.map((spec) => {
    const target = path.normalize(path.join(path.dirname(file), spec));
    for (const candidate of [`${target}.ts`, path.join(target, 'index.ts')])
      if (statSync(path.join(ROOT, candidate), { throwIfNoEntry: false })?.isFile()) return candidate;
    return target;
  });
}

const runtime = sources('lambdas');
const layerOf = (file: string) => file.split(path.sep)[1] ?? '';

/** Which layers each layer may import from (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  clients: ['core'],
  // runs/ reads the catalogue (pure metadata) to tell what a dead run's steps may have left.
  runs: ['core', 'clients', 'steps/catalogue'],
  steps: ['core', 'clients'],
  // Ticket intake accepts runs through the one lifecycle; the notifier lives here too.
  tickets: ['core', 'clients', 'runs'],
  api: ['core', 'clients', 'runs', 'tickets'],
  // The run-ended handler reconciles records (clients, runs/) and answers tickets (tickets), starts nothing.
  events: ['core', 'clients', 'runs', 'tickets'],
};

/** A layer may import one module of a higher layer by name (e.g. `steps/catalogue`: pure metadata). */
const allowed = (file: string, target: string) =>
  (ALLOWED[layerOf(file)] ?? []).some(
    (entry) => entry === layerOf(target) || path.join('lambdas', `${entry}.ts`) === target,
  );

describe('the runtime (lambdas/)', () => {
  it('has no file over ~400 lines', () => {
    expect(runtime.filter((f) => lines(f) > 400).map((f) => `${f}: ${lines(f)}`)).toEqual([]);
  });

  it('has API handlers of at most ~50 lines: parse, call, respond', () => {
    const handlers = sources('lambdas/api').filter((f) => /export const handler\b/.test(read(f)));
    expect(handlers.length).toBeGreaterThanOrEqual(6);
    expect(handlers.filter((f) => lines(f) > 55).map((f) => `${f}: ${lines(f)}`)).toEqual([]);
  });

  it('reads the environment only in the config module', () => {
    const readers = runtime.filter((f) => /process\.env/.test(read(f)));
    expect(readers).toEqual([path.join('lambdas', 'core', 'config.ts')]);
  });

  it('imports only down the layers', () => {
    const upward = runtime.flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith(`lambdas${path.sep}`))
        .filter((target) => layerOf(target) !== layerOf(file) && !allowed(file, target))
        .map((target) => `${file} -> ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it('imports nothing from lib/, local/ or bin/', () => {
    const outward = runtime.flatMap((file) =>
      importsOf(file)
        .filter((target) => !target.startsWith(`lambdas${path.sep}`))
        .map((target) => `${file} -> ${target}`),
    );
    expect(outward).toEqual([]);
  });

  it('has no import cycles', () => {
    const graph = new Map(runtime.map((f) => [f, importsOf(f).filter((t) => runtime.includes(t))]));
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of runtime) visit(file, []);
    expect(cycles).toEqual([]);
  });
});

describe('the step functions (lambdas/steps/)', () => {
  // Intent: each function bundles one step. The handler table (for local mode and the tests) is
  // imported by nothing that is deployed, and no step module reaches into another one.
  const handlerTable = path.join('lambdas', 'steps', 'handlers.ts');
  /** The modules handlers.ts takes a state's code from (`on(fn)` with fn imported from './x'). */
  const stepModules = (() => {
    const source = read(handlerTable);
    const handlerFns = new Set([...source.matchAll(/\bon(?:<[^>]*>)?\((\w+)\)/g)].map((m) => m[1]));
    return new Set(
      [...source.matchAll(/import \{([^}]*)\} from '\.\/([^']+)'/g)]
        .filter(([, names = '']) => names.split(',').some((n) => handlerFns.has(n.trim())))
        .map(([, , module]) => path.join('lambdas', 'steps', `${module}.ts`)),
    );
  })();

  it('import the handler table nowhere in the runtime', () => {
    expect(runtime.filter((file) => importsOf(file).includes(handlerTable))).toEqual([]);
  });

  it('keep each step module free of the others', () => {
    expect(stepModules.size).toBeGreaterThanOrEqual(15);
    const crossing = [...stepModules].flatMap((m) =>
      importsOf(m)
        .filter((target) => stepModules.has(target))
        .map((target) => `${m} -> ${target}`),
    );
    expect(crossing).toEqual([]);
  });
});

describe('the CDK constructs (lib/)', () => {
  it('read only the runtime’s pure metadata: the catalogue, core, and the table schema', () => {
    const allowed = (target: string) =>
      target === path.join('lambdas', 'steps', 'catalogue.ts') ||
      target === path.join('lambdas', 'clients', 'requests', 'schema.ts') ||
      target.startsWith(path.join('lambdas', 'core') + path.sep);
    const reaches = sources('lib').flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith(`lambdas${path.sep}`) && !allowed(target))
        .map((target) => `${file} -> ${target}`),
    );
    expect(reaches).toEqual([]);
  });
});

describe('docs/security.md', () => {
  it('lists every function with exactly what the catalogue lets it touch', () => {
    // Intent: the security document cannot drift from the roles the stack generates.
    const doc = read('docs/security.md');
    const { allHandlers } = jest.requireActual<typeof import('../../lambdas/steps/catalogue')>(
      '../../lambdas/steps/catalogue',
    );
    for (const h of allHandlers()) {
      const access = h.access.length ? h.access.map((a) => `\`${a}\``).join(', ') : '-';
      const row = new RegExp(
        `\\|\\s*${h.name}\\s*\\|\\s*${access.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\|`,
      );
      expect({ handler: h.name, listed: row.test(doc) }).toEqual({ handler: h.name, listed: true });
    }
  });
});

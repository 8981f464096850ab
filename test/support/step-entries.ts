/**
 * What the step sources say, read as text: which step module each handler's code lives in
 * (handlers.ts), and what each function's entry (steps/functions/) wires up.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
const STEPS = path.join(ROOT, 'lambdas/steps');
const read = (file: string) => readFileSync(file, 'utf8');

/** Handler name -> [function name, step module (repository path)] as handlers.ts maps them. */
export function handlerModules(): Map<string, { fn: string; module: string }> {
  const source = read(path.join(STEPS, 'handlers.ts'));
  const moduleOf = new Map<string, string>();
  for (const [, names = '', module = ''] of source.matchAll(/import \{([^}]*)\} from '\.\/([^']+)';/g))
    for (const name of names.split(',').map((n) => n.trim()))
      if (name && !name.startsWith('type ')) moduleOf.set(name, `lambdas/steps/${module}.ts`);
  const table = new Map<string, { fn: string; module: string }>();
  for (const [, state = '', fn = ''] of source.matchAll(
    /^ {2}(\w+): on(?:Outcome)?(?:<[^>]*>)?\((\w+)\),$/gm,
  ))
    table.set(state, { fn, module: moduleOf.get(fn) ?? '(not imported)' });
  return table;
}

export interface Entry {
  file: string;
  state: string;
  fn: string;
  /** The module the handler is imported from. */
  module: string;
  /** Client builders given (secrets, okta, kong, konnect, requests). */
  clients: string[];
  /** Okta resource families given to oktaWith(). */
  oktaFamilies: string[];
}

export function stepEntries(): Entry[] {
  const dir = path.join(STEPS, 'functions');
  return readdirSync(dir).map((name) => {
    const source = read(path.join(dir, name));
    const call = /stepLambda\('(\w+)',\s*(\w+),\s*\{([\s\S]*)\}\);\s*$/.exec(source);
    const fn = call?.[2] ?? '';
    const wiring = call?.[3] ?? '';
    const module = new RegExp(`import \\{ ${fn} \\} from '\\.\\./([\\w-]+)';`).exec(source)?.[1];
    const families = /oktaWith\(\{([^}]*)\}\)/.exec(wiring)?.[1] ?? '';
    return {
      file: `lambdas/steps/functions/${name}`,
      state: call?.[1] ?? '(no stepLambda call)',
      fn,
      module: module ? `lambdas/steps/${module}.ts` : '(not imported)',
      clients: [...wiring.replace(/oktaWith\(\{[^}]*\}\)/, '').matchAll(/(\w+)\s*(?::|,|$)/g)]
        .map((m) => m[1] ?? '')
        .filter((c) => ['secrets', 'okta', 'kong', 'konnect', 'requests'].includes(c))
        .sort(),
      oktaFamilies: [...families.matchAll(/(\w+):/g)].map((m) => m[1] ?? '').sort(),
    };
  });
}

/** The Okta families a step module calls (`okta.<family>`; lookupExisting reads apps and servers). */
export function oktaFamiliesUsedBy(module: string): string[] {
  const used = new Set([...read(path.join(ROOT, module)).matchAll(/\bokta\.(\w+)/g)].map((m) => m[1] ?? ''));
  if (used.delete('lookupExisting')) for (const f of ['apps', 'authServers', 'authorization']) used.add(f);
  return [...used].sort();
}

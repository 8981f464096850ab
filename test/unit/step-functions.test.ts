// Intent: every step has its own function entry, and each entry is exactly its step: the handler
// handlers.ts maps the state to, from the same module, with the clients the catalogue lets it use
// (and, for Okta, the resource families its step module calls) - no fewer, since a missing client
// only shows in a deployed function, and no more, since each one is code in its bundle.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { FINALIZE_HANDLERS, allHandlers } from '../../lambdas/steps/catalogue';
import { stepEntry } from '../../lib/provisioner-function';
import { ROOT, handlerModules, oktaFamiliesUsedBy, stepEntries } from '../support/step-entries';

const entries = stepEntries();
const table = handlerModules();

describe('step function entries (lambdas/steps/functions/)', () => {
  it('exist once per catalogue handler, where the construct looks for them', () => {
    expect(entries.map((e) => e.state).sort()).toEqual(
      allHandlers()
        .map((h) => h.name)
        .sort(),
    );
    for (const { name } of allHandlers()) {
      const file = path.relative(ROOT, stepEntry(name));
      expect({ name, file, exists: existsSync(stepEntry(name)) }).toEqual({
        name,
        file: entries.find((e) => e.state === name)?.file,
        exists: true,
      });
    }
  });

  it('run the code handlers.ts runs for their state, imported from its step module', () => {
    expect(table.size).toBe(allHandlers().length);
    for (const e of entries) {
      expect({ state: e.state, fn: e.fn, module: e.module }).toEqual({
        state: e.state,
        ...table.get(e.state),
      });
    }
  });

  it('are given exactly the clients their catalogue access allows', () => {
    const finalizers: string[] = Object.values(FINALIZE_HANDLERS).map((h) => h.name);
    for (const { name, access } of allHandlers()) {
      const okta = access.includes('okta-token');
      const kong = access.includes('kong-token');
      const konnect = access.includes('konnect-token');
      const expected = [
        ...(kong ? ['kong'] : []),
        ...(konnect ? ['konnect'] : []),
        ...(okta ? ['okta'] : []),
        ...(finalizers.includes(name) ? ['requests'] : []),
        ...(okta || kong || access.some((a) => a.includes(':')) ? ['secrets'] : []),
      ].sort();
      expect({ name, clients: entries.find((e) => e.state === name)?.clients }).toEqual({
        name,
        clients: expected,
      });
    }
  });

  it('compose the Okta client of the resource families their step module calls', () => {
    for (const e of entries.filter((entry) => entry.clients.includes('okta'))) {
      expect({ state: e.state, families: e.oktaFamilies }).toEqual({
        state: e.state,
        families: oktaFamiliesUsedBy(e.module),
      });
      expect(e.oktaFamilies.length).toBeGreaterThan(0);
    }
  });
});

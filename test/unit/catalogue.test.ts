// Intent: the order of compensation is derived from the order of creation and cannot drift:
// undos run last-created-first, and a failing step enters the chain where its own work (or the
// nearest earlier step's) would be undone. Every state has a handler and every handler a state.
import {
  allHandlerNames,
  compensationChain,
  compensationEntry,
  forwardSteps,
  handlerNameForState,
  provisioningFlow,
  undoOf,
  undoSteps,
} from '../../lambdas/steps/catalogue';
import { handlers } from '../../lambdas/steps/handlers';

describe('step catalogue', () => {
  it('undoes in reverse order of creation', () => {
    expect(compensationChain()).toEqual([
      'RevertPortal',
      'UnassignGroups',
      'DeleteOktaApp',
      'DeleteClientSecret',
      'DeleteAuthServer',
      'DeletePortalSnapshot',
    ]);
  });

  it('reverses any flow it is given', () => {
    const flow = [
      { name: 'A', undo: ['UndoA'], access: [], description: '' },
      { name: 'B', access: [], description: '' },
      { name: 'C', undo: ['UndoC1', 'UndoC2'], access: [], description: '' },
    ];
    expect(compensationChain(flow)).toEqual(['UndoC1', 'UndoC2', 'UndoA']);
    expect(compensationEntry(flow, 'B')).toBe('UndoA');
    expect(compensationEntry(flow, 'C')).toBe('UndoC1');
  });

  it.each([
    ['ValidatePlan', undefined],
    ['ResolveInputs', 'DeletePortalSnapshot'],
    ['CreateOktaResources', 'DeleteOktaApp'],
    ['ConfigureOktaResources', 'UnassignGroups'],
    ['ConfigurePortal', 'RevertPortal'],
    ['VerifyPortal', 'RevertPortal'],
  ])('a failure in %s enters the chain at %s', (step, entry) => {
    expect(compensationEntry(provisioningFlow, step)).toBe(entry);
  });

  it('has exactly one handler per state and one state per handler', () => {
    expect(Object.keys(handlers).sort()).toEqual(allHandlerNames().sort());
    expect(new Set(allHandlerNames()).size).toBe(allHandlerNames().length);
    expect(undoSteps.map((u) => u.name).sort()).toEqual([...compensationChain()].sort());
  });

  it('finalizes provisioning and teardown with their own handlers', () => {
    expect(['FinalizePlan', 'FinalizeSucceeded', 'FinalizeFailed'].map(handlerNameForState)).toEqual([
      'FinalizeProvisioning',
      'FinalizeProvisioning',
      'FinalizeProvisioning',
    ]);
    expect(['FinalizeTeardown', 'FinalizeTeardownFailed'].map(handlerNameForState)).toEqual([
      'FinalizeTeardown',
      'FinalizeTeardown',
    ]);
    expect(handlerNameForState('CreateOktaApp')).toBe('CreateOktaApp');
  });

  it('undoes steps run at the same time with the undos of every branch step, each branch last step first', () => {
    const parallel = {
      name: 'P',
      description: '',
      branches: [
        [
          { name: 'A1', undo: ['UndoA1'], access: [], description: '' },
          { name: 'A2', undo: ['UndoA2'], access: [], description: '' },
        ],
        [{ name: 'B', undo: ['UndoB'], access: [], description: '' }],
      ],
    };
    expect(undoOf(parallel)).toEqual(['UndoA2', 'UndoA1', 'UndoB']);
    expect(
      compensationEntry([{ name: 'Z', undo: ['UndoZ'], access: [], description: '' }, parallel], 'P'),
    ).toBe('UndoA2');
  });

  it('keeps one name per resource: no two steps write the same result key', () => {
    const keys = forwardSteps().flatMap((s) => (s.resultKey ? [s.resultKey] : []));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('gives every forward step a place for its result, except the one that creates the state', () => {
    expect(
      forwardSteps()
        .filter((s) => !s.resultKey)
        .map((s) => s.name),
    ).toEqual(['ValidatePlan']);
  });
});

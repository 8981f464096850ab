/** AssignGroups and its undo UnassignGroups (only the assignments this request added). */
import type { UndoReport } from '../core/undo-report';
import { isFirstAttempt, type StepContext } from './context';
import { whileFresh } from './fresh';
import { requireResource } from './scope';
import type { GroupAssignmentsResource, WorkflowState } from './state';

export async function assignGroups(
  state: WorkflowState,
  { okta, attempt }: Pick<StepContext, 'okta' | 'attempt'>,
): Promise<GroupAssignmentsResource> {
  const app = requireResource(state.resources.oktaApp, 'oktaApp');
  const groups = requireResource(state.resources.oktaInputs, 'oktaInputs').groups;
  const assignments = await whileFresh(app.created, 'the app', () =>
    okta.apps.ensureGroupAssignments(
      app.appId,
      groups.map((g) => g.id),
      // An app this request made has no assignments before this step's first attempt.
      { knownAbsent: app.created && isFirstAttempt({ attempt }) },
    ),
  );
  return { assignments };
}

export async function unassignGroups(
  state: WorkflowState,
  { okta }: Pick<StepContext, 'okta'>,
): Promise<UndoReport> {
  const app = state.resources.oktaApp;
  // An app this request created goes away whole in DeleteOktaApp, assignments included.
  if (!app || app.created) return { removed: [], leftAlone: [] };
  // Judged against what the app had before this request, not against step results: a step that
  // failed half-way (or lost a response) recorded nothing, yet may have assigned groups.
  const before = new Set(state.resources.oktaInputs?.existing.app?.groupIds ?? []);
  const requested = (state.resources.oktaInputs?.groups ?? []).map((g) => g.id);
  return okta.apps.removeGroupAssignments(
    app.appId,
    requested.filter((id) => !before.has(id)),
  );
}

/**
 * What the CLI prints and which exit code it ends with: pure functions from the API's JSON to
 * lines of text, so the human view is unit-tested without a server.
 *
 * The API is secret-free by contract; this view adds a second guard: it prints named fields it
 * knows, and of anything else only keys that do not look like secrets (an ARN is fine).
 */

export { printable } from './printable';

export const EXIT = {
  SUCCESS: 0,
  FAILED: 1,
  CLEANUP_INCOMPLETE: 2,
  BAD_INPUT: 3,
  CONFLICT: 4,
  ERROR: 5,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

// ---------------------------------------------------------------------------------------------
// The API's JSON, as far as the CLI reads it (everything optional: an older or newer API may
// add or drop a field, and the view should degrade rather than throw)
// ---------------------------------------------------------------------------------------------

export interface StepView {
  name: string;
  state: string;
  startedAt?: string;
  endedAt?: string;
  attempts?: number;
  error?: { name?: string; message?: string };
}

export interface PlanItemView {
  action: string;
  what: string;
  detail?: Record<string, unknown>;
}

export interface PlanView {
  okta?: PlanItemView[];
  portal?: {
    action?: string;
    target?: string;
    portal?: string;
    portalUrl?: string;
    redirectUri?: string;
    before?: Record<string, unknown>;
    after?: Record<string, unknown>;
  };
  secrets?: PlanItemView[];
  warnings?: string[];
}

export interface RunView {
  id: string;
  kind?: string;
  status: string;
  workspace?: string;
  environment?: string;
  dryRun?: boolean;
  requestedBy?: string;
  source?: { channel?: string; principal?: string; ticket?: string };
  createdAt?: string;
  updatedAt?: string;
  steps?: StepView[];
  outputs?: Record<string, unknown>;
  plan?: PlanView;
  error?: { name?: string; message?: string };
  leftovers?: string[];
  warnings?: string[];
}

export interface AcceptedView {
  id: string;
  status: string;
  statusUrl?: string;
  dryRun?: boolean;
}

export interface ListView {
  items: Array<{
    id: string;
    kind?: string;
    status: string;
    workspace?: string;
    environment?: string;
    dryRun?: boolean;
    requestedBy?: string;
    source?: { channel?: string; principal?: string; ticket?: string };
    createdAt?: string;
  }>;
  next?: string;
}

export interface ApiErrorBody {
  error?: string;
  message?: string;
  /** API Gateway's own refusals (auth, throttling) carry only `message`, sometimes `Message`. */
  Message?: string;
  issues?: Array<{ field?: string; reason?: string }>;
  runningRequest?: { id?: string };
  existingRequest?: { id?: string };
}

// ---------------------------------------------------------------------------------------------
// Exit codes
// ---------------------------------------------------------------------------------------------

/** The exit code a run's status stands for; a run still going is not a failure. */
export function exitCodeForStatus(status: string): ExitCode {
  switch (status) {
    case 'SUCCEEDED':
    case 'PLANNED':
    case 'RUNNING':
    case 'PENDING':
      return EXIT.SUCCESS;
    case 'FAILED':
      return EXIT.FAILED;
    case 'CLEANUP_INCOMPLETE':
      return EXIT.CLEANUP_INCOMPLETE;
    default:
      return EXIT.ERROR;
  }
}

/** The exit code of an HTTP answer that is not a success. */
export function exitCodeForHttpStatus(httpStatus: number): ExitCode {
  if (httpStatus === 400) return EXIT.BAD_INPUT;
  if (httpStatus === 409) return EXIT.CONFLICT;
  return EXIT.ERROR;
}

export const isFinal = (status: string): boolean =>
  ['SUCCEEDED', 'PLANNED', 'FAILED', 'CLEANUP_INCOMPLETE'].includes(status);

// ---------------------------------------------------------------------------------------------
// Small pieces
// ---------------------------------------------------------------------------------------------

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

function between(start: string | undefined, end: string | undefined): number | undefined {
  if (!start || !end) return undefined;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) ? ms : undefined;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function errorText(error: { name?: string; message?: string } | undefined): string {
  if (!error) return '';
  const name = error.name ?? 'Error';
  return error.message ? `${name}: ${error.message}` : name;
}

/** Keys whose values could be credentials; an ARN or a name pointing at one is fine. */
export function looksSecret(key: string): boolean {
  if (/(arn|name|id)$/i.test(key)) return false;
  return /secret|token|password|credential|private|apikey|api_key/i.test(key);
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Label/value lines with the values aligned. */
function table(rows: Array<[string, string]>, indent = '  '): string[] {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`.trimEnd());
}

// ---------------------------------------------------------------------------------------------
// HTTP errors
// ---------------------------------------------------------------------------------------------

/** Lines explaining a refused request: each field and reason for a 400, the running request for a 409. */
export function formatApiError(httpStatus: number, body: unknown): string[] {
  const b: ApiErrorBody = typeof body === 'object' && body !== null ? (body as ApiErrorBody) : {};
  const message = b.message ?? b.Message ?? (typeof body === 'string' && body ? body : undefined);
  if (httpStatus === 400) {
    const issues = (b.issues ?? []).filter((i) => i.reason);
    if (!issues.length) return [`Invalid request: ${message ?? 'the API refused it (HTTP 400)'}`];
    return [
      'Invalid request:',
      ...issues.map((i) => `  ${i.field ? i.field : '(request body)'}: ${i.reason ?? ''}`),
    ];
  }
  if (httpStatus === 409) {
    const lines = [`Conflict: ${message ?? 'the request collides with another one'}`];
    const running = b.runningRequest?.id;
    const existing = b.existingRequest?.id;
    if (running) {
      lines.push(
        `  Running request: ${running}`,
        `  Follow it with:  kong-portal-provisioner status ${running}`,
        '  Retry once it has finished.',
      );
    }
    if (existing) {
      lines.push(
        `  The idempotency key already belongs to request ${existing}; use a new key for a different request.`,
      );
    }
    return lines;
  }
  if (httpStatus === 404) return [`Not found: ${message ?? 'no such resource'}`];
  if (httpStatus === 401 || httpStatus === 403) {
    return [
      `The API refused the call (HTTP ${httpStatus}): ${message ?? 'not authorized'}`,
      '  A deployed API needs SigV4-signed calls from a principal allowed execute-api:Invoke;',
      '  check AWS_PROFILE / credentials, --region, and that --api-url includes the stage (e.g. /v1).',
    ];
  }
  if (httpStatus === 429) return [`The API is throttling calls (HTTP 429): ${message ?? ''}; retry shortly`];
  const kind = b.error ? `${b.error}: ` : '';
  return [`The API failed (HTTP ${httpStatus}): ${kind}${message ?? 'no details'}`];
}

// ---------------------------------------------------------------------------------------------
// Accepted, live progress, outcome
// ---------------------------------------------------------------------------------------------

export function formatAccepted(accepted: AcceptedView, what: string, waiting: boolean): string[] {
  if (accepted.status !== 'RUNNING' && accepted.status !== 'PENDING') {
    // An idempotency key (or an identical teardown) mapped onto a request that already finished.
    return [`${what}: already accepted as request ${accepted.id}, which is ${accepted.status}`];
  }
  const lines = [`${what}: accepted as request ${accepted.id}`];
  if (!waiting) lines.push(`Follow it with: kong-portal-provisioner status ${accepted.id}`);
  return lines;
}

/** What the progress printer has already said about one step. */
export interface StepMark {
  state: string;
  attempts: number;
}

/**
 * Lines for what changed since the last poll: a step started, finished, failed or was retried.
 * Printing only changes (never a redraw) keeps the output a readable log when stdout is a file
 * or a CI console. A step first seen already finished gets only its final line.
 */
export function stepChanges(
  seen: ReadonlyMap<string, StepMark>,
  steps: readonly StepView[],
): { lines: string[]; seen: Map<string, StepMark> } {
  const next = new Map(seen);
  const lines: string[] = [];
  const width = Math.max(24, ...steps.map((s) => s.name.length));
  const line = (tag: string, step: StepView, text = '') =>
    `  ${tag.padEnd(8)}${step.name.padEnd(width)}${text ? `  ${text}` : ''}`.trimEnd();
  for (const step of steps) {
    const attempts = step.attempts ?? 1;
    const before = seen.get(step.name);
    if (before && before.state === step.state && before.attempts === attempts) continue;
    next.set(step.name, { state: step.state, attempts });
    const took = between(step.startedAt, step.endedAt);
    const tries = attempts > 1 ? `, ${plural(attempts, 'attempt')}` : '';
    if (before && attempts > before.attempts && step.state !== 'SUCCEEDED') {
      // Retried: say so, with the error that caused it when the history has it. On AWS a step
      // stays FAILED between attempts, so a FAILED here is the previous attempt's, not the end.
      const cause = step.error ? ` after ${errorText(step.error)}` : '';
      lines.push(line('retry', step, `attempt ${attempts}${cause}`));
      continue;
    }
    switch (step.state) {
      case 'RUNNING':
        if (!before) lines.push(line('start', step));
        break;
      case 'SUCCEEDED':
        lines.push(line('done', step, `${took === undefined ? '' : formatDuration(took)}${tries}`));
        break;
      case 'FAILED':
        lines.push(line('failed', step, `attempt ${attempts}: ${errorText(step.error)}`));
        break;
      default:
        lines.push(line(step.state.toLowerCase(), step));
    }
  }
  return { lines, seen: next };
}

/** Labelled outputs of a finished run; known fields first, in the order a reader wants them. */
export function formatOutputs(outputs: Record<string, unknown> | undefined): string[] {
  if (!outputs) return [];
  const rows: Array<[string, string]> = [];
  const known: Array<[string, string]> = [
    ['issuer', 'Issuer'],
    ['clientId', 'Client id'],
    ['portalUrl', 'Portal URL'],
    ['redirectUri', 'Redirect URI'],
  ];
  for (const [key, label] of known)
    if (outputs[key] !== undefined) rows.push([label, valueText(outputs[key])]);
  if (typeof outputs.clientSecretArn === 'string') {
    rows.push(['Client secret', `${outputs.clientSecretArn} (Secrets Manager; the value is never shown)`]);
  }
  const created = outputs.created;
  if (typeof created === 'object' && created !== null) {
    const entries = Object.entries(created as Record<string, unknown>);
    const made = entries.filter(([, v]) => v === true).map(([k]) => k);
    const reused = entries.filter(([, v]) => v === false).map(([k]) => k);
    if (made.length) rows.push(['Created', made.join(', ')]);
    if (reused.length) rows.push(['Already there', reused.join(', ')]);
  }
  const lines = table(rows);
  if (Array.isArray(outputs.removed)) {
    lines.push(`  Removed (${outputs.removed.length})`);
    for (const item of outputs.removed) lines.push(`    - ${valueText(item)}`);
  }
  if (Array.isArray(outputs.leftAlone) && outputs.leftAlone.length) {
    lines.push(`  Left alone (not made by the provisioner)`);
    for (const item of outputs.leftAlone as Array<{ id?: string; reason?: string }>) {
      lines.push(`    - ${item.id ?? '?'}${item.reason ? `: ${item.reason}` : ''}`);
    }
  }
  const shown = new Set([
    ...known.map(([k]) => k),
    'clientSecretArn',
    'created',
    'removed',
    'leftAlone',
    // Repeats of the request's own identity, already in the header.
    'requestId',
    'workspace',
    'environment',
  ]);
  const rest = Object.entries(outputs).filter(([k]) => !shown.has(k) && !looksSecret(k));
  lines.push(...table(rest.map(([k, v]) => [k, valueText(v)])));
  return lines;
}

/** The block that must not be missed: what a failed rollback left behind. */
export function formatLeftovers(leftovers: readonly string[] | undefined): string[] {
  if (!leftovers?.length) return [];
  const bar = '!'.repeat(78);
  return [
    bar,
    `!! CLEANUP INCOMPLETE: the rollback could not remove ${plural(leftovers.length, 'resource')}.`,
    '!! Remove them by hand (or retry with teardown) before provisioning this workspace again:',
    ...leftovers.map((l) => `!!   - ${l}`),
    bar,
  ];
}

function heading(run: RunView): string {
  const what = run.kind === 'teardown' ? 'teardown' : run.dryRun ? 'plan' : 'provision';
  const scope = run.workspace ? ` of workspace '${run.workspace}' (${run.environment ?? '?'})` : '';
  return `Request ${run.id}: ${what}${scope}`;
}

function statusLine(run: RunView): string {
  const took = isFinal(run.status) ? between(run.createdAt, run.updatedAt) : undefined;
  const label = run.status === 'CLEANUP_INCOMPLETE' ? 'CLEANUP INCOMPLETE' : run.status;
  return `${label}${took === undefined ? '' : ` after ${formatDuration(took)}`}`;
}

/** Security-relevant changes to an existing portal: shown, never buried. */
export function formatWarnings(warnings: readonly string[] | undefined): string[] {
  return (warnings ?? []).map((w) => `! Warning: ${w}`);
}

/** The end of a --wait: the outcome and what to use next (steps were already printed live). */
export function formatOutcome(run: RunView): string[] {
  const lines = ['', `${heading(run)}: ${statusLine(run)}`];
  if (run.error) lines.push(`  Error: ${errorText(run.error)}`);
  // A dry run creates nothing, so there is nothing to have rolled back.
  if (run.status === 'FAILED' && !run.dryRun)
    lines.push('  Everything this request created was removed again.');
  lines.push(...formatOutputs(run.outputs));
  lines.push(...formatWarnings(run.warnings));
  if (run.plan) lines.push('', ...formatPlan(run.plan));
  lines.push(...formatLeftovers(run.leftovers));
  return lines;
}

/** `status <id>`: the whole picture in one screen. */
export function formatRun(run: RunView): string[] {
  const rows: Array<[string, string]> = [['Status', statusLine(run)]];
  // The caller is who the API authenticated; requestedBy is what the request said, shown as "for".
  const caller = run.source?.principal;
  const via = run.source?.channel ? ` via ${run.source.channel}` : '';
  const ticket = run.source?.ticket ? ` (ticket ${run.source.ticket})` : '';
  if (caller || via) rows.push(['Caller', `${caller ?? 'unknown'}${via}${ticket}`]);
  if (run.requestedBy && run.requestedBy !== caller) rows.push(['For', run.requestedBy]);
  if (run.createdAt) rows.push(['Asked at', run.createdAt]);
  if (run.error) rows.push(['Error', errorText(run.error)]);
  const lines = [heading(run), ...table(rows)];
  const steps = run.steps ?? [];
  if (steps.length) {
    lines.push('Steps');
    const width = Math.max(...steps.map((s) => s.name.length));
    for (const step of steps) {
      const attempts = step.attempts ?? 1;
      const took = between(step.startedAt, step.endedAt);
      const cols = [
        step.state.padEnd(9),
        step.name.padEnd(width),
        plural(attempts, 'attempt').padEnd(10),
        (took === undefined ? (step.state === 'RUNNING' ? 'running' : '-') : formatDuration(took)).padStart(
          7,
        ),
      ];
      const error = step.state === 'FAILED' && step.error ? `  ${errorText(step.error)}` : '';
      lines.push(`  ${cols.join('  ')}${error}`.trimEnd());
    }
  }
  const outputs = formatOutputs(run.outputs);
  if (outputs.length) lines.push('Outputs', ...outputs);
  lines.push(...formatWarnings(run.warnings));
  if (run.plan) lines.push(...formatPlan(run.plan));
  lines.push(...formatLeftovers(run.leftovers));
  return lines;
}

// ---------------------------------------------------------------------------------------------
// The dry-run plan
// ---------------------------------------------------------------------------------------------

/** A JSON-encoded object (Kong's portal_auth_conf) is shown as the object it encodes. */
function structured(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!text.startsWith('{')) return value;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return value;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `  key: v` unchanged, `- key: old` / `+ key: new` changed; objects are compared key by key. */
export function diffLines(before: unknown, after: unknown, indent = '    '): string[] {
  const b = isObject(before) ? before : {};
  const a = isObject(after) ? after : {};
  const lines: string[] = [];
  for (const key of [...new Set([...Object.keys(b), ...Object.keys(a)])]) {
    const old = structured(b[key]);
    const now = structured(a[key]);
    if (JSON.stringify(old) === JSON.stringify(now)) {
      lines.push(`${indent}  ${key}: ${JSON.stringify(now)}`);
    } else if (isObject(old) && isObject(now)) {
      lines.push(`${indent}~ ${key}:`, ...diffLines(old, now, `${indent}    `));
    } else if (isObject(now)) {
      if (old !== undefined) lines.push(`${indent}- ${key}: ${JSON.stringify(old)}`);
      lines.push(`${indent}+ ${key}:`, ...diffLines({}, now, `${indent}    `));
    } else if (isObject(old)) {
      lines.push(`${indent}- ${key}:`, ...diffLines(old, {}, `${indent}    `));
      if (now !== undefined) lines.push(`${indent}+ ${key}: ${JSON.stringify(now)}`);
    } else {
      if (old !== undefined) lines.push(`${indent}- ${key}: ${JSON.stringify(old)}`);
      if (now !== undefined) lines.push(`${indent}+ ${key}: ${JSON.stringify(now)}`);
    }
  }
  return lines;
}

function planItem(item: PlanItemView): string {
  const detail = Object.entries(item.detail ?? {})
    .filter(([k, v]) => v !== undefined && v !== null && !looksSecret(k))
    .map(([k, v]) => `${k}=${valueText(v)}`)
    .join(' ');
  // A column of 10, and at least one space after the longest action ('reactivate').
  const action = item.action.length < 10 ? item.action.padEnd(10) : `${item.action} `;
  return `  ${action}${item.what}${detail ? `  (${detail})` : ''}`;
}

export function formatPlan(plan: PlanView): string[] {
  const lines = ['Plan (dry run: nothing was created or changed)', 'Okta'];
  lines.push(...(plan.okta ?? []).map(planItem));
  const kong = plan.portal;
  if (kong) {
    const where =
      kong.target === 'konnect'
        ? `Konnect portal '${(kong.portal ?? '?').replace(/^konnect\./, '')}'`
        : `Kong workspace '${kong.portal ?? '?'}'`;
    lines.push(`${where}: ${kong.action ?? '?'}`);
    lines.push(
      ...table(
        [
          ['portal URL', kong.portalUrl ?? '?'],
          ['redirect URI', kong.redirectUri ?? '?'],
        ],
        '    ',
      ),
    );
    lines.push('    settings (- before, + after):', ...diffLines(kong.before, kong.after, '      '));
  }
  if (plan.secrets?.length) lines.push('Secrets Manager', ...plan.secrets.map(planItem));
  lines.push(...formatWarnings(plan.warnings));
  const conflicts = [...(plan.okta ?? []), ...(plan.secrets ?? [])].filter((i) => i.action === 'conflict');
  if (conflicts.length) {
    lines.push(
      '',
      `! ${plural(conflicts.length, 'conflict')}: a resource with the provisioner's name exists but was not made by it.`,
      '! A provisioning would stop there and leave it alone; rename or remove it first.',
    );
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// The request history
// ---------------------------------------------------------------------------------------------

export function formatList(page: ListView, nextCommand?: (token: string) => string): string[] {
  if (!page.items.length) return ['No requests.'];
  const rows = page.items.map((r) => [
    r.id,
    r.kind === 'teardown' ? 'teardown' : r.dryRun ? 'plan' : 'provision',
    r.status,
    r.workspace ?? '',
    r.environment ?? '',
    r.createdAt ?? '',
    r.source?.principal ?? r.source?.channel ?? '',
  ]);
  const header = ['ID', 'KIND', 'STATUS', 'WORKSPACE', 'ENV', 'CREATED', 'CALLER'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const render = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const lines = [render(header), ...rows.map(render)];
  if (page.next) lines.push('', `More: ${nextCommand ? nextCommand(page.next) : `--next ${page.next}`}`);
  return lines;
}

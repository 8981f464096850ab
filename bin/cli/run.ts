/**
 * The CLI's commands: parse, call the API, print, pick the exit code. Everything it touches
 * (output, environment, fetch, clock, sleep) comes in through `CliIo`, so it runs the same in a
 * terminal, in CI with stdout redirected, and in tests.
 *
 * Human output goes to stdout and errors to stderr; with --json, stdout carries exactly one JSON
 * document (the API's answer) and live progress goes to stderr, so `| jq` keeps working.
 */
import { helpText, parseCommandLine, UsageError, type Command, type WaitOptions } from './args';
import {
  ApiUnreachableError,
  clientFor,
  isLoopback,
  type ApiClient,
  type ApiResponse,
  type CredentialSource,
} from './api';
import {
  EXIT,
  exitCodeForHttpStatus,
  exitCodeForStatus,
  formatAccepted,
  formatApiError,
  formatLeftovers,
  formatList,
  formatOutcome,
  formatRun,
  isFinal,
  stepChanges,
  type AcceptedView,
  type ExitCode,
  type ListView,
  type RunView,
  type StepMark,
} from './format';
import { sampleTicket } from './sample-ticket';

export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  env: Readonly<Record<string, string | undefined>>;
  fetch: typeof fetch;
  sleep(ms: number): Promise<void>;
  now(): number;
  /** How often --wait polls; about a second keeps progress live without load on the API. */
  pollIntervalMs?: number;
  /** Instead of the default AWS credential chain (tests). */
  credentials?: CredentialSource;
}

/** Poll failures in a row tolerated while waiting (a blip should not abandon a 10-minute wait). */
const MAX_POLL_FAILURES = 5;

export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let command: Command;
  try {
    command = parseCommandLine(argv, io.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`kong-portal-provisioner: ${err.message}`);
    io.stderr(`Run 'kong-portal-provisioner ${err.topic ? `${err.topic} ` : ''}--help' for usage.`);
    return EXIT.BAD_INPUT;
  }
  if (command.kind === 'help') {
    io.stdout(helpText(command.topic));
    return EXIT.SUCCESS;
  }
  try {
    const api = await clientFor(command.global, io);
    return await execute(command, api, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`kong-portal-provisioner: ${err.message}`);
      return EXIT.BAD_INPUT;
    }
    if (err instanceof ApiUnreachableError) {
      io.stderr(err.message);
      if (isLoopback(new URL(command.global.apiUrl).hostname)) {
        io.stderr("Is the local service running? Start it with 'npm start', or pass --api-url.");
      }
      return EXIT.ERROR;
    }
    // Credential-chain and signing failures land here; their messages name no secret.
    io.stderr(`kong-portal-provisioner: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.ERROR;
  }
}

type Runnable = Exclude<Command, { kind: 'help' }>;

async function execute(command: Runnable, api: ApiClient, io: CliIo): Promise<ExitCode> {
  const { json } = command.global;
  const printJson = (body: unknown) => io.stdout(JSON.stringify(body, null, 2));

  /** A refused call: the API's own JSON with --json, else an explanation on stderr. */
  const refused = (response: ApiResponse): ExitCode => {
    if (json) printJson(response.body);
    else formatApiError(response.status, response.body).forEach((l) => io.stderr(l));
    return exitCodeForHttpStatus(response.status);
  };

  switch (command.kind) {
    case 'provision':
    case 'plan': {
      const response = await api.call('POST', '/provisionings', {
        body: command.body,
        ...(command.idempotencyKey ? { headers: { 'Idempotency-Key': command.idempotencyKey } } : {}),
      });
      if (response.status !== 202 && response.status !== 200) return refused(response);
      const where =
        command.body.portal !== undefined
          ? `konnect.${String(command.body.portal)}`
          : String(command.body.workspace);
      const scope = scopeText(where, command.body.environment);
      const what = command.kind === 'plan' ? `Plan for ${scope}` : `Provisioning of ${scope}`;
      return accepted(response.body as AcceptedView, what, command.waitFor, api, io, json);
    }
    case 'teardown': {
      const response = await api.call(
        'DELETE',
        `/workspaces/${encodeURIComponent(command.workspace)}/portal`,
        command.environment !== undefined ? { query: { environment: command.environment } } : {},
      );
      if (response.status !== 202 && response.status !== 200) return refused(response);
      const what = `Teardown of ${scopeText(command.workspace, command.environment)}`;
      return accepted(response.body as AcceptedView, what, command.waitFor, api, io, json);
    }
    case 'status': {
      const response = await api.call('GET', `/provisionings/${encodeURIComponent(command.id)}`);
      if (response.status !== 200) return refused(response);
      const run = response.body as RunView;
      if (json) printJson(run);
      else formatRun(run).forEach((l) => io.stdout(l));
      return exitCodeForStatus(run.status);
    }
    case 'sample-ticket':
      return sampleTicket(api, io, {
        system: command.system,
        workspace: command.workspace,
        groups: command.groups,
        ...(command.environment ? { environment: command.environment } : {}),
        ...(command.secret ? { secret: command.secret } : {}),
        timeoutSeconds: command.timeoutSeconds,
      });
    case 'list': {
      const response = await api.call('GET', '/provisionings', { query: command.query });
      if (response.status !== 200) return refused(response);
      const page = response.body as ListView;
      if (json) printJson(page);
      else formatList(page, (token) => listCommand(command.query, token)).forEach((l) => io.stdout(l));
      return EXIT.SUCCESS;
    }
  }
}

/** "workspace 'w' (env)", or without the environment when the deployment's default applies. */
function scopeText(workspace: string, environment: unknown): string {
  return typeof environment === 'string'
    ? `workspace '${workspace}' (${environment})`
    : `workspace '${workspace}'`;
}

function listCommand(query: Record<string, string>, next: string): string {
  const flags = Object.entries({ ...query, next }).map(([k, v]) => `--${k} ${v}`);
  return `kong-portal-provisioner list ${flags.join(' ')}`;
}

async function accepted(
  body: AcceptedView,
  what: string,
  waitFor: WaitOptions,
  api: ApiClient,
  io: CliIo,
  json: boolean,
): Promise<ExitCode> {
  if (!waitFor.wait) {
    if (json) io.stdout(JSON.stringify(body, null, 2));
    else formatAccepted(body, what, false).forEach((l) => io.stdout(l));
    return exitCodeForStatus(body.status);
  }
  // With --json, stdout is reserved for the final document; progress goes to stderr.
  const say = json ? io.stderr : io.stdout;
  formatAccepted(body, what, true).forEach((l) => say(l));
  say(`Waiting up to ${waitFor.timeoutSeconds} s (Ctrl-C stops waiting, not the run)`);
  return follow(body.id, waitFor.timeoutSeconds, api, io, json);
}

/** Polls the run, printing each step change, until it ends or the timeout passes. */
async function follow(
  id: string,
  timeoutSeconds: number,
  api: ApiClient,
  io: CliIo,
  json: boolean,
): Promise<ExitCode> {
  const say = json ? io.stderr : io.stdout;
  const deadline = io.now() + timeoutSeconds * 1000;
  const interval = io.pollIntervalMs ?? 1000;
  let seen: ReadonlyMap<string, StepMark> = new Map();
  let failures = 0;
  let lastStatus = 'RUNNING';
  for (;;) {
    let response: ApiResponse | undefined;
    try {
      response = await api.call('GET', `/provisionings/${encodeURIComponent(id)}`);
    } catch (err) {
      if (!(err instanceof ApiUnreachableError) || ++failures >= MAX_POLL_FAILURES) throw err;
    }
    if (response) {
      if (response.status === 200) {
        failures = 0;
        const run = response.body as RunView;
        lastStatus = run.status;
        const change = stepChanges(seen, run.steps ?? []);
        seen = change.seen;
        change.lines.forEach((l) => say(l));
        if (isFinal(run.status)) {
          if (json) {
            io.stdout(JSON.stringify(run, null, 2));
            formatLeftovers(run.leftovers).forEach((l) => io.stderr(l));
          } else {
            formatOutcome(run).forEach((l) => io.stdout(l));
          }
          return exitCodeForStatus(run.status);
        }
      } else if ((response.status >= 500 || response.status === 429) && ++failures < MAX_POLL_FAILURES) {
        // A dependency blip (503) or throttling: keep waiting, the run itself is unaffected.
      } else {
        if (json) io.stdout(JSON.stringify(response.body, null, 2));
        else formatApiError(response.status, response.body).forEach((l) => io.stderr(l));
        return exitCodeForHttpStatus(response.status);
      }
    }
    const left = deadline - io.now();
    if (left <= 0) {
      io.stderr(`Request ${id} is still ${lastStatus} after ${timeoutSeconds} s; the run goes on.`);
      io.stderr(`Follow it with: kong-portal-provisioner status ${id}`);
      return EXIT.ERROR;
    }
    await io.sleep(Math.min(interval, left));
  }
}

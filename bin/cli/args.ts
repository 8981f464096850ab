/**
 * Command-line parsing for the CLI: argv in, one typed command out, nothing else. Pure (no I/O,
 * no environment reads beyond what is passed in) so every flag's meaning is unit-testable.
 *
 * The API is the authority on what a valid request is: flags are mapped onto the request body as
 * given, and field rules (ranges, name syntax, required fields) are left to the server, whose 400
 * names each field. The CLI only refuses what it cannot even express: unknown flags, a flag
 * without its value, a missing positional argument or path segment.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';
export const DEFAULT_TIMEOUT_SECONDS = 600;

export type CommandName = 'provision' | 'plan' | 'status' | 'list' | 'teardown' | 'sample-ticket';
export const COMMANDS: readonly CommandName[] = [
  'provision',
  'plan',
  'status',
  'list',
  'teardown',
  'sample-ticket',
];

export interface GlobalOptions {
  apiUrl: string;
  /** Sign requests with SigV4 even on loopback (a deployed API is signed regardless). */
  sigv4: boolean;
  region?: string;
  profile?: string;
  json: boolean;
}

export interface WaitOptions {
  wait: boolean;
  timeoutSeconds: number;
}

export type Command =
  | { kind: 'help'; topic?: CommandName }
  | {
      kind: 'provision' | 'plan';
      global: GlobalOptions;
      waitFor: WaitOptions;
      body: Record<string, unknown>;
      idempotencyKey?: string;
    }
  | { kind: 'status'; global: GlobalOptions; id: string }
  | { kind: 'list'; global: GlobalOptions; query: Record<string, string> }
  | {
      kind: 'teardown';
      global: GlobalOptions;
      waitFor: WaitOptions;
      workspace: string;
      environment?: string;
    }
  | {
      kind: 'sample-ticket';
      global: GlobalOptions;
      system: 'jira' | 'servicenow';
      workspace: string;
      groups: string[];
      environment?: string;
      secret?: string;
      timeoutSeconds: number;
    };

/** A command line the CLI cannot turn into a request (exit code 3, like a 400). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly topic?: CommandName,
  ) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

const GLOBAL_OPTIONS = {
  'api-url': { type: 'string' },
  sigv4: { type: 'boolean' },
  region: { type: 'string' },
  profile: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

const WAIT_OPTIONS = {
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
} as const satisfies Options;

const PROVISION_OPTIONS = {
  ...GLOBAL_OPTIONS,
  ...WAIT_OPTIONS,
  target: { type: 'string' },
  portal: { type: 'string' },
  workspace: { type: 'string' },
  environment: { type: 'string' },
  group: { type: 'string', multiple: true },
  'email-attribute': { type: 'string' },
  'claim-name': { type: 'string' },
  audience: { type: 'string' },
  scope: { type: 'string', multiple: true },
  'auto-approve': { type: 'boolean' },
  // node:util parseArgs on Node 20 has no `--no-` negation, so the opt-out is its own flag.
  'no-ssl-verify': { type: 'boolean' },
  'access-token-minutes': { type: 'string' },
  'refresh-window-minutes': { type: 'string' },
  'requested-by': { type: 'string' },
  'idempotency-key': { type: 'string' },
} as const satisfies Options;

const LIST_OPTIONS = {
  ...GLOBAL_OPTIONS,
  workspace: { type: 'string' },
  environment: { type: 'string' },
  limit: { type: 'string' },
  next: { type: 'string' },
} as const satisfies Options;

const TEARDOWN_OPTIONS = {
  ...GLOBAL_OPTIONS,
  ...WAIT_OPTIONS,
  target: { type: 'string' },
  portal: { type: 'string' },
  workspace: { type: 'string' },
  environment: { type: 'string' },
} as const satisfies Options;

const SAMPLE_TICKET_OPTIONS = {
  ...GLOBAL_OPTIONS,
  system: { type: 'string' },
  workspace: { type: 'string' },
  group: { type: 'string', multiple: true },
  environment: { type: 'string' },
  secret: { type: 'string' },
  timeout: { type: 'string' },
} as const satisfies Options;

const HELP: Record<CommandName | 'main', string> = {
  main: `kong-portal-provisioner: Kong Dev Portals with Okta sign-in, on request

Usage: kong-portal-provisioner <command> [options]

Commands
  provision   provision a workspace's Dev Portal with Okta OIDC sign-in
  plan        the same request as a dry run: what would be created or changed
  status      one request's status, steps and outputs
  list        the request history, newest first
  teardown    remove what the provisioner made for a workspace
  sample-ticket  try the ticket front door locally: file a Jira (or ServiceNow) ticket in the
              local sandbox, send its signed webhook, show the answer the ticket received

Options for every command
  --api-url URL   the provisioning API (default $PROVISIONER_API_URL or ${DEFAULT_API_URL},
                  the local service started by 'npm start'); include the stage, e.g.
                  https://abc123.execute-api.eu-west-1.amazonaws.com/v1
  --sigv4         sign requests with AWS SigV4 even on loopback (any non-loopback URL is
                  always signed, with the standard AWS credential chain)
  --region R      signing region (default: from the execute-api host name, else $AWS_REGION)
  --profile P     AWS profile for the credentials (default $AWS_PROFILE or the default chain)
  --json          print the API's JSON instead of the human view
  -h, --help      help for a command: kong-portal-provisioner <command> --help

Exit codes
  0 success (SUCCEEDED, PLANNED, or accepted without --wait)   1 the run FAILED (rolled back cleanly)
  2 CLEANUP_INCOMPLETE (resources left behind)   3 bad input   4 conflict (another run holds the
  workspace)   5 API unreachable, timed out waiting, or any other error`,

  provision: `Usage: kong-portal-provisioner provision --workspace W --group G [--environment E] [options]

Give workspace W a Dev Portal with Okta OIDC sign-in for the given Okta groups.

  --workspace W                Kong workspace (required for a Kong workspace portal)
  --target T                   kong-ee-workspace (default) or konnect
  --portal P                   Konnect portal id or name (target konnect; implies it)
  --environment E              environment name, e.g. dev, prod (default: the one the deployment
                               serves; dev for the local service)
  --group G                    Okta group name or id; repeat for several (at least one)
  --email-attribute A          Okta user-profile attribute holding the e-mail (default login)
  --claim-name N               ID-token claim name (default user.<attribute>)
  --audience X                 authorization server audience (default api://kong-portal-<env>-<ws>)
  --scope S                    OAuth scope; repeat for several (default openid profile email offline_access)
  --auto-approve               approve new developers automatically (Kong portal_auto_approve)
  --no-ssl-verify              have Kong skip TLS verification of the issuer (discouraged; logged)
  --access-token-minutes N     access token lifetime, 5-1440 (default 60)
  --refresh-window-minutes N   refresh token window, 10-2628000 (default 10080)
  --requested-by WHO           who asked (default: the authenticated caller)
  --idempotency-key K          the same key never starts a second run (1-64 of A-Z a-z 0-9 _ -)
  --wait                       follow the run to its end, printing each step as it goes
  --timeout S                  give up waiting after S seconds (default ${DEFAULT_TIMEOUT_SECONDS}); the run goes on

Plus the options every command takes (kong-portal-provisioner --help).`,

  plan: `Usage: kong-portal-provisioner plan --workspace W --group G [--environment E] [options] [--wait]

A dry run of 'provision' with the same options: nothing is created or changed. With --wait it
prints the plan: each Okta resource with its action (create, reuse, ensure, conflict) and the Kong
workspace settings before and after.

Plus the options every command takes (kong-portal-provisioner --help).`,

  status: `Usage: kong-portal-provisioner status <id>

One request's status, each step (state, attempts, duration, error), and its outputs: issuer,
client id, portal URL and the Secrets Manager ARN of the client secret (never its value).
The exit code follows the run: 0 running/succeeded/planned, 1 failed, 2 cleanup incomplete.

Plus the options every command takes (kong-portal-provisioner --help).`,

  list: `Usage: kong-portal-provisioner list [--workspace W] [--environment E] [--limit N] [--next TOKEN]

The request history (provisionings, dry runs and teardowns), newest first, optionally only one
workspace's and/or one environment's. --next continues from the token the previous page printed.

Plus the options every command takes (kong-portal-provisioner --help).`,

  teardown: `Usage: kong-portal-provisioner teardown --workspace W | --portal P [--environment E] [--wait] [--timeout S]

Remove what the provisioner made for workspace W in environment E (default: the one the
deployment serves; dev for the local service): restore the workspace's
portal settings (a Konnect portal, --portal P as given when provisioning it: its sign-in settings
and our identity provider), delete the Okta authorization server and app, and their secrets. Anything it did
not create is left alone and reported.

Plus the options every command takes (kong-portal-provisioner --help).`,

  'sample-ticket': `Usage: kong-portal-provisioner sample-ticket --workspace W --group G [--system jira|servicenow] [options]

Against the local service ('npm start') only: files a ticket asking for workspace W's Dev Portal in
the built-in Jira sandbox (or a requested item in the ServiceNow sandbox) through that system's REST
API, approves it, sends the webhook that system would send - signed with the local webhook secret -
follows the run, and prints the comment (or work note) the ticket received.

  --system S       jira (default) or servicenow
  --workspace W    Kong workspace the ticket asks for (required; 'default' exists in the sandbox)
  --group G        Okta group; repeat for several (at least one; 'Everyone' exists in the sandbox)
  --environment E  environment field of the ticket (default: left empty, the served one applies)
  --secret S       the webhook signing secret (default: $JIRA_WEBHOOK_SECRET / $SERVICENOW_WEBHOOK_SECRET
                   or the local development default npm start uses)
  --timeout S      give up waiting for the run after S seconds (default ${DEFAULT_TIMEOUT_SECONDS})

Plus the options every command takes (kong-portal-provisioner --help).`,
};

export function helpText(topic?: CommandName): string {
  return HELP[topic ?? 'main'];
}

function isCommand(word: string | undefined): word is CommandName {
  return COMMANDS.includes(word as CommandName);
}

/** parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes; turn them into usage errors. */
function parse<O extends Options>(args: string[], options: O, topic: CommandName, positionals = false) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: positionals });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new UsageError(message, topic);
  }
}

function globalOptions(
  values: {
    'api-url'?: string;
    sigv4?: boolean;
    region?: string;
    profile?: string;
    json?: boolean;
  },
  env: Readonly<Record<string, string | undefined>>,
): GlobalOptions {
  const apiUrl = values['api-url'] ?? env.PROVISIONER_API_URL ?? DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new UsageError(`--api-url '${apiUrl}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--api-url '${apiUrl}' must be an http(s) URL`);
  }
  return {
    // The stage path (e.g. /v1) is kept; only a trailing slash is dropped so paths join cleanly.
    apiUrl: apiUrl.replace(/\/+$/, ''),
    sigv4: values.sigv4 ?? false,
    ...(values.region ? { region: values.region } : {}),
    ...(values.profile ? { profile: values.profile } : {}),
    json: values.json ?? false,
  };
}

function waitOptions(values: { wait?: boolean; timeout?: string }, topic: CommandName): WaitOptions {
  let timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
  if (values.timeout !== undefined) {
    timeoutSeconds = Number(values.timeout);
    if (!/^\d+(\.\d+)?$/.test(values.timeout) || timeoutSeconds <= 0) {
      throw new UsageError(`--timeout must be a positive number of seconds, not '${values.timeout}'`, topic);
    }
  }
  return { wait: values.wait ?? false, timeoutSeconds };
}

/**
 * A numeric flag goes to the API as a number when it looks like one; otherwise as the text given,
 * so the API's 400 names the field ("must be a number of minutes") instead of the CLI guessing.
 */
function numberOrText(value: string): number | string {
  return /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
}

/** The POST /provisionings body: only the fields given, so the API's defaults apply to the rest. */
export function provisioningBody(
  values: {
    target?: string;
    portal?: string;
    workspace?: string;
    environment?: string;
    group?: string[];
    'email-attribute'?: string;
    'claim-name'?: string;
    audience?: string;
    scope?: string[];
    'auto-approve'?: boolean;
    'no-ssl-verify'?: boolean;
    'access-token-minutes'?: string;
    'refresh-window-minutes'?: string;
    'requested-by'?: string;
  },
  dryRun: boolean,
): Record<string, unknown> {
  const tokenLifetimes: Record<string, unknown> = {};
  if (values['access-token-minutes'] !== undefined)
    tokenLifetimes.accessTokenMinutes = numberOrText(values['access-token-minutes']);
  if (values['refresh-window-minutes'] !== undefined)
    tokenLifetimes.refreshTokenWindowMinutes = numberOrText(values['refresh-window-minutes']);
  return {
    ...(values.target !== undefined ? { target: values.target } : {}),
    ...(values.portal !== undefined ? { portal: values.portal } : {}),
    ...(values.workspace !== undefined ? { workspace: values.workspace } : {}),
    ...(values.environment !== undefined ? { environment: values.environment } : {}),
    // Always sent, even empty, so a forgotten --group is reported as "oktaGroups: ..." by the API.
    oktaGroups: values.group ?? [],
    ...(values['email-attribute'] !== undefined ? { emailAttribute: values['email-attribute'] } : {}),
    ...(values['claim-name'] !== undefined ? { claimName: values['claim-name'] } : {}),
    ...(values.audience !== undefined ? { audience: values.audience } : {}),
    ...(values.scope !== undefined ? { scopes: values.scope } : {}),
    ...(values['auto-approve'] ? { autoApprove: true } : {}),
    ...(values['no-ssl-verify'] ? { sslVerify: false } : {}),
    ...(Object.keys(tokenLifetimes).length ? { tokenLifetimes } : {}),
    ...(values['requested-by'] !== undefined ? { requestedBy: values['requested-by'] } : {}),
    ...(dryRun ? { dryRun: true } : {}),
  };
}

function required(value: string | undefined, flag: string, topic: CommandName): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`, topic);
  return value;
}

/** argv (without `node` and the script) to a command; throws UsageError on what cannot be sent. */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') return { kind: 'help' };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { kind: 'help' };
    if (!isCommand(topic)) throw new UsageError(`Unknown command '${topic}'`);
    return { kind: 'help', topic };
  }
  if (!isCommand(first)) throw new UsageError(`Unknown command '${first}'`);
  const args = [...rest];

  switch (first) {
    case 'provision':
    case 'plan': {
      const { values } = parse(args, PROVISION_OPTIONS, first);
      if (values.help) return { kind: 'help', topic: first };
      const key = values['idempotency-key'];
      return {
        kind: first,
        global: globalOptions(values, env),
        waitFor: waitOptions(values, first),
        body: provisioningBody(values, first === 'plan'),
        ...(key !== undefined ? { idempotencyKey: key } : {}),
      };
    }
    case 'status': {
      const { values, positionals } = parse(args, GLOBAL_OPTIONS, first, true);
      if (values.help) return { kind: 'help', topic: first };
      if (positionals.length !== 1)
        throw new UsageError('status takes exactly one request id: status <id>', first);
      return { kind: 'status', global: globalOptions(values, env), id: positionals[0] as string };
    }
    case 'list': {
      const { values } = parse(args, LIST_OPTIONS, first);
      if (values.help) return { kind: 'help', topic: first };
      const query: Record<string, string> = {};
      for (const key of ['workspace', 'environment', 'limit', 'next'] as const) {
        const value = values[key];
        if (value !== undefined) query[key] = value;
      }
      return { kind: 'list', global: globalOptions(values, env), query };
    }
    case 'sample-ticket': {
      const { values } = parse(args, SAMPLE_TICKET_OPTIONS, first);
      if (values.help) return { kind: 'help', topic: first };
      const system = values.system ?? 'jira';
      if (system !== 'jira' && system !== 'servicenow')
        throw new UsageError(`--system must be jira or servicenow, not '${system}'`, first);
      const groups = values.group ?? [];
      if (groups.length === 0) throw new UsageError('--group is required (at least one)', first);
      const secret =
        values.secret ?? (system === 'jira' ? env.JIRA_WEBHOOK_SECRET : env.SERVICENOW_WEBHOOK_SECRET);
      return {
        kind: 'sample-ticket',
        global: globalOptions(values, env),
        system,
        workspace: required(values.workspace, '--workspace', first),
        groups,
        ...(values.environment !== undefined ? { environment: values.environment } : {}),
        ...(secret ? { secret } : {}),
        timeoutSeconds: waitOptions(values, first).timeoutSeconds,
      };
    }
    case 'teardown': {
      const { values } = parse(args, TEARDOWN_OPTIONS, first);
      if (values.help) return { kind: 'help', topic: first };
      return {
        kind: 'teardown',
        global: globalOptions(values, env),
        waitFor: waitOptions(values, first),
        // The workspace is a path segment: it must exist for the URL to mean anything, so it is
        // checked here rather than by the API. The environment defaults to the served one.
        workspace: teardownKey(values),
        ...(values.environment !== undefined ? { environment: values.environment } : {}),
      };
    }
  }
}

/** A Konnect portal's requests are keyed `konnect.<portal>`: its teardown path uses that key. */
function teardownKey(values: { target?: string; portal?: string; workspace?: string }): string {
  const konnect = values.target === 'konnect' || (values.target === undefined && values.portal !== undefined);
  if (values.target !== undefined && values.target !== 'konnect' && values.target !== 'kong-ee-workspace')
    throw new UsageError(`--target must be kong-ee-workspace or konnect, not '${values.target}'`, 'teardown');
  if (konnect) return `konnect.${required(values.portal, '--portal', 'teardown')}`;
  return required(values.workspace, '--workspace', 'teardown');
}

// Intent: the CLI's pure parts - flag parsing into a request body, exit codes, the human views
// (errors, live step lines, outcome, plan, list) and SigV4 signing - behave as documented without
// a server; runCli is driven with a fake fetch and clock to pin the exit code of each outcome.
import { parseCommandLine, UsageError, type Command } from '../../bin/cli/args';
import {
  createApiClient,
  createSigV4Signer,
  isLoopback,
  needsSigning,
  signingRegion,
  type AwsCredentials,
} from '../../bin/cli/api';
import {
  EXIT,
  diffLines,
  exitCodeForHttpStatus,
  exitCodeForStatus,
  formatApiError,
  formatDuration,
  formatLeftovers,
  formatList,
  printable,
  formatOutcome,
  formatOutputs,
  formatPlan,
  formatRun,
  stepChanges,
  type RunView,
  type StepMark,
  type StepView,
} from '../../bin/cli/format';
import { runCli, type CliIo } from '../../bin/cli/run';

describe('exit codes', () => {
  it.each([
    ['SUCCEEDED', EXIT.SUCCESS],
    ['PLANNED', EXIT.SUCCESS],
    ['RUNNING', EXIT.SUCCESS],
    ['FAILED', EXIT.FAILED],
    ['CLEANUP_INCOMPLETE', EXIT.CLEANUP_INCOMPLETE],
    ['SOMETHING_NEW', EXIT.ERROR],
  ])('run status %s exits %i', (status, code) => {
    expect(exitCodeForStatus(status)).toBe(code);
  });

  it.each([
    [400, EXIT.BAD_INPUT],
    [409, EXIT.CONFLICT],
    [403, EXIT.ERROR],
    [404, EXIT.ERROR],
    [500, EXIT.ERROR],
    [503, EXIT.ERROR],
  ])('HTTP %i exits %i', (status, code) => {
    expect(exitCodeForHttpStatus(status)).toBe(code);
  });
});

describe('parseCommandLine', () => {
  const provision = (argv: string[]) =>
    parseCommandLine(argv, {}) as Extract<Command, { kind: 'provision' | 'plan' }>;

  it('maps every provision flag onto the request body, and only the flags given', () => {
    const cmd = provision([
      'provision',
      '--workspace',
      'team-a',
      '--environment',
      'dev',
      '--group',
      'Developers',
      '--group',
      'Admins',
      '--email-attribute',
      'email',
      '--claim-name',
      'portal_user',
      '--audience',
      'api://x',
      '--scope',
      'openid',
      '--scope',
      'email',
      '--auto-approve',
      '--no-ssl-verify',
      '--access-token-minutes',
      '30',
      '--refresh-window-minutes',
      '600',
      '--requested-by',
      'alice',
      '--idempotency-key',
      'ticket-42',
      '--wait',
      '--timeout',
      '90',
    ]);
    expect(cmd.kind).toBe('provision');
    expect(cmd.body).toEqual({
      workspace: 'team-a',
      environment: 'dev',
      oktaGroups: ['Developers', 'Admins'],
      emailAttribute: 'email',
      claimName: 'portal_user',
      audience: 'api://x',
      scopes: ['openid', 'email'],
      autoApprove: true,
      sslVerify: false,
      tokenLifetimes: { accessTokenMinutes: 30, refreshTokenWindowMinutes: 600 },
      requestedBy: 'alice',
    });
    expect(cmd.idempotencyKey).toBe('ticket-42');
    expect(cmd.waitFor).toEqual({ wait: true, timeoutSeconds: 90 });
    expect(cmd.global).toEqual({ apiUrl: 'http://127.0.0.1:3000', sigv4: false, json: false });
  });

  it('leaves defaults to the API and sends dryRun for plan', () => {
    const cmd = provision(['plan', '--workspace', 'w', '--environment', 'dev', '--group', 'G']);
    expect(cmd.body).toEqual({ workspace: 'w', environment: 'dev', oktaGroups: ['G'], dryRun: true });
    expect(cmd.waitFor).toEqual({ wait: false, timeoutSeconds: 600 });
  });

  it('passes a non-numeric minutes value through, so the API names the field', () => {
    const cmd = provision(['provision', '--access-token-minutes', 'soon']);
    expect(cmd.body.tokenLifetimes).toEqual({ accessTokenMinutes: 'soon' });
  });

  it('takes the API URL from --api-url, then PROVISIONER_API_URL, keeping the stage path', () => {
    const fromEnv = parseCommandLine(['list'], { PROVISIONER_API_URL: 'https://x.example/v1/' });
    expect(fromEnv.kind === 'list' && fromEnv.global.apiUrl).toBe('https://x.example/v1');
    const fromFlag = parseCommandLine(['list', '--api-url', 'http://localhost:9'], {
      PROVISIONER_API_URL: 'https://x.example/v1',
    });
    expect(fromFlag.kind === 'list' && fromFlag.global.apiUrl).toBe('http://localhost:9');
  });

  it('parses status, list and teardown', () => {
    expect(parseCommandLine(['status', 'req-1', '--json'])).toMatchObject({
      kind: 'status',
      id: 'req-1',
      global: { json: true },
    });
    expect(parseCommandLine(['list', '--workspace', 'w', '--limit', '5', '--next', 'tok'])).toMatchObject({
      kind: 'list',
      query: { workspace: 'w', limit: '5', next: 'tok' },
    });
    expect(
      parseCommandLine(['teardown', '--workspace', 'w', '--environment', 'dev', '--wait']),
    ).toMatchObject({
      kind: 'teardown',
      workspace: 'w',
      environment: 'dev',
      waitFor: { wait: true },
    });
  });

  it('answers --help everywhere', () => {
    expect(parseCommandLine([])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['help', 'plan'])).toEqual({ kind: 'help', topic: 'plan' });
    for (const topic of ['provision', 'plan', 'status', 'list', 'teardown'] as const) {
      expect(parseCommandLine([topic, '--help'])).toEqual({ kind: 'help', topic });
      expect(parseCommandLine([topic, '-h'])).toEqual({ kind: 'help', topic });
    }
  });

  it('names a Konnect portal with --portal: in the body, and as the konnect.<portal> key of its teardown', () => {
    const provision = parseCommandLine(['provision', '--portal', 'developer-portal', '--group', 'G']);
    expect(provision).toMatchObject({
      kind: 'provision',
      body: { portal: 'developer-portal', oktaGroups: ['G'] },
    });
    expect(provision.kind === 'provision' && provision.body.workspace).toBeUndefined();
    expect(parseCommandLine(['plan', '--target', 'konnect', '--portal', 'p1', '--group', 'G'])).toMatchObject(
      { kind: 'plan', body: { target: 'konnect', portal: 'p1', dryRun: true } },
    );
    expect(parseCommandLine(['teardown', '--portal', 'developer-portal'])).toMatchObject({
      kind: 'teardown',
      workspace: 'konnect.developer-portal',
    });
    expect(() => parseCommandLine(['teardown', '--target', 'konnect', '--workspace', 'w'])).toThrow(
      '--portal is required',
    );
    expect(() => parseCommandLine(['teardown', '--target', 'saas', '--workspace', 'w'])).toThrow(
      "--target must be kong-ee-workspace or konnect, not 'saas'",
    );
  });

  it('tears down in the served environment when none is named', () => {
    const cmd = parseCommandLine(['teardown', '--workspace', 'w']);
    expect(cmd).toMatchObject({ kind: 'teardown', workspace: 'w' });
    expect(cmd.kind === 'teardown' && cmd.environment).toBeUndefined();
  });

  it.each([
    [['frobnicate']],
    [['provision', '--bogus']],
    [['provision', '--workspace']],
    [['status']],
    [['status', 'a', 'b']],
    [['teardown', '--environment', 'dev']],
    [['provision', '--timeout', 'soon']],
    [['list', '--api-url', 'ftp://x']],
  ])('refuses %j as a usage error', (argv) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
  });
});

describe('formatApiError', () => {
  it('prints every field and reason of a 400', () => {
    const lines = formatApiError(400, {
      error: 'ValidationError',
      message: 'Invalid request: ...',
      issues: [
        { field: 'tokenLifetimes.accessTokenMinutes', reason: 'must be between 5 and 1440 minutes' },
        { field: 'scopes', reason: "must include 'openid'" },
        { field: '', reason: 'the request body must be a JSON object' },
      ],
    });
    expect(lines).toEqual([
      'Invalid request:',
      '  tokenLifetimes.accessTokenMinutes: must be between 5 and 1440 minutes',
      "  scopes: must include 'openid'",
      '  (request body): the request body must be a JSON object',
    ]);
  });

  it('names the running request of a 409', () => {
    const text = formatApiError(409, {
      error: 'Conflict',
      message: "Workspace 'w' (dev) is already being changed by request req-9",
      runningRequest: { id: 'req-9', statusUrl: '/provisionings/req-9' },
    }).join('\n');
    expect(text).toContain('Running request: req-9');
    expect(text).toContain('kong-portal-provisioner status req-9');
  });

  it("explains API Gateway's refusals and non-JSON answers", () => {
    expect(formatApiError(403, { message: 'Missing Authentication Token' }).join('\n')).toMatch(
      /HTTP 403\): Missing Authentication Token[\s\S]*SigV4/,
    );
    expect(formatApiError(502, '<html>bad gateway</html>')).toEqual([
      'The API failed (HTTP 502): <html>bad gateway</html>',
    ]);
  });
});

describe('stepChanges (live progress)', () => {
  const step = (name: string, state: string, attempts = 1, extra: Partial<StepView> = {}): StepView => ({
    name,
    state,
    attempts,
    startedAt: '2026-01-01T00:00:00.000Z',
    ...(state === 'SUCCEEDED' ? { endedAt: '2026-01-01T00:00:01.500Z' } : {}),
    ...extra,
  });

  function replay(polls: StepView[][]): string[] {
    let seen: ReadonlyMap<string, StepMark> = new Map();
    const out: string[] = [];
    for (const steps of polls) {
      const change = stepChanges(seen, steps);
      seen = change.seen;
      out.push(...change.lines.map((l) => l.replace(/\s+/g, ' ').trim()));
    }
    return out;
  }

  it('prints a line when a step starts, finishes or is retried, never repeats one', () => {
    const error = { name: 'TransientError', message: 'Okta answered 503' };
    const lines = replay([
      [step('ValidatePlan', 'SUCCEEDED'), step('CreateOktaApp', 'RUNNING')],
      [step('ValidatePlan', 'SUCCEEDED'), step('CreateOktaApp', 'RUNNING')],
      [step('ValidatePlan', 'SUCCEEDED'), step('CreateOktaApp', 'RUNNING', 2, { error })],
      [step('ValidatePlan', 'SUCCEEDED'), step('CreateOktaApp', 'SUCCEEDED', 2)],
      [
        step('ValidatePlan', 'SUCCEEDED'),
        step('CreateOktaApp', 'SUCCEEDED', 2),
        step('AssignGroups', 'FAILED', 1, { error }),
      ],
    ]);
    expect(lines).toEqual([
      'done ValidatePlan 1.5 s',
      'start CreateOktaApp',
      'retry CreateOktaApp attempt 2 after TransientError: Okta answered 503',
      'done CreateOktaApp 1.5 s, 2 attempts',
      'failed AssignGroups attempt 1: TransientError: Okta answered 503',
    ]);
  });
});

describe('outcome, status and plan views', () => {
  const succeeded: RunView = {
    id: 'req-1',
    kind: 'provision',
    status: 'SUCCEEDED',
    workspace: 'default',
    environment: 'dev',
    dryRun: false,
    requestedBy: 'arn:aws:iam::1:user/alice',
    source: { channel: 'api' },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:02.000Z',
    steps: [
      {
        name: 'CreateOktaApp',
        state: 'SUCCEEDED',
        attempts: 2,
        startedAt: '2026-01-01T00:00:00.000Z',
        endedAt: '2026-01-01T00:00:01.000Z',
      },
    ],
    outputs: {
      requestId: 'req-1',
      issuer: 'https://okta.example/oauth2/aus1',
      clientId: '0oa1',
      portalUrl: 'http://localhost:8003/default',
      redirectUri: 'http://localhost:8004/default/auth',
      clientSecretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:x',
      created: { oktaApp: true, authServer: false },
      // Never in a real answer; the view must not print it if a future API leaked one.
      clientSecret: 'hunter2-should-never-print',
      apiToken: 'also-never',
    },
  };

  it('shows issuer, client id, portal URL and the secret ARN, never a secret-looking field', () => {
    const text = formatOutcome(succeeded).join('\n');
    expect(text).toContain('SUCCEEDED after 2.0 s');
    expect(text).toContain('Issuer         https://okta.example/oauth2/aus1');
    expect(text).toContain('Client id      0oa1');
    expect(text).toContain('Portal URL     http://localhost:8003/default');
    expect(text).toContain('arn:aws:secretsmanager:us-east-1:1:secret:x');
    expect(text).toContain('Created        oktaApp');
    expect(text).toContain('Already there  authServer');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('also-never');
  });

  it('status lists each step with state, attempts, duration and error', () => {
    const failed: RunView = {
      ...succeeded,
      status: 'FAILED',
      outputs: undefined,
      error: { name: 'PermanentError', message: 'Okta refused the app' },
      steps: [
        ...(succeeded.steps ?? []),
        {
          name: 'AssignGroups',
          state: 'FAILED',
          attempts: 1,
          startedAt: '2026-01-01T00:00:01.000Z',
          endedAt: '2026-01-01T00:00:01.250Z',
          error: { name: 'PermanentError', message: 'Okta refused the app' },
        },
      ],
    };
    const lines = formatRun(failed).map((l) => l.replace(/\s+/g, ' ').trim());
    expect(lines).toContain('SUCCEEDED CreateOktaApp 2 attempts 1.0 s');
    expect(lines).toContain('FAILED AssignGroups 1 attempt 0.3 s PermanentError: Okta refused the app');
    expect(lines).toContain('Status FAILED after 2.0 s');
    expect(lines).toContain('Error PermanentError: Okta refused the app');
  });

  it('prints leftovers prominently', () => {
    const text = formatOutcome({
      ...succeeded,
      status: 'CLEANUP_INCOMPLETE',
      outputs: undefined,
      leftovers: ['okta-app:0oa1', 'secret:arn:x'],
    }).join('\n');
    expect(text).toContain('CLEANUP INCOMPLETE');
    expect(text).toMatch(/!! CLEANUP INCOMPLETE: the rollback could not remove 2 resources/);
    expect(text).toContain('!!   - okta-app:0oa1');
    expect(formatLeftovers([])).toEqual([]);
  });

  it('shows a teardown: removed and left alone', () => {
    const lines = formatOutputs({ removed: ['aus1', '0oa1'], leftAlone: [{ id: 'k', reason: 'not ours' }] });
    expect(lines).toEqual([
      '  Removed (2)',
      '    - aus1',
      '    - 0oa1',
      '  Left alone (not made by the provisioner)',
      '    - k: not ours',
    ]);
  });

  it('prints the plan: each Okta item with its action, the Kong diff, and conflicts', () => {
    const text = formatPlan({
      okta: [
        { action: 'create', what: "OIDC Web app 'kong-portal-dev.w'", detail: { redirectUri: 'http://r' } },
        { action: 'conflict', what: "authorization server 'kong-portal-dev.w'", detail: { id: 'aus9' } },
      ],
      portal: {
        action: 'change',
        target: 'kong-ee-workspace',
        portal: 'w',
        portalUrl: 'http://p',
        redirectUri: 'http://r',
        before: { portal: false, portal_auth: null, portal_auth_conf: null },
        after: {
          portal: true,
          portal_auth: 'openid-connect',
          portal_auth_conf: JSON.stringify({ issuer: 'i', client_secret: ['***'] }),
        },
      },
      secrets: [{ action: 'create', what: "secret 'x'" }],
    }).join('\n');
    expect(text).toContain("  create    OIDC Web app 'kong-portal-dev.w'  (redirectUri=http://r)");
    expect(text).toContain("  conflict  authorization server 'kong-portal-dev.w'  (id=aus9)");
    expect(text).toContain("Kong workspace 'w': change");
    expect(text).toContain('- portal: false');
    expect(text).toContain('+ portal: true');
    expect(text).toContain('+ portal_auth: "openid-connect"');
    expect(text).toMatch(/\+ portal_auth_conf:\n\s+\+ issuer: "i"\n\s+\+ client_secret: \["\*\*\*"\]/);
    expect(text).toContain('1 conflict');
  });

  it('diffs unchanged, changed and nested values', () => {
    expect(diffLines({ a: 1, b: '{"x":1,"y":2}' }, { a: 1, b: '{"x":1,"y":3}' }, '')).toEqual([
      '  a: 1',
      '~ b:',
      '      x: 1',
      '    - y: 2',
      '    + y: 3',
    ]);
  });

  it('lists requests with a follow-up command for the next page', () => {
    const lines = formatList(
      {
        items: [
          {
            id: 'req-2',
            kind: 'provision',
            status: 'PLANNED',
            dryRun: true,
            workspace: 'w',
            environment: 'dev',
          },
          { id: 'req-1', kind: 'teardown', status: 'SUCCEEDED', workspace: 'w', environment: 'dev' },
        ],
        next: 'tok',
      },
      (t) => `list --next ${t}`,
    ).map((l) => l.replace(/\s+/g, ' '));
    expect(lines[0]).toMatch(/^ID KIND STATUS WORKSPACE ENV/);
    expect(lines[1]).toMatch(/^req-2 plan PLANNED w dev/);
    expect(lines[2]).toMatch(/^req-1 teardown SUCCEEDED w dev/);
    expect(lines.at(-1)).toBe('More: list --next tok');
    expect(formatList({ items: [] })).toEqual(['No requests.']);
  });

  it('shows who actually called (the authenticated principal), and what the body claimed only as "for"', () => {
    // Intent: requestedBy is free text anyone can fill in; the IAM principal is what the API verified.
    const run: RunView = {
      id: 'req-9',
      kind: 'provision',
      status: 'RUNNING',
      workspace: 'w',
      environment: 'dev',
      requestedBy: 'the CEO',
      source: { channel: 'api', principal: 'arn:aws:iam::1:user/mallory' },
    };
    const lines = formatRun(run).map((l) => l.replace(/\s+/g, ' ').trim());
    expect(lines).toContain('Caller arn:aws:iam::1:user/mallory via api');
    expect(lines).toContain('For the CEO');
    const listed = formatList({ items: [{ ...run, source: run.source }] }).map((l) => l.replace(/\s+/g, ' '));
    expect(listed[0]).toMatch(/CALLER$/);
    expect(listed[1]).toMatch(/arn:aws:iam::1:user\/mallory$/);
  });

  it('never prints a control character it was sent: every value is shown escaped', () => {
    // Intent: a value crafted with terminal escapes or line breaks cannot repaint the screen or fake a line.
    const sent = {
      requestedBy: 'eve\u001b[2J\nSUCCEEDED',
      nested: ['\u009b31m', { deep: 'a\rb\u2028c' }],
      fine: 'plain text, ünïcode ok',
    };
    expect(printable(sent)).toEqual({
      requestedBy: 'eve\\u001b[2J\\u000aSUCCEEDED',
      nested: ['\\u009b31m', { deep: 'a\\u000db\\u2028c' }],
      fine: 'plain text, ünïcode ok',
    });
  });

  it('shows what weakens an existing portal, in the status view and in a plan', () => {
    const warning =
      'ssl_verify turned off for the existing portal: Kong will not verify the TLS certificate of the issuer';
    const run: RunView = { id: 'req-w', status: 'SUCCEEDED', warnings: [warning] };
    expect(formatRun(run)).toContain(`! Warning: ${warning}`);
    expect(formatOutcome(run)).toContain(`! Warning: ${warning}`);
    expect(formatPlan({ warnings: [warning] })).toContain(`! Warning: ${warning}`);
  });

  it('formats durations', () => {
    expect(formatDuration(230)).toBe('0.2 s');
    expect(formatDuration(65_000)).toBe('1 min 05 s');
    expect(formatDuration(Number.NaN)).toBe('-');
  });
});

describe('SigV4', () => {
  const credentials: AwsCredentials = {
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  };

  it('signs an execute-api call with AWS4-HMAC-SHA256 and X-Amz-Date (static credentials, no network)', async () => {
    const sign = createSigV4Signer({
      region: 'eu-west-1',
      credentials: { ...credentials, sessionToken: 'session-token' },
      now: () => new Date('2026-03-01T12:00:00Z'),
    });
    const headers = await sign({
      method: 'POST',
      url: new URL('https://abc123.execute-api.eu-west-1.amazonaws.com/v1/provisionings'),
      headers: { 'content-type': 'application/json' },
      body: '{"workspace":"w"}',
    });
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(lower.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260301\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    expect(lower['x-amz-date']).toBe('20260301T120000Z');
    expect(lower['x-amz-security-token']).toBe('session-token');
    // fetch sets Host from the URL; the signer must not hand it one.
    expect(lower.host).toBeUndefined();
  });

  it("matches the AWS SigV4 test suite's get-vanilla signature", async () => {
    const sign = createSigV4Signer({
      region: 'us-east-1',
      service: 'service',
      credentials,
      now: () => new Date('2015-08-30T12:36:00Z'),
    });
    const headers = await sign({
      method: 'GET',
      url: new URL('https://example.amazonaws.com/'),
      headers: {},
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
        'SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it('signs deployed APIs only (or when forced), in the region of the host', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('localhost')).toBe(true);
    expect(isLoopback('[::1]')).toBe(true);
    expect(isLoopback('api.example.com')).toBe(false);
    expect(needsSigning('http://127.0.0.1:3000', false)).toBe(false);
    expect(needsSigning('http://127.0.0.1:3000', true)).toBe(true);
    expect(needsSigning('https://abc.execute-api.us-east-2.amazonaws.com/v1', false)).toBe(true);
    const api = 'https://abc.execute-api.ap-southeast-2.amazonaws.com/v1';
    expect(signingRegion(api, undefined, { AWS_REGION: 'us-east-1' })).toBe('ap-southeast-2');
    expect(signingRegion(api, 'eu-west-1', {})).toBe('eu-west-1');
    expect(signingRegion('https://portal-api.example.com', undefined, { AWS_REGION: 'eu-north-1' })).toBe(
      'eu-north-1',
    );
    expect(signingRegion('https://portal-api.example.com', undefined, {})).toBeUndefined();
  });

  it('sends the signed headers through fetch', async () => {
    const seen: Array<{ url: string; headers: Record<string, string> }> = [];
    const fakeFetch = (async (url: URL, init: RequestInit) => {
      seen.push({ url: url.toString(), headers: init.headers as Record<string, string> });
      return new Response('{"items":[]}', { status: 200 });
    }) as unknown as typeof fetch;
    const client = createApiClient({
      baseUrl: 'https://abc.execute-api.us-east-1.amazonaws.com/v1',
      fetch: fakeFetch,
      signer: createSigV4Signer({ region: 'us-east-1', credentials }),
    });
    const response = await client.call('GET', '/provisionings', { query: { workspace: 'w' } });
    expect(response).toEqual({ status: 200, body: { items: [] } });
    expect(seen[0]?.url).toBe('https://abc.execute-api.us-east-1.amazonaws.com/v1/provisionings?workspace=w');
    expect(seen[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
  });
});

describe('runCli exit codes (fake API)', () => {
  type Answer = { status: number; body: unknown } | Error;

  function fakeIo(answers: Answer[]): CliIo & { out: string[]; err: string[]; calls: string[] } {
    let clock = 0;
    const out: string[] = [];
    const err: string[] = [];
    const calls: string[] = [];
    return {
      out,
      err,
      calls,
      stdout: (l) => out.push(l),
      stderr: (l) => err.push(l),
      env: {},
      fetch: (async (url: URL, init: RequestInit) => {
        calls.push(`${init.method} ${url.pathname}${url.search}`);
        const next = answers.shift() ?? new Error('no more answers');
        if (next instanceof Error) throw new TypeError('fetch failed', { cause: next });
        return new Response(JSON.stringify(next.body), { status: next.status });
      }) as unknown as typeof fetch,
      sleep: async (ms) => {
        clock += ms;
      },
      now: () => clock,
      pollIntervalMs: 1000,
    };
  }

  const run = (status: string, extra: Partial<RunView> = {}) => ({
    status: 200,
    body: { id: 'req-1', kind: 'provision', status, steps: [], ...extra },
  });
  const accepted = { status: 202, body: { id: 'req-1', status: 'RUNNING' } };
  const provisionArgs = ['provision', '--workspace', 'w', '--environment', 'dev', '--group', 'G'];

  it('accepted without --wait exits 0 and says how to follow', async () => {
    const io = fakeIo([accepted]);
    expect(await runCli(provisionArgs, io)).toBe(EXIT.SUCCESS);
    expect(io.out.join('\n')).toContain('kong-portal-provisioner status req-1');
    expect(io.calls).toEqual(['POST /provisionings']);
  });

  it.each([
    ['SUCCEEDED', EXIT.SUCCESS],
    ['FAILED', EXIT.FAILED],
    ['CLEANUP_INCOMPLETE', EXIT.CLEANUP_INCOMPLETE],
  ])('--wait ending %s exits %i', async (status, code) => {
    const io = fakeIo([accepted, run('RUNNING'), run(status, { leftovers: ['okta-app:0oa1'] })]);
    expect(await runCli([...provisionArgs, '--wait'], io)).toBe(code);
    expect(io.calls).toEqual(['POST /provisionings', 'GET /provisionings/req-1', 'GET /provisionings/req-1']);
    if (status === 'CLEANUP_INCOMPLETE') expect(io.out.join('\n')).toContain('!!   - okta-app:0oa1');
  });

  it('rides out a poll that fails, and gives up at the timeout with exit 5', async () => {
    const io = fakeIo([
      accepted,
      new Error('ECONNRESET'),
      ...Array.from({ length: 10 }, () => run('RUNNING')),
    ]);
    expect(await runCli([...provisionArgs, '--wait', '--timeout', '3'], io)).toBe(EXIT.ERROR);
    expect(io.err.join('\n')).toContain('still RUNNING after 3 s');
    expect(io.err.join('\n')).toContain('kong-portal-provisioner status req-1');
  });

  it('400 exits 3 naming each field; 409 exits 4 naming the running request', async () => {
    const bad = fakeIo([
      {
        status: 400,
        body: { issues: [{ field: 'tokenLifetimes.accessTokenMinutes', reason: 'too short' }] },
      },
    ]);
    expect(await runCli(provisionArgs, bad)).toBe(EXIT.BAD_INPUT);
    expect(bad.err).toContain('  tokenLifetimes.accessTokenMinutes: too short');
    const busy = fakeIo([{ status: 409, body: { message: 'busy', runningRequest: { id: 'req-7' } } }]);
    expect(await runCli(['teardown', '--workspace', 'w', '--environment', 'dev'], busy)).toBe(EXIT.CONFLICT);
    expect(busy.err.join('\n')).toContain('Running request: req-7');
    expect(busy.calls).toEqual(['DELETE /workspaces/w/portal?environment=dev']);
  });

  it('an unreachable API exits 5; a usage error exits 3; --json prints the raw answer', async () => {
    const down = fakeIo([new Error('ECONNREFUSED')]);
    expect(await runCli(['list'], down)).toBe(EXIT.ERROR);
    expect(down.err.join('\n')).toContain('npm start');
    expect(await runCli(['provision', '--nope'], fakeIo([]))).toBe(EXIT.BAD_INPUT);
    const json = fakeIo([run('FAILED')]);
    expect(await runCli(['status', 'req-1', '--json'], json)).toBe(EXIT.FAILED);
    expect(JSON.parse(json.out.join('\n'))).toMatchObject({ id: 'req-1', status: 'FAILED' });
  });
});

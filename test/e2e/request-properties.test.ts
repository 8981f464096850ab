// Intent: whatever body arrives at POST /provisionings, the service answers 202 or a precise 400 -
// never a 5xx - and an invalid body leaves no trace (no request record, no execution). Hundreds of
// generated bodies, mostly broken on purpose (wrong types, out-of-range lifetimes, bad names,
// unknown or missing fields, non-objects, text that is not JSON, huge strings), go over real HTTP
// to a locally started stack. `parseProvisioningRequest` is the oracle for what is invalid and
// why; the published OpenAPI document must agree with it as well.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import fc from 'fast-check';
import { parse } from 'yaml';
import { ValidationError, type FieldIssue } from '../../lambdas/core/errors';
import { parseProvisioningRequest, RESERVED_WORKSPACE_NAMES } from '../../lambdas/core/request';
import { LOCAL_PRINCIPAL } from '../../local/api-server';
import { ContractValidator } from '../../local/contracts/validator';
import { localAws } from '../support/local-aws';
import { startLocalStack, type LocalStack } from '../../local/stack';

const SEED = Number(process.env.FC_SEED ?? 20_260_601);
const RUNS = 500;
const TIME_LIMIT_MS = 60_000;

const DOC_FILE = path.resolve(__dirname, '../../contracts/kong-portal-provisioner-api.yaml');
const contract = ContractValidator.fromFile(DOC_FILE);

/** Rules of the zod schema JSON Schema cannot state; the document names them in prose instead. */
const INEXPRESSIBLE_REASONS = new Set([
  'must not be shorter than accessTokenMinutes',
  'must not repeat a group',
  // Which of workspace / portal a target takes, and what a Konnect request may not ask for.
  'is required for target konnect',
  "is for a Kong workspace portal; a Konnect portal is named by 'portal'",
  "is for target konnect; a Kong workspace portal is named by 'workspace'",
  "cannot be false for target konnect: Konnect's identity provider always verifies the issuer's certificate",
  "must not start with 'konnect.' (that prefix names Konnect portals)",
]);

type Json = Record<string, unknown>;

let stack: LocalStack;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpp-properties-'));
  stack = await startLocalStack({ dataDir, port: 0, retryDelayMs: 0 });
}, 60_000);

afterAll(async () => {
  await stack?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// ------------------------------------------------------------------------------ generators

const KNOWN_FIELDS = new Set([
  'workspace',
  'environment',
  'oktaGroups',
  'emailAttribute',
  'claimName',
  'audience',
  'scopes',
  'autoApprove',
  'sslVerify',
  'tokenLifetimes',
  'requestedBy',
  'idempotencyKey',
  'dryRun',
]);
const LIFETIME_FIELDS = new Set(['accessTokenMinutes', 'refreshTokenWindowMinutes']);

/** The claim names the document refuses; the oracle must refuse each of them too (checked below). */
const RESERVED_CLAIMS: string[] = (() => {
  const doc = parse(fs.readFileSync(DOC_FILE, 'utf8')) as {
    components: {
      schemas: { ProvisioningRequest: { properties: { claimName: { not: { enum: string[] } } } } };
    };
  };
  return doc.components.schemas.ProvisioningRequest.properties.claimName.not.enum;
})();

/** Sets a value as an own, enumerable property, even for keys like `__proto__`. */
function put(target: Json, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const nonBlank = (max: number) =>
  fc.string({ minLength: 1, maxLength: max }).filter((s) => s.trim().length > 0);
const padding = fc.constantFrom('', '', ' ', '\t', '  ');
const groupName = fc
  .tuple(
    padding,
    fc.oneof(fc.constantFrom('Everyone', 'Developers', '00g1a2b3c4d5e6f7g8h9'), nonBlank(40)),
    padding,
  )
  .map(([a, name, b]) => `${a}${name.trim()}${b}`);
const scopeName = fc.stringMatching(/^[A-Za-z0-9_.:/-]{1,30}$/);

const lifetimes = fc.oneof(
  fc
    .tuple(fc.integer({ min: 5, max: 1440 }), fc.integer({ min: 10, max: 2_628_000 }))
    .map(([access, refresh]) => ({
      accessTokenMinutes: access,
      refreshTokenWindowMinutes: Math.max(access, refresh),
    })),
  fc.integer({ min: 5, max: 1440 }).map((access) => ({ accessTokenMinutes: access })),
  fc.integer({ min: 60, max: 2_628_000 }).map((refresh) => ({ refreshTokenWindowMinutes: refresh })),
  fc.constant({}),
);

/** A valid dry-run body (the workspace and idempotency key are made unique when sent). */
const validBody: fc.Arbitrary<Json> = fc
  .record(
    {
      workspace: fc.stringMatching(/^[A-Za-z0-9._~-]{1,30}$/),
      environment: fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/),
      oktaGroups: fc.uniqueArray(groupName, { minLength: 1, maxLength: 5, selector: (g) => g.trim() }),
      emailAttribute: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,20}$/),
      claimName: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,30}$/).filter((c) => !RESERVED_CLAIMS.includes(c)),
      audience: nonBlank(60),
      scopes: fc
        .uniqueArray(scopeName, { maxLength: 4 })
        .map((extra) => ['openid', ...extra.filter((s) => s !== 'openid')]),
      autoApprove: fc.boolean(),
      sslVerify: fc.boolean(),
      tokenLifetimes: lifetimes,
      requestedBy: fc.tuple(padding, nonBlank(40)).map(([p, who]) => `${p}${who}`),
      idempotencyKey: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
      dryRun: fc.constant(true),
    },
    { requiredKeys: ['workspace', 'oktaGroups', 'dryRun'] },
  )
  .map((body) => ({ ...body }) as Json);

/** One deliberate defect: where it is (`path`) and which field the answer must name (`field`). */
interface Mutation {
  kind: string;
  field: string;
  path: string[];
  value?: unknown;
  /** A huge string, described rather than held, so a counterexample stays readable. */
  huge?: { char: string; length: number; inList?: true };
  remove?: true;
}

const set = (kind: string, field: string, values: fc.Arbitrary<unknown>, at = field.split('.')) =>
  values.map((value): Mutation => ({ kind, field, path: at, value }));

const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.string(), { maxKeys: 2 }),
);
const notAList = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant({}), fc.boolean());
const notABoolean = fc.oneof(
  fc.constantFrom('true', 'false', 0, 1, null, 'yes'),
  fc.string(),
  fc.constant([]),
);
const nonInteger = fc
  .double({ min: -1e7, max: 1e7, noNaN: true, noDefaultInfinity: true })
  .filter((d) => !Number.isInteger(d));
const notAnInteger = fc.oneof(fc.constantFrom('60', null, true, [60], { minutes: 60 }), nonInteger);
const hugeLength = fc.integer({ min: 20_000, max: 200_000 });
const hugeString = (kind: string, field: string, char: string, inList?: true) =>
  hugeLength.map((length): Mutation => ({
    kind,
    field,
    path: [field],
    huge: { char, length, ...(inList ? { inList } : {}) },
  }));
const withBadChar = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9._~-]{0,10}$/),
    fc.constantFrom(' ', '/', '#', '%', '?', 'é', '\n', '"', '*', ':', '@', 'ü', '\u0000'),
    fc.stringMatching(/^[A-Za-z0-9._~-]{0,10}$/),
  )
  .map(([a, c, b]) => `${a}${c}${b}`);
const unknownKey = fc
  .oneof(
    fc.constantFrom(
      'Workspace',
      'dry_run',
      'oktaGroup',
      'okta_groups',
      'group',
      '__proto__',
      'constructor',
      'toString',
    ),
    fc.string({ minLength: 1, maxLength: 20 }),
  )
  .filter((k) => !KNOWN_FIELDS.has(k));

const wrongType = fc.oneof(
  ...[
    'workspace',
    'environment',
    'emailAttribute',
    'claimName',
    'audience',
    'requestedBy',
    'idempotencyKey',
  ].map((f) => set('wrong type', f, notAString)),
  set('wrong type', 'oktaGroups', fc.oneof(notAList, fc.constantFrom([1], [null], [['Everyone']], [{}]))),
  set('wrong type', 'scopes', fc.oneof(notAList, fc.constantFrom([1], ['openid', 2], [null]))),
  ...['autoApprove', 'sslVerify', 'dryRun'].map((f) => set('wrong type', f, notABoolean)),
  set(
    'wrong type',
    'tokenLifetimes',
    fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant([])),
  ),
  set('wrong type', 'tokenLifetimes.accessTokenMinutes', notAnInteger),
  set('wrong type', 'tokenLifetimes.refreshTokenWindowMinutes', notAnInteger),
);

const outOfRange = fc.oneof(
  set(
    'lifetime out of range',
    'tokenLifetimes.accessTokenMinutes',
    fc.oneof(fc.integer({ max: 4 }), fc.integer({ min: 1441 }), fc.constantFrom(0, 4, 1441, 1e12)),
  ),
  set(
    'lifetime out of range',
    'tokenLifetimes.refreshTokenWindowMinutes',
    fc.oneof(fc.integer({ max: 9 }), fc.integer({ min: 2_628_001 }), fc.constantFrom(0, 9, 2_628_001)),
  ),
  // Both in range, but the refresh window is shorter than the access token lifetime.
  fc
    .integer({ min: 11, max: 1440 })
    .chain((access) => fc.integer({ min: 10, max: access - 1 }).map((refresh) => ({ access, refresh })))
    .map(({ access, refresh }): Mutation => ({
      kind: 'refresh window shorter than access lifetime',
      field: 'tokenLifetimes.refreshTokenWindowMinutes',
      path: ['tokenLifetimes'],
      value: { accessTokenMinutes: access, refreshTokenWindowMinutes: refresh },
    })),
);

const badNames = fc.oneof(
  set(
    'bad workspace',
    'workspace',
    fc.oneof(
      fc.constant(''),
      fc.stringMatching(/^[A-Za-z0-9._~-]{101,300}$/),
      withBadChar,
      fc.constantFrom(...RESERVED_WORKSPACE_NAMES),
    ),
  ),
  set(
    'bad environment',
    'environment',
    fc.oneof(
      fc.constantFrom('', 'Dev', 'PROD', '-dev', 'dev-', 'd_v', 'dév', ' dev', 'dev ', 'a'.repeat(21)),
      fc.stringMatching(/^[a-z0-9-]{21,40}$/),
      withBadChar,
    ),
  ),
);

const missing = fc
  // A missing environment is not a defect: it defaults to the one the deployment serves.
  .constantFrom('workspace', 'oktaGroups')
  .map((field): Mutation => ({ kind: 'missing field', field, path: [field], remove: true }));

const unknownFields = fc.oneof(
  fc
    .tuple(unknownKey, fc.jsonValue({ maxDepth: 2 }))
    .map(([key, value]): Mutation => ({ kind: 'unknown field', field: key, path: [key], value })),
  fc
    .tuple(
      unknownKey.filter((k) => !LIFETIME_FIELDS.has(k)),
      fc.jsonValue({ maxDepth: 1 }),
    )
    .map(([key, value]): Mutation => ({
      kind: 'unknown field',
      field: `tokenLifetimes.${key}`,
      path: ['tokenLifetimes', key],
      value,
    })),
);

const badValues = fc.oneof(
  set(
    'bad oktaGroups',
    'oktaGroups',
    fc.oneof(
      fc.constantFrom(
        [],
        ['Everyone', 'Everyone'],
        [' Everyone', 'Everyone'],
        ['   '],
        [''],
        ['x'.repeat(256)],
      ),
      fc.uniqueArray(nonBlank(10), { minLength: 21, maxLength: 25, selector: (g) => g.trim() }),
    ),
  ),
  set('bad emailAttribute', 'emailAttribute', fc.constantFrom('', '1abc', 'a-b', 'e mail', 'a'.repeat(101))),
  set(
    'bad claimName',
    'claimName',
    fc.oneof(fc.constantFrom(...RESERVED_CLAIMS), fc.constantFrom('', 'a b', 'x'.repeat(101), 'claim/name')),
  ),
  set('bad audience', 'audience', fc.oneof(fc.constant(''), fc.string({ minLength: 513, maxLength: 700 }))),
  set(
    'bad scopes',
    'scopes',
    fc.constantFrom(
      [],
      ['profile'],
      ['openid', 'openid'],
      ['openid', 'bad scope'],
      ['openid', 'x'.repeat(101)],
    ),
  ),
  set('bad idempotencyKey', 'idempotencyKey', fc.constantFrom('', 'k'.repeat(65), 'a b', 'ключ', 'key!')),
  set('bad requestedBy', 'requestedBy', fc.constantFrom('', '   ', '\n\t', 'r'.repeat(257))),
);

const hugeStrings = fc.oneof(
  hugeString('huge string', 'workspace', 'w'),
  hugeString('huge string', 'environment', 'e'),
  hugeString('huge string', 'audience', 'a'),
  hugeString('huge string', 'requestedBy', 'r'),
  hugeString('huge string', 'claimName', 'c'),
  hugeString('huge string', 'oktaGroups', 'g', true),
  unknownKey.chain((key) => hugeString('huge string', key, 'u')),
);

const mutation = fc.oneof(
  { arbitrary: wrongType, weight: 4 },
  { arbitrary: outOfRange, weight: 3 },
  { arbitrary: badNames, weight: 3 },
  { arbitrary: missing, weight: 2 },
  { arbitrary: unknownFields, weight: 2 },
  { arbitrary: badValues, weight: 4 },
  { arbitrary: hugeStrings, weight: 1 },
);

const notJsonText = fc.oneof(
  fc.constantFrom(
    '{',
    '{"workspace":',
    "{'workspace':'default'}",
    '{"a":1,}',
    'undefined',
    'NaN',
    '[1,]',
    ' ',
    'tru',
  ),
  fc.string({ minLength: 1 }).filter((text) => !parsesAsJson(text)),
  validBody.chain((body) => {
    const text = JSON.stringify(body);
    return fc.integer({ min: 1, max: text.length - 1 }).map((cut) => text.slice(0, cut));
  }),
);

type Spec =
  | { kind: 'valid'; body: Json }
  | { kind: 'mutated'; body: Json; mutations: Mutation[] }
  | { kind: 'not an object'; value: unknown }
  | { kind: 'not JSON'; text: string };

const spec: fc.Arbitrary<Spec> = fc.oneof(
  { arbitrary: validBody.map((body): Spec => ({ kind: 'valid', body })), weight: 22 },
  {
    arbitrary: fc
      .tuple(validBody, fc.uniqueArray(mutation, { minLength: 1, maxLength: 3, selector: (m) => m.path[0] }))
      .map(([body, mutations]): Spec => ({ kind: 'mutated', body, mutations })),
    weight: 62,
  },
  {
    arbitrary: fc
      .oneof(
        fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
        fc.constant([]),
      )
      .map((value): Spec => ({ kind: 'not an object', value })),
    weight: 7,
  },
  { arbitrary: notJsonText.map((text): Spec => ({ kind: 'not JSON', text })), weight: 9 },
);

// ------------------------------------------------------------------------------ helpers

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function applyMutation(body: Json, m: Mutation): void {
  let parent = body;
  for (const key of m.path.slice(0, -1)) {
    if (!Object.prototype.hasOwnProperty.call(parent, key)) put(parent, key, {});
    parent = parent[key] as Json;
  }
  const last = m.path[m.path.length - 1] as string;
  if (m.remove) delete parent[last];
  else if (m.huge) {
    const text = m.huge.char.repeat(m.huge.length);
    put(parent, last, m.huge.inList ? [text] : text);
  } else put(parent, last, m.value);
}

let sent = 0;

/** The text to send and the fields it breaks ([] = a valid body). */
function materialize(s: Spec): { payload: string; broken: string[] } {
  const n = ++sent;
  switch (s.kind) {
    case 'not JSON':
      return { payload: s.text, broken: [''] };
    case 'not an object':
      return { payload: JSON.stringify(s.value), broken: [''] };
    case 'valid':
    case 'mutated': {
      const mutations = s.kind === 'mutated' ? s.mutations : [];
      const body = structuredClone(s.body);
      const broken = mutations.map((m) => m.field);
      const untouched = (field: string) => !mutations.some((m) => m.path[0] === field);
      // Valid dry runs never share a workspace or an idempotency key.
      if (untouched('workspace')) body.workspace = `p${n}-${String(body.workspace)}`.slice(0, 100);
      if (untouched('idempotencyKey') && typeof body.idempotencyKey === 'string')
        body.idempotencyKey = `k${n}-${body.idempotencyKey}`.slice(0, 64);
      for (const m of mutations) applyMutation(body, m);
      return { payload: JSON.stringify(body), broken };
    }
  }
}

type Verdict = { ok: true; body: unknown } | { ok: false; body?: unknown; issues: FieldIssue[] };

/** What the handler must answer, from the oracle: the same steps start-provisioning.ts takes. */
function oracle(payload: string): Verdict {
  const notAnObject = [{ field: '', reason: 'the request body must be a JSON object' }];
  if (payload === '') return { ok: false, issues: notAnObject };
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    return { ok: false, issues: [{ field: '', reason: 'the request body is not valid JSON' }] };
  }
  if (!isObject(body)) return { ok: false, body, issues: notAnObject };
  try {
    // Local mode defaults who asked to the caller and the environment to `dev`.
    parseProvisioningRequest(body, { requestedBy: LOCAL_PRINCIPAL, environment: 'dev' });
    return { ok: true, body };
  } catch (err) {
    if (err instanceof ValidationError) return { ok: false, body, issues: err.issues };
    throw err;
  }
}

const names = (issue: FieldIssue, field: string) =>
  issue.field === field || issue.field.startsWith(`${field}.`);

/** Every string value (not key) in a body, for "the answer never echoes a value". */
function longStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string' && value.length >= 24) out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => longStrings(v, out));
  else if (isObject(value)) Object.values(value).forEach((v) => longStrings(v, out));
  return out;
}

async function post(payload: string) {
  const res = await fetch(`${stack.apiUrl}/provisionings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: payload,
  });
  const text = await res.text();
  return { status: res.status, location: res.headers.get('location'), text };
}

async function getJson(target: string): Promise<Json> {
  const res = await fetch(`${stack.apiUrl}${target}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

interface Listed {
  id: string;
  status: string;
}

async function allRecords(): Promise<Listed[]> {
  const records: Listed[] = [];
  let next: string | undefined;
  do {
    const page = await getJson(`/provisionings?limit=100${next ? `&next=${encodeURIComponent(next)}` : ''}`);
    records.push(...(page.items as Listed[]));
    next = page.next as string | undefined;
  } while (next);
  return records;
}

async function newestRecord(): Promise<string | undefined> {
  const page = await getJson('/provisionings?limit=1');
  return (page.items as Listed[])[0]?.id;
}

async function executionNames(): Promise<string[]> {
  const { sfn } = localAws(stack);
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: stack.stateMachines.provision,
        maxResults: 1000,
        nextToken,
      }),
    );
    names.push(...(page.executions ?? []).map((e) => e.name ?? ''));
    nextToken = page.nextToken;
  } while (nextToken);
  sfn.destroy();
  return names;
}

// ------------------------------------------------------------------------------ the properties

it('the document refuses every workspace name Kong reserves and every claim name Okta reserves, as the schema does', () => {
  const base = { workspace: 'team-a', environment: 'dev', oktaGroups: ['Everyone'], requestedBy: 'me' };
  for (const workspace of RESERVED_WORKSPACE_NAMES) {
    expect(contract.validateRequest('POST', '/provisionings', { ...base, workspace }).ok).toBe(false);
    expect(() => parseProvisioningRequest({ ...base, workspace })).toThrow(ValidationError);
  }
  expect(RESERVED_CLAIMS.length).toBeGreaterThan(10);
  for (const claimName of RESERVED_CLAIMS) {
    expect(contract.validateRequest('POST', '/provisionings', { ...base, claimName }).ok).toBe(false);
    expect(() => parseProvisioningRequest({ ...base, claimName })).toThrow(ValidationError);
  }
  expect(contract.validateRequest('POST', '/provisionings', base).ok).toBe(true);
});

it(`answers ${RUNS} generated bodies with 202 or a 400 naming what is wrong, and records only the valid ones`, async () => {
  const recordsBefore = new Set((await allRecords()).map((r) => r.id));
  const executionsBefore = new Set(await executionNames());
  let newest = await newestRecord();
  const accepted: string[] = [];
  const tally = new Map<string, number>();

  const property = fc.asyncProperty(spec, async (s) => {
    const { payload, broken } = materialize(s);
    const expected = oracle(payload);
    for (const label of s.kind === 'mutated' ? s.mutations.map((m) => m.kind) : [s.kind])
      tally.set(label, (tally.get(label) ?? 0) + 1);

    // The generator's own claim, checked before anything is sent: a broken body is invalid to the
    // oracle (so nothing real is ever provisioned), a valid one is valid and a dry run.
    if (broken.length)
      expect({ oracleAccepts: expected.ok, broken }).toEqual({ oracleAccepts: false, broken });
    else {
      expect(expected).toMatchObject({ ok: true });
      expect((expected.body as Json).dryRun).toBe(true);
    }

    // The document agrees with the schema (except for the rules it can only state in prose).
    if (expected.body !== undefined) {
      const doc = contract.validateRequest('POST', '/provisionings', expected.body);
      if (expected.ok) expect({ documentAccepts: doc }).toEqual({ documentAccepts: { ok: true } });
      else if (doc.ok) {
        expect({
          documentAccepts: true,
          issues: expected.issues.filter((i) => !INEXPRESSIBLE_REASONS.has(i.reason)),
        }).toEqual({ documentAccepts: true, issues: [] });
      }
    }

    const answer = await post(payload);
    if (answer.status >= 500) throw new Error(`answered ${answer.status}: ${answer.text.slice(0, 500)}`);
    const body = JSON.parse(answer.text) as Json;
    const documented = contract.validateResponse('POST', '/provisionings', answer.status, body);
    expect({ status: answer.status, documented }).toEqual({
      status: answer.status,
      documented: { ok: true },
    });

    if (expected.ok) {
      expect(answer.status).toBe(202);
      expect(body).toMatchObject({ status: 'RUNNING', dryRun: true });
      const id = String(body.id);
      expect(answer.location).toBe(`/provisionings/${id}`);
      expect(accepted).not.toContain(id);
      accepted.push(id);
      newest = await newestRecord();
      return;
    }

    expect(answer.status).toBe(400);
    expect(body.error).toBe('ValidationError');
    expect(body.issues).toEqual(expected.issues);
    const issues = body.issues as FieldIssue[];
    // At least one issue names a field this body really breaks.
    expect({ broken, named: broken.some((f) => issues.some((i) => names(i, f))) }).toEqual({
      broken,
      named: true,
    });
    // Field names and reasons only: never a value from the request.
    for (const value of longStrings(expected.body)) expect(answer.text.includes(value)).toBe(false);
    // Nothing was recorded (and so nothing was started).
    expect(await newestRecord()).toBe(newest);
  });

  const started = Date.now();
  try {
    await fc.assert(property, {
      numRuns: RUNS,
      seed: SEED,
      interruptAfterTimeLimit: TIME_LIMIT_MS,
      markInterruptAsFailure: true,
    });
  } catch (err) {
    throw new Error(
      `request property failed (seed ${SEED}; rerun with FC_SEED=${SEED}):\n${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }

  // Exactly one record and one execution per accepted body, none for the others.
  const recordsAfter = await allRecords();
  const created = recordsAfter.filter((r) => !recordsBefore.has(r.id)).map((r) => r.id);
  expect(created.sort()).toEqual([...accepted].sort());
  const executions = (await executionNames()).filter((name) => !executionsBefore.has(name));
  expect(executions.sort()).toEqual([...accepted].sort());
  expect(accepted.length).toBeGreaterThan(RUNS / 10);
  expect(sent - accepted.length).toBeGreaterThan(RUNS / 2);

  // Let the dry runs finish (they fail at ResolvePortal: the workspaces do not exist) before the
  // stack stops, and check none of them left anything behind.
  const deadline = Date.now() + 20_000;
  let open: Listed[];
  do {
    await new Promise((resolve) => setTimeout(resolve, 200));
    open = (await allRecords()).filter((r) => accepted.includes(r.id) && r.status === 'RUNNING');
  } while (open.length && Date.now() < deadline);
  expect(open).toEqual([]);
  const outcomes = new Set((await allRecords()).filter((r) => accepted.includes(r.id)).map((r) => r.status));
  expect([...outcomes].filter((status) => status === 'CLEANUP_INCOMPLETE')).toEqual([]);

  console.log(
    `request properties: ${sent} bodies (${accepted.length} valid) in ${Date.now() - started} ms, seed ${SEED}; ` +
      'bodies per kind (a mutated body counts once per defect):\n' +
      [...tally.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([label, count]) => `  ${String(count).padStart(4)}  ${label}`)
        .join('\n'),
  );
}, 120_000);

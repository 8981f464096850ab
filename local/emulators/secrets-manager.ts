/**
 * A loopback AWS Secrets Manager speaking the AWS JSON 1.1 wire protocol, so the real
 * `@aws-sdk/client-secrets-manager` works unchanged against it (`endpoint` or
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`, any dummy credentials; signatures are not checked).
 *
 * Secret values are the one thing this service exists to protect: nothing here logs, and no error
 * message ever contains a value.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  AwsError,
  camel,
  compact,
  epochSeconds,
  isObj,
  optionalBoolean,
  optionalInteger,
  optionalString,
  requiredString,
  startAwsJsonServer,
  stringList,
  type Obj,
  type Operation,
} from './aws-json';

// ---------------------------------------------------------------------------------------------
// Input checks specific to Secrets Manager (the generic ones live in aws-json.ts)
// ---------------------------------------------------------------------------------------------

interface Tag {
  Key: string;
  Value: string;
}

function tagsOf(input: Obj, member: string): Tag[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (
    !Array.isArray(value) ||
    !value.every((t) => isObj(t) && typeof t.Key === 'string' && typeof (t.Value ?? '') === 'string')
  ) {
    throw new AwsError(
      'ValidationException',
      `Value at '${camel(member)}' must be a list of {Key, Value} strings`,
    );
  }
  return value.map((t: Obj) => ({ Key: t.Key as string, Value: (t.Value as string | undefined) ?? '' }));
}

/** SecretString or SecretBinary (base64 on the wire), never both. */
function valueOf(input: Obj): SecretValue | undefined {
  const string = optionalString(input, 'SecretString');
  const binary = optionalString(input, 'SecretBinary');
  if (string !== undefined && binary !== undefined) {
    throw new AwsError(
      'InvalidParameterException',
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (string !== undefined) return { string };
  return binary === undefined ? undefined : { binary };
}

function requestToken(input: Obj): string {
  const token = optionalString(input, 'ClientRequestToken');
  if (token === undefined) return randomUUID();
  if (token.length < 32 || token.length > 64) {
    throw new AwsError(
      'ValidationException',
      "Value at 'clientRequestToken' failed to satisfy constraint: Member must have length between 32 and 64",
    );
  }
  return token;
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

interface SecretValue {
  string?: string;
  binary?: string;
}

interface Version {
  id: string;
  value: SecretValue;
  stages: Set<string>;
  created: number;
}

interface Secret {
  arn: string;
  name: string;
  description?: string;
  kmsKeyId?: string;
  tags: Tag[];
  versions: Map<string, Version>;
  created: number;
  lastChanged: number;
  lastAccessed?: number;
  /** When DeleteSecret was called (DescribeSecret's DeletedDate). */
  deleted?: number;
  /** When the recovery window ends and the secret is purged. */
  purgeAt?: number;
}

const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const DAY_MS = 86_400_000;
const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** AWS appends a hyphen and six random characters, so a re-created name never reuses an ARN. */
function arnFor(region: string, name: string): string {
  const suffix = [...randomBytes(6)].map((b) => ALNUM[b % ALNUM.length]).join('');
  return `arn:aws:secretsmanager:${region}:000000000000:secret:${name}-${suffix}`;
}

/** JSON 1.1 timestamps are epoch seconds. */
const epoch = epochSeconds;

const sameValue = (a: SecretValue, b: SecretValue | undefined) =>
  a.string === b?.string && a.binary === b?.binary;

const NOT_FOUND = () =>
  new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
const MARKED_DELETED = () =>
  new AwsError(
    'InvalidRequestException',
    "You can't perform this operation on the secret because it was marked for deletion.",
  );

class SecretStore {
  private readonly secrets = new Map<string, Secret>(); // by ARN

  constructor(readonly region: string) {}

  /** Secrets whose recovery window has passed are gone, as they would be in AWS. */
  private purge(): void {
    const now = Date.now();
    for (const [arn, s] of this.secrets)
      if (s.purgeAt !== undefined && s.purgeAt <= now) this.secrets.delete(arn);
  }

  all(): Secret[] {
    this.purge();
    return [...this.secrets.values()];
  }

  byName(name: string): Secret | undefined {
    return this.all().find((s) => s.name === name);
  }

  /** SecretId is a name, a full ARN, or a partial ARN (without the random suffix). */
  find(secretId: string): Secret {
    const found = this.all().find(
      (s) => s.name === secretId || s.arn === secretId || s.arn.slice(0, -7) === secretId,
    );
    if (!found) throw NOT_FOUND();
    return found;
  }

  /** A secret that may be written or read: not scheduled for deletion. */
  live(secretId: string): Secret {
    const secret = this.find(secretId);
    if (secret.deleted !== undefined) throw MARKED_DELETED();
    return secret;
  }

  add(secret: Secret): void {
    this.secrets.set(secret.arn, secret);
  }

  remove(secret: Secret): void {
    this.secrets.delete(secret.arn);
  }
}

/**
 * Adds a version and moves its staging labels onto it. When AWSCURRENT moves, the version that
 * had it becomes AWSPREVIOUS (and the old AWSPREVIOUS loses that label), like PutSecretValue in AWS.
 * Returns the existing version when the same token is replayed with the same value (idempotency).
 */
function addVersion(
  secret: Secret,
  token: string,
  value: SecretValue,
  stages: string[] = [CURRENT],
): Version {
  const existing = secret.versions.get(token);
  if (existing) {
    if (sameValue(existing.value, value)) return existing;
    throw new AwsError(
      'ResourceExistsException',
      "You can't modify an existing version, you can only create a new version.",
    );
  }
  const version: Version = { id: token, value, stages: new Set(stages), created: Date.now() };
  for (const other of secret.versions.values()) {
    if (stages.includes(CURRENT) && other.stages.has(CURRENT)) {
      for (const v of secret.versions.values()) v.stages.delete(PREVIOUS);
      other.stages.add(PREVIOUS);
    }
    for (const stage of stages) other.stages.delete(stage);
  }
  secret.versions.set(token, version);
  secret.lastChanged = version.created;
  return version;
}

function currentVersion(secret: Secret): Version | undefined {
  return [...secret.versions.values()].find((v) => v.stages.has(CURRENT));
}

/** VersionIdsToStages lists only labelled versions; unlabelled ones are deprecated. */
function versionsToStages(secret: Secret): Record<string, string[]> {
  return Object.fromEntries(
    [...secret.versions.values()].filter((v) => v.stages.size > 0).map((v) => [v.id, [...v.stages]]),
  );
}

function mergeTags(secret: Secret, tags: Tag[]): void {
  for (const tag of tags) {
    const at = secret.tags.findIndex((t) => t.Key === tag.Key);
    if (at >= 0) secret.tags[at] = tag;
    else secret.tags.push(tag);
  }
}

/** Fields DescribeSecret and ListSecrets share. */
function summary(secret: Secret): Obj {
  const out: Obj = {
    ARN: secret.arn,
    Name: secret.name,
    Description: secret.description,
    KmsKeyId: secret.kmsKeyId,
    LastChangedDate: epoch(secret.lastChanged),
    LastAccessedDate: epoch(secret.lastAccessed),
    DeletedDate: epoch(secret.deleted),
    Tags: secret.tags.length > 0 ? secret.tags.map((t) => ({ ...t })) : undefined,
    CreatedDate: epoch(secret.created),
  };
  return compact(out);
}

// ---------------------------------------------------------------------------------------------
// ListSecrets filters
// ---------------------------------------------------------------------------------------------

const FILTER_KEYS = [
  'description',
  'name',
  'tag-key',
  'tag-value',
  'primary-region',
  'owning-service',
  'all',
] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

interface Filter {
  key: FilterKey;
  values: string[];
}

function filtersOf(input: Obj): Filter[] {
  const raw = input.Filters;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new AwsError('ValidationException', "Value at 'filters' must be a list");
  return raw.map((f: unknown) => {
    const key = isObj(f) ? f.Key : undefined;
    if (!(FILTER_KEYS as readonly unknown[]).includes(key)) {
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value '${String(key)}' at 'filters.1.member.key' failed to satisfy constraint: Member must satisfy enum value set: [${FILTER_KEYS.join(', ')}]`,
      );
    }
    const values = stringList(f as Obj, 'Values') ?? [];
    if (values.length < 1 || values.length > 10) {
      throw new AwsError(
        'ValidationException',
        "Value at 'filters.1.member.values' must have between 1 and 10 items",
      );
    }
    return { key: key as FilterKey, values };
  });
}

/** Attribute values a filter key looks at, and whether it matches case-insensitively (per the API docs). */
function attributes(secret: Secret, key: FilterKey, region: string): { values: string[]; caseless: boolean } {
  switch (key) {
    case 'name':
      return { values: [secret.name], caseless: false };
    case 'description':
      return { values: secret.description === undefined ? [] : [secret.description], caseless: true };
    case 'tag-key':
      return { values: secret.tags.map((t) => t.Key), caseless: false };
    case 'tag-value':
      return { values: secret.tags.map((t) => t.Value), caseless: false };
    case 'primary-region':
      return { values: [region], caseless: false };
    case 'owning-service':
      return { values: [], caseless: false };
    case 'all':
      return {
        values: [
          secret.name,
          secret.description ?? '',
          ...secret.tags.flatMap((t) => [t.Key, t.Value]),
        ].flatMap((v) => v.split(/\s+/)),
        caseless: true,
      };
  }
}

/** Prefix matching; `!value` negates. Values of one filter are alternatives, filters all must hold. */
function matches(secret: Secret, filter: Filter, region: string): boolean {
  const { values, caseless } = attributes(secret, filter.key, region);
  const norm = (s: string) => (caseless ? s.toLowerCase() : s);
  const hit = (prefix: string) => values.some((v) => norm(v).startsWith(norm(prefix)));
  const positive = filter.values.filter((v) => !v.startsWith('!'));
  const negative = filter.values.filter((v) => v.startsWith('!')).map((v) => v.slice(1));
  const words = (v: string) => (filter.key === 'all' ? v.split(/\s+/).filter(Boolean) : [v]);
  return (
    (positive.length === 0 || positive.some((v) => words(v).every(hit))) &&
    negative.every((v) => !words(v).some(hit))
  );
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

function operations(store: SecretStore): Record<string, Operation> {
  return {
    CreateSecret(input) {
      const name = requiredString(input, 'Name');
      if (!NAME_PATTERN.test(name)) {
        throw new AwsError(
          'ValidationException',
          'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
        );
      }
      const token = requestToken(input);
      const value = valueOf(input);
      const tags = tagsOf(input, 'Tags') ?? [];
      const existing = store.byName(name);
      if (existing) {
        if (existing.deleted !== undefined) {
          throw new AwsError(
            'InvalidRequestException',
            "You can't create this secret because a secret with this name is already scheduled for deletion.",
          );
        }
        // A retried create (same token, same value) is answered as the first one was.
        const replay = existing.versions.get(token);
        if (replay && sameValue(replay.value, value))
          return { ARN: existing.arn, Name: existing.name, VersionId: replay.id };
        throw new AwsError(
          'ResourceExistsException',
          `The operation failed because the secret ${name} already exists.`,
        );
      }
      const now = Date.now();
      const secret: Secret = {
        arn: arnFor(store.region, name),
        name,
        description: optionalString(input, 'Description'),
        kmsKeyId: optionalString(input, 'KmsKeyId'),
        tags: [],
        versions: new Map(),
        created: now,
        lastChanged: now,
      };
      mergeTags(secret, tags);
      const version = value ? addVersion(secret, token, value) : undefined;
      store.add(secret);
      return { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.id } : {}) };
    },

    PutSecretValue(input) {
      const secret = store.live(requiredString(input, 'SecretId'));
      const value = valueOf(input);
      if (!value)
        throw new AwsError(
          'InvalidParameterException',
          'You must provide either SecretString or SecretBinary.',
        );
      const stages = stringList(input, 'VersionStages');
      const version = addVersion(
        secret,
        requestToken(input),
        value,
        stages && stages.length > 0 ? stages : undefined,
      );
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.id,
        VersionStages: [...version.stages],
      };
    },

    GetSecretValue(input) {
      const secret = store.live(requiredString(input, 'SecretId'));
      const versionId = optionalString(input, 'VersionId');
      const stage = optionalString(input, 'VersionStage') ?? (versionId === undefined ? CURRENT : undefined);
      const version =
        versionId !== undefined
          ? secret.versions.get(versionId)
          : [...secret.versions.values()].find((v) => stage !== undefined && v.stages.has(stage));
      if (!version) {
        const which =
          versionId !== undefined ? `VersionId: ${versionId}` : `staging label: ${stage ?? CURRENT}`;
        throw new AwsError(
          'ResourceNotFoundException',
          `Secrets Manager can't find the specified secret value for ${which}`,
        );
      }
      if (versionId !== undefined && stage !== undefined && !version.stages.has(stage)) {
        throw new AwsError(
          'InvalidRequestException',
          'You provided a VersionStage that is not associated to the provided VersionId.',
        );
      }
      // AWS records access per day, not per call.
      secret.lastAccessed = Math.floor(Date.now() / DAY_MS) * DAY_MS;
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.id,
        ...(version.value.string !== undefined
          ? { SecretString: version.value.string }
          : { SecretBinary: version.value.binary }),
        VersionStages: [...version.stages],
        CreatedDate: epoch(version.created),
      };
    },

    DescribeSecret(input) {
      const secret = store.find(requiredString(input, 'SecretId'));
      return { ...summary(secret), VersionIdsToStages: versionsToStages(secret) };
    },

    UpdateSecret(input) {
      const secret = store.live(requiredString(input, 'SecretId'));
      const value = valueOf(input);
      const token = requestToken(input);
      const description = optionalString(input, 'Description');
      const kmsKeyId = optionalString(input, 'KmsKeyId');
      if (description !== undefined) secret.description = description;
      if (kmsKeyId !== undefined) secret.kmsKeyId = kmsKeyId;
      secret.lastChanged = Date.now();
      const version = value ? addVersion(secret, token, value) : undefined;
      return { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.id } : {}) };
    },

    TagResource(input) {
      const secret = store.live(requiredString(input, 'SecretId'));
      const tags = tagsOf(input, 'Tags');
      if (!tags)
        throw new AwsError(
          'ValidationException',
          "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null",
        );
      mergeTags(secret, tags);
      secret.lastChanged = Date.now();
      return {};
    },

    UntagResource(input) {
      const secret = store.live(requiredString(input, 'SecretId'));
      const keys = stringList(input, 'TagKeys') ?? [];
      secret.tags = secret.tags.filter((t) => !keys.includes(t.Key));
      secret.lastChanged = Date.now();
      return {};
    },

    ListSecrets(input) {
      const maxResults = optionalInteger(input, 'MaxResults') ?? 100;
      if (maxResults < 1 || maxResults > 100) {
        throw new AwsError(
          'ValidationException',
          "Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100",
        );
      }
      const filters = filtersOf(input);
      const includeDeleted = optionalBoolean(input, 'IncludePlannedDeletion') ?? false;
      const order = optionalString(input, 'SortOrder') ?? 'asc';
      const matching = store
        .all()
        .filter((s) => includeDeleted || s.deleted === undefined)
        .filter((s) => filters.every((f) => matches(s, f, store.region)))
        .sort(
          (a, b) => (a.created - b.created || a.name.localeCompare(b.name)) * (order === 'desc' ? -1 : 1),
        );
      const start = pageStart(optionalString(input, 'NextToken'));
      const page = matching.slice(start, start + maxResults);
      const next =
        start + maxResults < matching.length
          ? Buffer.from(`page:${start + maxResults}`).toString('base64')
          : undefined;
      return {
        SecretList: page.map((s) => ({ ...summary(s), SecretVersionsToStages: versionsToStages(s) })),
        ...(next ? { NextToken: next } : {}),
      };
    },

    DeleteSecret(input) {
      const secret = store.find(requiredString(input, 'SecretId'));
      const force = optionalBoolean(input, 'ForceDeleteWithoutRecovery') ?? false;
      const window = optionalInteger(input, 'RecoveryWindowInDays');
      if (force && window !== undefined) {
        throw new AwsError(
          'InvalidParameterException',
          "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
        );
      }
      if (window !== undefined && (window < 7 || window > 30)) {
        throw new AwsError(
          'InvalidParameterException',
          'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).',
        );
      }
      const now = Date.now();
      if (force) {
        store.remove(secret);
        return { ARN: secret.arn, Name: secret.name, DeletionDate: epoch(now) };
      }
      if (secret.deleted !== undefined) {
        throw new AwsError(
          'InvalidRequestException',
          "You tried to perform the operation on a secret that's currently marked deleted.",
        );
      }
      secret.deleted = now;
      secret.purgeAt = now + (window ?? 30) * DAY_MS;
      return { ARN: secret.arn, Name: secret.name, DeletionDate: epoch(secret.purgeAt) };
    },

    RestoreSecret(input) {
      const secret = store.find(requiredString(input, 'SecretId'));
      delete secret.deleted;
      delete secret.purgeAt;
      return { ARN: secret.arn, Name: secret.name };
    },
  };
}

function pageStart(token: string | undefined): number {
  if (token === undefined) return 0;
  const match = /^page:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (!match) throw new AwsError('InvalidNextTokenException', 'The NextToken value is invalid.');
  return Number(match[1]);
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

export interface EmulatedSecret {
  name: string;
  arn: string;
  /** The AWSCURRENT SecretString, if any. */
  value?: string;
  tags: Record<string, string>;
  /** Set while the secret is scheduled for deletion. */
  deletedDate?: Date;
}

export interface SecretsManagerEmulator {
  url: string;
  state: { secrets(): EmulatedSecret[] };
  /** Requests answered so far, per operation (Secrets Manager bills per 10,000 API calls). */
  operationCounts(): Record<string, number>;
  close(): Promise<void>;
}

export async function startSecretsManagerEmulator(
  options: { port?: number; host?: string; region?: string } = {},
): Promise<SecretsManagerEmulator> {
  const store = new SecretStore(options.region ?? 'us-east-1');
  const server = await startAwsJsonServer({
    protocol: '1.1',
    targetPrefix: 'secretsmanager',
    operations: operations(store),
    port: options.port,
    host: options.host,
  });

  return {
    url: server.url,
    operationCounts: () => server.operationCounts(),
    state: {
      secrets: () =>
        store.all().map((s) => {
          const current = currentVersion(s);
          return {
            name: s.name,
            arn: s.arn,
            ...(current?.value.string !== undefined ? { value: current.value.string } : {}),
            tags: Object.fromEntries(s.tags.map((t) => [t.Key, t.Value])),
            ...(s.deleted !== undefined ? { deletedDate: new Date(s.deleted) } : {}),
          };
        }),
    },
    close: () => server.close(),
  };
}

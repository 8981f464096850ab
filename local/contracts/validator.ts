/**
 * Checks request and response bodies of the loopback sandboxes against the vendors' own OpenAPI documents
 * (trimmed copies in contracts/, see contracts/README.md), so the sandboxes cannot drift from the real APIs.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type KeywordCxt, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export interface ContractError {
  path: string;
  message: string;
}
export type ContractResult = { ok: true } | { ok: false; errors: ContractError[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Which side of a call a body is on. OpenAPI 3.0: a `readOnly` property "SHOULD NOT be sent as part of
 * the request" and its `required` "will take effect on the response only"; a `writeOnly` property "MAY
 * be sent as part of a request but SHOULD NOT be sent as part of the response" and its `required`
 * "will take effect on the request only". The components are converted once per direction.
 */
export type Direction = 'request' | 'response';

const DOC_IDS: Record<Direction, string> = { request: 'contract-request', response: 'contract-response' };
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const OK: ContractResult = { ok: true };
const fail = (message: string, at = ''): ContractResult => ({ ok: false, errors: [{ path: at, message }] });
/** Replaces the schema of a writeOnly property in a response: any value there is a violation. */
const WRITE_ONLY_IN_RESPONSE = 'x-write-only-in-response';

interface Conversion {
  direction: Direction;
  /** The document's raw component schemas, to see through a property's `$ref` (e.g. to a readOnly UUID). */
  schemas: Obj;
}

/** Rewrites a local `#/components/...` pointer so it resolves inside the copy for this direction. */
const rewriteRef = (ref: string, direction: Direction): string =>
  ref.startsWith('#/') ? DOC_IDS[direction] + ref : ref;

/** The `readOnly` / `writeOnly` flag of a property schema, looking through `$ref`s and a one-item allOf. */
function flagOf(schema: unknown, flag: 'readOnly' | 'writeOnly', schemas: Obj, hops = 0): boolean {
  if (!isObj(schema) || hops > 10) return false;
  if (schema[flag] === true) return true;
  if (typeof schema.$ref === 'string') {
    const m = /^#\/components\/schemas\/([^/]+)$/.exec(schema.$ref);
    return m?.[1] !== undefined && flagOf(schemas[m[1]], flag, schemas, hops + 1);
  }
  const all = schema.allOf;
  return Array.isArray(all) && all.length === 1 && flagOf(all[0], flag, schemas, hops + 1);
}

/**
 * readOnly properties are not required of a request; writeOnly ones are not required of a response,
 * and a response must not carry one at all (a writeOnly field is typically a secret: a sandbox that
 * echoes it back must fail its own contract check). readOnly fields in a request stay accepted:
 * vendors ignore them (Okta takes a PUT of an app as read, ids and timestamps included).
 */
function applyDirection(raw: Obj, out: Obj, conversion: Conversion): void {
  const rawProperties = raw.properties;
  const properties = out.properties;
  if (!isObj(rawProperties) || !isObj(properties)) return;
  const flag = conversion.direction === 'request' ? 'readOnly' : 'writeOnly';
  const flagged = Object.keys(rawProperties).filter((name) =>
    flagOf(rawProperties[name], flag, conversion.schemas),
  );
  if (flagged.length === 0) return;
  if (Array.isArray(out.required)) {
    const required = out.required.filter((name) => !flagged.includes(String(name)));
    if (required.length > 0) out.required = required;
    else delete out.required;
  }
  if (conversion.direction === 'response')
    for (const name of flagged) properties[name] = { [WRITE_ONLY_IN_RESPONSE]: true };
}

/**
 * Turns one OpenAPI 3.0 schema object into something Ajv (draft-07) checks the way the vendor means it.
 * Walks only real subschema positions: Okta's UserSchemaAttribute has *properties* named enum, oneOf, items...
 */
function toAjv(schema: unknown, conversion: Conversion): unknown {
  if (Array.isArray(schema)) return schema.map((s) => toAjv(s, conversion));
  if (!isObj(schema)) return schema;
  const { nullable, discriminator, ...rest } = schema;
  const out: Obj = { ...rest };
  if (typeof rest.$ref === 'string') out.$ref = rewriteRef(rest.$ref, conversion.direction);
  for (const key of [
    'items',
    'additionalProperties',
    'not',
    'if',
    'then',
    'else',
    'allOf',
    'anyOf',
    'oneOf',
  ]) {
    if (key in rest) out[key] = toAjv(rest[key], conversion);
  }
  for (const key of ['properties', 'patternProperties']) {
    const map = rest[key];
    if (isObj(map))
      out[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, toAjv(v, conversion)]));
  }
  // Flags are read from the raw property schemas (before conversion rewrote their $refs).
  applyDirection(rest, out, conversion);
  const choice = isObj(discriminator)
    ? discriminatedChoice(discriminator, out.oneOf ?? out.anyOf, conversion.direction)
    : undefined;
  if (choice) {
    // Okta's variants share a parent, so several would match and plain `oneOf` would reject valid bodies.
    delete out.oneOf;
    delete out.anyOf;
    out.allOf = [...(Array.isArray(out.allOf) ? out.allOf : []), choice];
  }
  // A discriminator without a choice sits on a parent schema; its mapping points back at children that
  // allOf the parent, so following it would recurse. Dropping it is what `rest` already did.
  if (nullable !== true) return out;
  if (typeof out.type === 'string') {
    const withNull: Obj = { ...out, type: [out.type, 'null'] };
    if (Array.isArray(out.enum)) withNull.enum = [...out.enum, null];
    return withNull;
  }
  return { anyOf: [{ type: 'null' }, out] };
}

/** `oneOf` + discriminator as a deterministic check: the property names the one variant that applies. */
function discriminatedChoice(discriminator: Obj, variants: unknown, direction: Direction): Obj | undefined {
  const prop = discriminator.propertyName;
  if (typeof prop !== 'string' || !Array.isArray(variants)) return undefined;
  const mapping = new Map<string, string>();
  if (isObj(discriminator.mapping)) {
    for (const [key, target] of Object.entries(discriminator.mapping)) {
      // A bare mapping value is a component name rather than a pointer.
      if (typeof target === 'string')
        mapping.set(
          key,
          rewriteRef(target.includes('#') ? target : `#/components/schemas/${target}`, direction),
        );
    }
  } else {
    // Without a mapping OpenAPI uses the variant's component name as the value.
    for (const v of variants) {
      if (isObj(v) && typeof v.$ref === 'string') mapping.set(v.$ref.split('/').pop() ?? '', v.$ref);
    }
  }
  if (!mapping.size) return undefined;
  return {
    type: 'object',
    required: [prop],
    properties: { [prop]: { enum: [...mapping.keys()] } },
    allOf: [...mapping].map(([key, $ref]) => ({
      if: { required: [prop], properties: { [prop]: { const: key } } },
      then: { $ref },
    })),
  };
}

function describe(e: ErrorObject): ContractError {
  const p: Record<string, unknown> = e.params;
  let message = e.message ?? e.keyword;
  if (e.keyword === 'enum' && Array.isArray(p.allowedValues)) message += `: ${p.allowedValues.join(', ')}`;
  if (e.keyword === 'additionalProperties') message += `: '${String(p.additionalProperty)}'`;
  return { path: e.instancePath, message };
}

function toResult(validate: ValidateFunction, body: unknown): ContractResult {
  if (validate(body)) return OK;
  // "must match then schema" only repeats the variant's own errors, which are reported as well.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if').map(describe);
  const unique = [...new Map(errors.map((e) => [`${e.path}\0${e.message}`, e])).values()];
  return { ok: false, errors: unique };
}

export class ContractValidator {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly schemas: Obj;
  private readonly templates: {
    template: string;
    segments: RegExp[];
    literal: boolean[];
    params: string[];
  }[];

  constructor(private readonly doc: Obj) {
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    addFormats(this.ajv); // includes OpenAPI's int32, int64, float, double, byte, binary, password
    const components = isObj(doc.components) ? doc.components : {};
    const schemas = isObj(components.schemas) ? components.schemas : {};
    this.schemas = schemas;
    this.ajv.addKeyword({
      keyword: WRITE_ONLY_IN_RESPONSE,
      schemaType: 'boolean',
      error: { message: 'is writeOnly: a response must not carry it' },
      code: (cxt: KeywordCxt) => cxt.fail(),
    });
    for (const direction of ['request', 'response'] as const) {
      const conversion = { direction, schemas };
      const converted = Object.fromEntries(
        Object.entries(schemas).map(([name, s]) => [name, toAjv(s, conversion)]),
      );
      this.ajv.addSchema({ components: { schemas: converted } }, DOC_IDS[direction]);
    }

    const paths = isObj(doc.paths) ? doc.paths : {};
    this.templates = Object.keys(paths).map((template) => {
      const parts = template.split('/').slice(1);
      const params: string[] = [];
      const segments = parts.map((part) => {
        const source = part
          .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
          .replace(/\{([^}]+)\}/g, (_, name: string) => {
            params.push(name);
            return '([^/]+)';
          });
        return new RegExp(`^${source}$`);
      });
      return { template, segments, literal: parts.map((p) => !p.includes('{')), params };
    });
  }

  static fromFile(file: string): ContractValidator {
    const doc: unknown = parse(fs.readFileSync(file, 'utf8'), { maxAliasCount: -1 });
    if (!isObj(doc)) throw new Error(`${file} is not an OpenAPI document`);
    return new ContractValidator(doc);
  }

  hasOperation(method: string, template: string): boolean {
    return this.operation(method, template) !== undefined;
  }

  /** Finds the template for a concrete path; on ties a literal segment beats a parameter, left to right. */
  matchPath(
    method: string,
    concretePath: string,
  ): { template: string; params: Record<string, string> } | undefined {
    const parts = (concretePath.split('?')[0] ?? '').split('/').slice(1);
    let best: { template: string; params: Record<string, string>; literal: boolean[] } | undefined;
    for (const t of this.templates) {
      if (t.segments.length !== parts.length || !this.operation(method, t.template)) continue;
      const values: string[] = [];
      const matched = t.segments.every((re, i) => {
        const m = re.exec(parts[i] ?? '');
        if (m) values.push(...m.slice(1).map(safeDecode));
        return m !== null;
      });
      if (!matched || (best && !moreLiteral(t.literal, best.literal))) continue;
      best = {
        template: t.template,
        params: Object.fromEntries(t.params.map((n, i) => [n, values[i] ?? ''])),
        literal: t.literal,
      };
    }
    return best && { template: best.template, params: best.params };
  }

  validateRequest(method: string, template: string, body: unknown): ContractResult {
    const op = this.requireOperation(method, template);
    const requestBody = this.deref(op.requestBody);
    if (!requestBody)
      return body === undefined ? OK : fail(`${method.toUpperCase()} ${template} takes no request body`);
    if (body === undefined) return requestBody.required === true ? fail('request body is required') : OK;
    const schema = jsonSchema(requestBody);
    if (schema === undefined) return OK;
    return toResult(this.compile(`${method.toLowerCase()} ${template} request`, schema, 'request'), body);
  }

  validateResponse(method: string, template: string, status: number, body: unknown): ContractResult {
    const op = this.requireOperation(method, template);
    const responses = isObj(op.responses) ? op.responses : {};
    // OpenAPI precedence: an explicit code beats a range ("4XX"), which beats "default".
    const key = [String(status), `${String(status)[0]}XX`, `${String(status)[0]}xx`, 'default'].find(
      (k) => k in responses,
    );
    if (key === undefined) {
      return fail(
        `status ${status} is not documented for ${method.toUpperCase()} ${template} (documented: ${Object.keys(responses).join(', ')})`,
      );
    }
    const schema = jsonSchema(this.deref(responses[key]));
    if (schema === undefined) return OK;
    if (body === undefined)
      return fail(`the ${key} response of ${method.toUpperCase()} ${template} must have a JSON body`);
    return toResult(this.compile(`${method.toLowerCase()} ${template} ${key}`, schema, 'response'), body);
  }

  /**
   * Checks a body against one named component schema, as a request or a response would carry it: for
   * the parts of a body the document leaves to a plain `oneOf` the vendor itself decides by another
   * field (Konnect picks an identity provider's config schema by its `type`).
   */
  validateSchema(name: string, direction: Direction, body: unknown): ContractResult {
    if (!(name in this.schemas)) throw new Error(`the contract has no schema ${name}`);
    const ref = `${DOC_IDS[direction]}#/components/schemas/${name}`;
    return toResult(this.compile(`schema ${name} ${direction}`, { $ref: ref }, direction, false), body);
  }

  private operation(method: string, template: string): Obj | undefined {
    const m = method.toLowerCase();
    const item = isObj(this.doc.paths) ? this.doc.paths[template] : undefined;
    const op = HTTP_METHODS.has(m) && isObj(item) ? item[m] : undefined;
    return isObj(op) ? op : undefined;
  }

  private requireOperation(method: string, template: string): Obj {
    const op = this.operation(method, template);
    if (!op) throw new Error(`the contract has no operation ${method.toUpperCase()} ${template}`);
    return op;
  }

  /** Follows a `#/components/{requestBodies,responses}/X` reference of the document. */
  private deref(node: unknown): Obj | undefined {
    let current = node;
    for (let hops = 0; isObj(current) && typeof current.$ref === 'string' && hops < 10; hops++) {
      const [section, name] = current.$ref.replace(/^#\/components\//, '').split('/');
      const components = isObj(this.doc.components) ? this.doc.components : {};
      const entries = components[section ?? ''];
      current = isObj(entries) ? entries[name ?? ''] : undefined;
    }
    return isObj(current) ? current : undefined;
  }

  private compile(key: string, schema: unknown, direction: Direction, convert = true): ValidateFunction {
    let validate = this.cache.get(key);
    if (!validate) {
      const converted = convert ? toAjv(schema, { direction, schemas: this.schemas }) : schema;
      validate = this.ajv.compile(isObj(converted) ? converted : {});
      this.cache.set(key, validate);
    }
    return validate;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** True when `a` has a literal segment where `b` has a parameter, at the first position they differ. */
function moreLiteral(a: boolean[], b: boolean[]): boolean {
  const i = a.findIndex((lit, idx) => lit !== b[idx]);
  return i >= 0 && a[i] === true;
}

/** The schema of the JSON media type of a request body or response object, if it has one. */
function jsonSchema(bodyOrResponse: Obj | undefined): unknown {
  const content = bodyOrResponse && isObj(bodyOrResponse.content) ? bodyOrResponse.content : {};
  const type = Object.keys(content).find((t) => /^application\/(.+\+)?json\b/i.test(t));
  const media = type === undefined ? undefined : content[type];
  return isObj(media) ? media.schema : undefined;
}

const CONTRACTS_DIR = path.resolve(__dirname, '../../contracts');
let okta: ContractValidator | undefined;
let kong: ContractValidator | undefined;
let konnect: ContractValidator | undefined;
let jira: ContractValidator | undefined;
let servicenow: ContractValidator | undefined;
let adf: ValidateFunction | undefined;

export function oktaContract(): ContractValidator {
  okta ??= ContractValidator.fromFile(path.join(CONTRACTS_DIR, 'okta-management.trimmed.yaml'));
  return okta;
}

export function kongContract(): ContractValidator {
  kong ??= ContractValidator.fromFile(path.join(CONTRACTS_DIR, 'kong-gateway-ee-3.4-admin.trimmed.yaml'));
  return kong;
}

/** Konnect Portal Management v3: its paths are relative to a server URL that ends in /v3. */
export function konnectContract(): ContractValidator {
  konnect ??= ContractValidator.fromFile(
    path.join(CONTRACTS_DIR, 'konnect-portal-management-v3.trimmed.yaml'),
  );
  return konnect;
}

export function jiraContract(): ContractValidator {
  jira ??= ContractValidator.fromFile(path.join(CONTRACTS_DIR, 'jira-platform.trimmed.yaml'));
  return jira;
}

/** Modeled from ServiceNow's documentation (no vendor OpenAPI file exists): see the file's header. */
export function serviceNowContract(): ContractValidator {
  servicenow ??= ContractValidator.fromFile(path.join(CONTRACTS_DIR, 'servicenow-table-api.modeled.yaml'));
  return servicenow;
}

/**
 * Atlassian Document Format, from Atlassian's own JSON schema (draft-04; Ajv reads it once its
 * `$schema` is dropped: it uses no draft-04-only keyword semantics Ajv would misread).
 */
export function validateAdf(document: unknown): ContractResult {
  if (!adf) {
    const schema = JSON.parse(
      fs.readFileSync(path.join(CONTRACTS_DIR, 'atlassian-document-format.v1.schema.json'), 'utf8'),
    ) as Obj;
    delete schema.$schema;
    adf = new Ajv({ strict: false, allErrors: true, logger: false }).compile(schema);
  }
  return toResult(adf, document);
}

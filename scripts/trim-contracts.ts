/**
 * Cuts the vendors' OpenAPI documents down to the operations our sandboxes serve, so that a copy small
 * enough to commit can be vendored into contracts/ (users clone the repo without /work/shared).
 *
 *   npx tsx scripts/trim-contracts.ts            (or: npm run contracts:trim)
 *   CONTRACTS_DIR=/elsewhere npx tsx scripts/trim-contracts.ts
 *   npx tsx scripts/trim-contracts.ts jira       (only the documents whose output name starts so)
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';

interface TrimSpec {
  source: string;
  /** An environment variable that may hold the source file's own path (it need not be in CONTRACTS_DIR). */
  sourcePathEnv?: string;
  output: string;
  upstream: string;
  /** For a document whose info declares no licence: what the header says instead. */
  licence?: string;
  paths: Record<string, string[]>;
  /** Where the published document contradicts the product's observable behaviour: fix and say so. */
  corrections?: Array<{ why: string; apply: (doc: Obj) => void }>;
}

const AUTH_SERVER = '/api/v1/authorizationServers/{authServerId}';
const POLICY = `${AUTH_SERVER}/policies/{policyId}`;
const PORTAL = '/portals/{portalId}';

const SPECS: TrimSpec[] = [
  {
    source: 'okta-management-2026.06.3.yaml',
    output: 'okta-management.trimmed.yaml',
    upstream:
      'https://github.com/okta/okta-management-openapi-spec (dist/current/management-oneOfInheritance.yaml)',
    paths: {
      '/api/v1/apps': ['get', 'post'],
      '/api/v1/apps/{appId}': ['get', 'put', 'delete'],
      '/api/v1/apps/{appId}/lifecycle/activate': ['post'],
      '/api/v1/apps/{appId}/lifecycle/deactivate': ['post'],
      '/api/v1/apps/{appId}/credentials/secrets': ['get'],
      '/api/v1/apps/{appId}/groups': ['get'],
      '/api/v1/apps/{appId}/groups/{groupId}': ['get', 'put', 'delete'],
      '/api/v1/groups': ['get'],
      '/api/v1/groups/{groupId}': ['get'],
      '/api/v1/meta/schemas/user/{schemaId}': ['get'],
      '/api/v1/authorizationServers': ['get', 'post'],
      [AUTH_SERVER]: ['get', 'put', 'delete'],
      [`${AUTH_SERVER}/lifecycle/activate`]: ['post'],
      [`${AUTH_SERVER}/lifecycle/deactivate`]: ['post'],
      [`${AUTH_SERVER}/claims`]: ['get', 'post'],
      [`${AUTH_SERVER}/claims/{claimId}`]: ['get', 'put', 'delete'],
      [`${AUTH_SERVER}/policies`]: ['get', 'post'],
      [POLICY]: ['get', 'put', 'delete'],
      [`${POLICY}/rules`]: ['get', 'post'],
      [`${POLICY}/rules/{ruleId}`]: ['get', 'put', 'delete'],
    },
  },
  {
    source: 'kong-gateway-ee-3.4-admin.yaml',
    output: 'kong-gateway-ee-3.4-admin.trimmed.yaml',
    upstream: 'https://github.com/Kong/docs.konghq.com (api-specs/Gateway-EE/3.4/kong-ee-3.4.yaml)',
    paths: {
      '/': ['get'],
      '/workspaces': ['get', 'post'],
      '/workspaces/{workspace_id_or_name}': ['get', 'patch', 'put', 'delete'],
    },
    corrections: [
      {
        why: 'POST /workspaces answers 201 Created in Kong 3.4 (the document lists only 200)',
        apply: (doc) => {
          const responses = dig(doc, ['paths', '/workspaces', 'post', 'responses']);
          if (isObj(responses) && responses['200'] && !responses['201']) responses['201'] = responses['200'];
        },
      },
      {
        why: 'Workspace config fields without a default are nullable: Kong renders them as null when unset, and PATCH with null clears one',
        apply: (doc) => {
          const config = dig(doc, [
            'components',
            'schemas',
            'Workspace',
            'properties',
            'config',
            'properties',
          ]);
          if (isObj(config))
            for (const field of Object.values(config))
              if (isObj(field) && !('default' in field)) field.nullable = true;
        },
      },
    ],
  },
  {
    source: 'konnect-portal-management-v3.yaml',
    output: 'konnect-portal-management-v3.trimmed.yaml',
    upstream:
      'https://github.com/Kong/developer.konghq.com (api-specs/konnect/portal-management/v3/openapi.yaml; built from kong/platform-api, see info.x-oas-source)',
    licence: 'none declared in the document (its info has no license); as upstream',
    // The servers carry /v3 (https://us.api.konghq.com/v3), so the wire paths are /v3/portals/...
    paths: {
      '/portals': ['get'],
      [PORTAL]: ['get', 'patch'],
      [`${PORTAL}/identity-providers`]: ['get', 'post'],
      [`${PORTAL}/identity-providers/{id}`]: ['get', 'patch', 'delete'],
    },
  },
  {
    source: 'jira-platform-swagger.v3.json',
    sourcePathEnv: 'JIRA_PLATFORM_OPENAPI',
    output: 'jira-platform.trimmed.yaml',
    upstream:
      'https://developer.atlassian.com/cloud/jira/platform/swagger-v3.v3.json (stored copy: github.com/salto-io/jira-swaggers platform-swagger.v3.json, commit e9edd0efc751bbc5b2a2c33f8755f9ed04e14158)',
    paths: {
      '/rest/api/3/issue': ['post'],
      '/rest/api/3/issue/{issueIdOrKey}/comment': ['get', 'post'],
      '/rest/api/3/issue/{issueIdOrKey}/transitions': ['get', 'post'],
    },
    corrections: [
      {
        why: 'A 204 answer has no body (RFC 9110); the document gives 204 an empty application/json schema, which Jira does not send',
        apply: (doc) => {
          const paths = isObj(doc.paths) ? doc.paths : {};
          for (const item of Object.values(paths)) {
            if (!isObj(item)) continue;
            for (const op of Object.values(item)) {
              const responses = isObj(op) && isObj(op.responses) ? op.responses : undefined;
              const noContent = responses?.['204'];
              if (isObj(noContent)) delete noContent.content;
            }
          }
        },
      },
    ],
  },
];

function dig(node: unknown, keys: string[]): unknown {
  return keys.reduce<unknown>((at, key) => (isObj(at) ? at[key] : undefined), node);
}

// Path-item keys that are not operations and apply to every operation of the path.
const PATH_ITEM_SHARED = ['summary', 'description', 'servers', 'parameters'];
const EXAMPLE_KEYS = new Set(['example', 'examples', 'x-examples']);
// Under these keys the object keys are user-chosen names, so a property called "example" must survive.
const NAME_MAPS = new Set(['properties', 'patternProperties', 'mapping']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep copy without examples; copying also undoes YAML alias sharing so the output has no anchors. */
function stripExamples(node: unknown, parentKey = ''): unknown {
  if (Array.isArray(node)) return node.map((item) => stripExamples(item));
  if (!isObj(node)) return node;
  const out: Obj = {};
  for (const [k, v] of Object.entries(node)) {
    if (EXAMPLE_KEYS.has(k) && !NAME_MAPS.has(parentKey)) continue;
    out[k] = stripExamples(v, k);
  }
  return out;
}

/** Component references in a node: `$ref` strings and discriminator mapping targets. */
function collectRefs(node: unknown, found: Set<string>): void {
  if (Array.isArray(node)) return node.forEach((item) => collectRefs(item, found));
  if (!isObj(node)) return;
  if (typeof node.$ref === 'string') found.add(node.$ref);
  const disc = node.discriminator;
  if (isObj(disc) && isObj(disc.mapping)) {
    for (const target of Object.values(disc.mapping)) if (typeof target === 'string') found.add(target);
  }
  Object.values(node).forEach((v) => collectRefs(v, found));
}

function parseComponentRef(ref: string): [section: string, name: string] {
  // A bare mapping value ("Foo") is a schema name, per the OpenAPI discriminator rules.
  if (!ref.startsWith('#')) return ['schemas', ref];
  const m = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref);
  if (!m?.[1] || !m[2]) throw new Error(`unsupported $ref ${ref}`);
  const unescape = (s: string) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~');
  return [unescape(m[1]), unescape(m[2])];
}

function trim(doc: Obj, spec: TrimSpec): Obj {
  const docPaths = isObj(doc.paths) ? doc.paths : {};
  const paths: Obj = {};
  const missing: string[] = [];
  for (const [template, methods] of Object.entries(spec.paths)) {
    const item = docPaths[template];
    if (!isObj(item)) {
      missing.push(template);
      continue;
    }
    const kept: Obj = {};
    for (const key of PATH_ITEM_SHARED) if (key in item) kept[key] = item[key];
    for (const method of methods) {
      if (isObj(item[method])) kept[method] = item[method];
      else missing.push(`${method.toUpperCase()} ${template}`);
    }
    paths[template] = stripExamples(kept);
  }
  if (missing.length) {
    console.warn(`WARNING: ${spec.source} lacks: ${missing.join(', ')}`);
    throw new Error(`missing paths/methods in ${spec.source}`);
  }

  const components = isObj(doc.components) ? doc.components : {};
  const kept = new Map<string, Map<string, unknown>>();
  const pending = new Set<string>();
  collectRefs(paths, pending);
  for (const ref of pending) {
    const [section, name] = parseComponentRef(ref);
    if (section === 'examples' || kept.get(section)?.has(name)) continue;
    const source = components[section];
    if (!isObj(source) || !(name in source)) throw new Error(`${spec.source}: dangling $ref ${ref}`);
    const copy = stripExamples(source[name]);
    kept.set(section, (kept.get(section) ?? new Map()).set(name, copy));
    collectRefs(copy, pending); // a Set iterates over entries added during iteration
  }

  // Security requirements name their schemes instead of $ref-ing them.
  const schemeNames = new Set<string>();
  const addSchemes = (reqs: unknown) =>
    Array.isArray(reqs) && reqs.forEach((r) => isObj(r) && Object.keys(r).forEach((n) => schemeNames.add(n)));
  addSchemes(doc.security);
  for (const item of Object.values(paths))
    if (isObj(item)) Object.values(item).forEach((op) => isObj(op) && addSchemes(op.security));
  const schemes = isObj(components.securitySchemes) ? components.securitySchemes : {};
  if (schemeNames.size) kept.set('securitySchemes', new Map([...schemeNames].map((n) => [n, schemes[n]])));

  // Keep the document's own ordering of sections and names so regenerated files diff cleanly.
  const outComponents: Obj = {};
  for (const [section, entries] of Object.entries(components)) {
    const names = kept.get(section);
    if (!names || !isObj(entries)) continue;
    outComponents[section] = Object.fromEntries(
      Object.keys(entries)
        .filter((n) => names.has(n))
        .map((n) => [n, names.get(n)]),
    );
  }

  const out: Obj = { openapi: doc.openapi, info: doc.info };
  for (const key of ['externalDocs', 'servers', 'security']) if (key in doc) out[key] = doc[key];
  return { ...out, paths, components: outComponents };
}

function header(doc: Obj, spec: TrimSpec): string {
  const info = isObj(doc.info) ? doc.info : {};
  const license = isObj(info.license) ? info.license : {};
  const corrections = (spec.corrections ?? []).map((c) => `# Correction: ${c.why}`);
  return [
    `# Trimmed copy of ${spec.source}: ${String(info.title)}, version ${String(info.version)}`,
    `# Upstream: ${spec.upstream}`,
    spec.licence !== undefined && license.name === undefined
      ? `# Licence: ${spec.licence}`
      : `# Licence: ${String(license.name)} (${String(license.url)}), as declared in the document's info.license`,
    '# Keeps only the paths/methods our sandboxes serve plus every component they reference; examples removed.',
    ...corrections,
    '# GENERATED by scripts/trim-contracts.ts - do not edit by hand; rerun `npm run contracts:trim`.',
    '',
  ].join('\n');
}

function main(): void {
  const repoRoot = path.resolve(__dirname, '..');
  const sourceDir = path.resolve(process.env.CONTRACTS_DIR ?? path.join(repoRoot, '../shared/contracts'));
  const outDir = path.join(repoRoot, 'contracts');
  const only = process.argv.slice(2);
  const specs = only.length ? SPECS.filter((s) => only.some((prefix) => s.output.startsWith(prefix))) : SPECS;
  // Trim everything before writing anything, so a failure never leaves a half-updated contracts/.
  const outputs = specs.map((spec) => {
    const own = spec.sourcePathEnv ? process.env[spec.sourcePathEnv] : undefined;
    // Okta's document reuses its oneOf lists through hundreds of YAML aliases (JSON is YAML too).
    const doc: unknown = parse(fs.readFileSync(own ?? path.join(sourceDir, spec.source), 'utf8'), {
      maxAliasCount: -1,
    });
    if (!isObj(doc)) throw new Error(`${spec.source} is not a YAML mapping`);
    const trimmed = trim(doc, spec);
    for (const correction of spec.corrections ?? []) correction.apply(trimmed);
    const yaml = stringify(trimmed, { aliasDuplicateObjects: false, lineWidth: 0 });
    return { target: path.join(outDir, spec.output), text: header(doc, spec) + yaml };
  });
  fs.mkdirSync(outDir, { recursive: true });
  for (const { target, text } of outputs) {
    fs.writeFileSync(target, text);
    console.log(`${path.relative(repoRoot, target)}: ${(text.length / 1024).toFixed(0)} KiB`);
  }
}

try {
  main();
} catch (err) {
  console.error(`trim-contracts: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}

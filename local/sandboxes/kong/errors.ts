/**
 * Kong's error bodies, so clients under test parse exactly what a real Admin API sends:
 * `{message}` for plain errors, `{code, name, message, fields}` for schema and unique violations.
 */
import type { ContractError } from '../../contracts/validator';
import type { SandboxResponse } from '../http-sandbox';

/** One violated field: its path inside the entity (e.g. ['config', 'portal_auth']) and Kong's reason. */
export interface FieldViolation {
  path: string[];
  reason: string;
}

export const kongMessage = (status: number, message: string): SandboxResponse => ({
  status,
  body: { message },
});

export const notFound = (): SandboxResponse => kongMessage(404, 'Not found');

/** Kong's DAO error code 2 ("schema violation"): one message naming every field, plus a nested `fields` map. */
export function schemaViolation(violations: FieldViolation[]): SandboxResponse {
  const fields: Record<string, unknown> = {};
  for (const { path, reason } of violations) {
    const keys = path.length > 0 ? path : ['@entity'];
    let node = fields;
    keys.slice(0, -1).forEach((key) => {
      const next = node[key];
      node = typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : (node[key] = {});
    });
    node[keys[keys.length - 1] as string] = reason;
  }
  const parts = violations.map(({ path, reason }) =>
    path.length > 0 ? `${path.join('.')}: ${reason}` : reason,
  );
  const message =
    violations.length === 1
      ? `schema violation (${parts[0]})`
      : `${violations.length} schema violations (${parts.join('; ')})`;
  return { status: 400, body: { code: 2, name: 'schema violation', message, fields } };
}

/** Kong's DAO error code 5, e.g. creating a second workspace called "x". */
export function uniqueViolation(field: string, value: string): SandboxResponse {
  return {
    status: 409,
    body: {
      code: 5,
      name: 'unique constraint violation',
      message: `UNIQUE violation detected on '{${field}="${value}"}'`,
      fields: { [field]: value },
    },
    undocumented: 'Kong answers 409 on a unique violation; the document lists only 200/400',
  };
}

/** Kong's wording for schema type errors, so a contract-invalid body reads like Kong's own answer. */
const KONG_TYPE_NAMES: Record<string, string> = {
  boolean: 'a boolean',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  object: 'a record',
  array: 'an array',
};

function kongReason(message: string): string {
  // Nullable fields read "must be boolean,null"; Kong names only the type.
  const typeError = /^must be (\w+)(?:,null)?$/.exec(message);
  const kongType = typeError ? KONG_TYPE_NAMES[typeError[1] as string] : undefined;
  return kongType ? `expected ${kongType}` : message;
}

/** A body the contract rejects gets the same 400 schema violation Kong's own validation would give. */
export function contractViolation(errors: ContractError[]): SandboxResponse {
  if (errors.some((e) => e.path === '' && /not valid JSON/.test(e.message))) {
    return kongMessage(400, 'Cannot parse JSON body');
  }
  return schemaViolation(
    errors.map((e) => ({
      path: e.path
        .split('/')
        .filter((p) => p.length > 0)
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')),
      reason: kongReason(e.message),
    })),
  );
}

/** Plain `{message}` errors for statuses the framework produces (unknown route, injected faults). */
export function plainError(status: number, message: string): SandboxResponse {
  if (status === 404) return notFound();
  if (status === 405) return kongMessage(405, 'Method not allowed');
  if (status === 500) return kongMessage(500, 'An unexpected error occurred');
  return kongMessage(status, message);
}

/**
 * The Admin API has no limiter of its own; a rate-limiting plugin in front of it answers like this
 * (RateLimit-* headers count seconds until the window resets).
 */
export function rateLimited(resetEpochSeconds: number): SandboxResponse {
  const seconds = String(Math.max(0, resetEpochSeconds - Math.floor(Date.now() / 1000)));
  return {
    status: 429,
    body: { message: 'API rate limit exceeded' },
    headers: {
      'RateLimit-Limit': '60',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': seconds,
      'Retry-After': seconds,
    },
  };
}

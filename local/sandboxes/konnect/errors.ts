/**
 * Konnect's error bodies: `application/problem+json` with the document's `BaseError` fields (status,
 * title, instance, detail) and, for 400, `BadRequestError.invalid_parameters`. Titles, details and
 * the wording of reasons follow the document's own examples (UnauthorizedExample, ForbiddenExample,
 * NotFoundExample, UpdatePortalBadRequestExample1..5, ListPortalsBadRequestExample*,
 * 400-request-format-is-invalid), so a client under test parses exactly what Konnect sends.
 */
import { randomInt } from 'node:crypto';
import type { ContractError } from '../../contracts/validator';
import type { SandboxResponse } from '../http-sandbox';

export type Rule =
  | 'required'
  | 'unknown_property'
  | 'is_boolean'
  | 'is_string'
  | 'is_array'
  | 'is_object'
  | 'is_number'
  | 'is_integer'
  | 'is_null'
  | 'invalid'
  | 'type';

export interface InvalidParameter {
  field: string;
  reason: string;
  rule?: Rule | 'enum';
  choices?: unknown[];
  source?: 'body' | 'query' | 'path';
}

const PROBLEM_JSON = { 'content-type': 'application/problem+json' };

/** `kong:trace:<19 digits>`, the correlation id form of the document's examples. */
const traceId = () => {
  const nine = () => String(randomInt(0, 10 ** 9)).padStart(9, '0');
  return `kong:trace:${randomInt(1, 10)}${nine()}${nine()}`;
};

export function problem(status: number, title: string, detail: string): SandboxResponse {
  return { status, body: { status, title, instance: traceId(), detail }, headers: PROBLEM_JSON };
}

export const unauthorized = () => problem(401, 'Unauthorized', 'Unauthorized');
export const forbidden = () => problem(403, 'Forbidden', 'You do not have permission to perform this action');
export const notFound = () => problem(404, 'Not Found', 'Not Found');
export const conflict = (detail: string): SandboxResponse => {
  const answer = problem(409, 'Conflict', detail);
  return { ...answer, body: { ...(answer.body as object), type: 'https://httpstatuses.com/409' } };
};

export function badRequest(parameters: InvalidParameter[]): SandboxResponse {
  const unique = [...new Map(parameters.map((p) => [JSON.stringify(p), p])).values()];
  const answer = problem(400, 'Invalid Request', 'Invalid Parameters');
  return { ...answer, body: { ...(answer.body as object), invalid_parameters: unique } };
}

const TYPE_RULES: Record<string, { rule: Rule; reason: (field: string) => string }> = {
  boolean: { rule: 'is_boolean', reason: (f) => `value of "${f}" must be true or false` },
  string: { rule: 'is_string', reason: (f) => `"${f}" must be a string` },
  array: { rule: 'is_array', reason: (f) => `"${f}" must be an array` },
  object: { rule: 'is_object', reason: (f) => `"${f}" must be an object` },
  number: { rule: 'is_number', reason: (f) => `"${f}" must be a number` },
  integer: { rule: 'is_integer', reason: (f) => `"${f}" must be an integer` },
};

/** `/config/claim_mappings` -> `config.claim_mappings` (JSON pointer to the dotted field Konnect names). */
function fieldOf(pointer: string, child?: string): string {
  const parts = pointer
    .split('/')
    .filter((p) => p.length > 0)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  return parts.length > 0 ? parts.join('.') : 'body';
}

/** One contract finding (Ajv's wording) as the invalid parameter Konnect would report. */
export function invalidParameterOf(error: ContractError): InvalidParameter | undefined {
  const required = /^must have required property '(.+)'$/.exec(error.message);
  if (required) {
    const field = fieldOf(error.path, required[1]);
    return { field, rule: 'required', reason: `${field} is required`, source: 'body' };
  }
  const unknown = /^must NOT have additional properties: '(.+)'$/.exec(error.message);
  if (unknown) {
    const field = fieldOf(error.path, unknown[1]);
    return { field, rule: 'unknown_property', reason: `"${field}" is not allowed`, source: 'body' };
  }
  const field = fieldOf(error.path);
  const type = /^must be (\w+)(?:,null)?$/.exec(error.message);
  const typeRule = type ? TYPE_RULES[type[1] as string] : undefined;
  if (typeRule) return { field, rule: typeRule.rule, reason: typeRule.reason(field), source: 'body' };
  const choice = /^must be equal to one of the allowed values: (.+)$/.exec(error.message);
  if (choice) {
    const choices = (choice[1] as string).split(', ');
    return { field, rule: 'enum', reason: `must be one of [${choices.join(', ')}]`, choices, source: 'body' };
  }
  // A oneOf's own finding only repeats what its variants said (they are reported too).
  if (/must match exactly one schema in oneOf/.test(error.message)) return undefined;
  return { field, rule: 'invalid', reason: `"${field}" ${error.message}`, source: 'body' };
}

/** Konnect's 400 for a body the document refuses; a body that is not JSON at all gets its parse error. */
export function contractViolation(errors: ContractError[]): SandboxResponse {
  if (errors.some((e) => e.path === '' && /not valid JSON/.test(e.message))) {
    const answer = problem(400, 'Bad Request', 'Could not parse request body');
    return {
      ...answer,
      body: {
        ...(answer.body as object),
        invalid_parameters: [{ field: 'body', reason: 'request format is invalid' }],
      },
    };
  }
  const parameters = errors.map(invalidParameterOf).filter((p): p is InvalidParameter => p !== undefined);
  return badRequest(
    parameters.length > 0
      ? parameters
      : [{ field: 'body', rule: 'invalid', reason: 'request body is invalid', source: 'body' }],
  );
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Problem bodies for what the framework produces itself (unknown route, injected faults). */
export function frameworkError(status: number, message: string): SandboxResponse {
  if (status === 401) return unauthorized();
  if (status === 403) return forbidden();
  if (status === 404) return notFound();
  const title = TITLES[status] ?? `HTTP ${status}`;
  return problem(status, title, status >= 500 ? title : message);
}

/**
 * Not Konnect's documented behaviour: its document lists no 429 and no rate-limit headers (research
 * notes section 1.8). A modelling choice for fault injection: a problem body and the standard
 * `Retry-After` (RFC 9110 10.2.3) in seconds.
 */
export function rateLimited(resetEpochSeconds: number): SandboxResponse {
  const seconds = String(Math.max(0, resetEpochSeconds - Math.floor(Date.now() / 1000)));
  const answer = problem(429, 'Too Many Requests', 'Too Many Requests');
  return { ...answer, headers: { ...answer.headers, 'Retry-After': seconds } };
}

/**
 * How Okta speaks HTTP, independent of any resource: its error bodies and codes, API-token auth,
 * X-Rate-Limit-* headers, Link-header paging, and the small body readers the resource modules use
 * to raise Okta-shaped validation errors.
 */
import type { ContractError, ContractValidator } from '../../contracts/validator';
import type { RouteHandler, SandboxFlavour, SandboxRequest, SandboxResponse } from '../http-sandbox';
import { errorId } from './ids';

export type Json = Record<string, unknown>;

/** The org's own URL, known only once the server listens; links and issuers are built from it. */
export interface Org {
  url: string;
}

export interface Cause {
  field: string;
  reason: string;
}

/** Thrown from deep inside a handler to answer with an Okta error; `guarded` turns it into the response. */
export class OktaFailure extends Error {
  constructor(readonly response: SandboxResponse) {
    super(`okta ${response.status}`);
  }
}

export function oktaError(
  status: number,
  code: string,
  summary: string,
  causes: string[] = [],
): SandboxResponse {
  return {
    status,
    body: {
      errorCode: code,
      errorSummary: summary,
      errorLink: code,
      errorId: errorId(),
      errorCauses: causes.map((errorSummary) => ({ errorSummary })),
    },
  };
}

/** `type` is Okta's internal class name, which it leaks into the summary (AppInstance, UserGroup...). */
export function notFound(id: string, type: string): SandboxResponse {
  return oktaError(404, 'E0000007', `Not found: Resource not found: ${id} (${type})`);
}

export function validationFailed(causes: Cause[]): SandboxResponse {
  const first = causes[0]?.field;
  return oktaError(
    400,
    'E0000001',
    first ? `Api validation failed: ${first}` : 'Api validation failed',
    causes.map((c) => (c.field ? `${c.field}: ${c.reason}` : c.reason)),
  );
}

export function fail(field: string, reason: string): never {
  throw new OktaFailure(validationFailed([{ field, reason }]));
}

export function failWith(response: SandboxResponse): never {
  throw new OktaFailure(response);
}

export function guarded(handler: RouteHandler): RouteHandler {
  return async (req) => {
    try {
      return await handler(req);
    } catch (err) {
      if (err instanceof OktaFailure) return err.response;
      throw err;
    }
  };
}

const SUMMARIES: Record<number, [code: string, summary: string]> = {
  400: ['E0000001', 'Api validation failed'],
  401: ['E0000011', 'Invalid token provided'],
  403: ['E0000006', 'You do not have permission to perform the requested action'],
  404: ['E0000007', 'Not found: Resource not found'],
  405: ['E0000022', 'The endpoint does not support the provided HTTP method'],
  429: ['E0000047', 'API call exceeded rate limit due to too many requests.'],
  500: ['E0000009', 'Internal Server Error'],
  503: ['E0000010', 'Service is in read only mode'],
};

/** ajv's '/settings/oauthClient/redirect_uris/0' in the dotted form Okta uses for error causes. */
function fieldOf(pointer: string): string {
  return pointer
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '');
}

function causeOf(error: ContractError): Cause {
  const base = fieldOf(error.path);
  const missing = /required property '([^']+)'/.exec(error.message)?.[1];
  const field = missing ? (base ? `${base}.${missing}` : missing) : base;
  return { field, reason: error.message };
}

/**
 * Okta's three rate-limit headers: the ceiling that applies to this request, what is left of the
 * current window, and when it resets in UTC epoch seconds (Okta, "Rate limit best practices").
 */
export function rateLimitHeaders(
  limit: number,
  remaining: number,
  resetEpochSeconds: number,
): Record<string, string> {
  return {
    'X-Rate-Limit-Limit': String(limit),
    'X-Rate-Limit-Remaining': String(remaining),
    'X-Rate-Limit-Reset': String(resetEpochSeconds),
  };
}

/** Okta's 429 body (the OpenAPI document's `ErrorTooManyRequests` example), with its headers. */
export function tooManyRequests(headers: Record<string, string>): SandboxResponse {
  return {
    ...oktaError(429, 'E0000047', 'API call exceeded rate limit due to too many requests.'),
    headers,
  };
}

export interface OktaFlavourOptions {
  token: string;
  /** `${METHOD} ${template}` pairs the token's admin role does not cover. */
  denied: Set<string>;
  contract?: ContractValidator;
  /** Rate and concurrency limits (rate-limits.ts): they decide on arrival and stamp X-Rate-Limit-*. */
  admit?: SandboxFlavour['admit'];
}

/** What an injected 429 announces as the ceiling: the "/api/v1" bucket of a One App org. */
const INJECTED_LIMIT = 600;

export function oktaFlavour(options: OktaFlavourOptions): SandboxFlavour {
  return {
    authenticate(req: SandboxRequest) {
      const header = req.headers.authorization ?? '';
      const match = /^SSWS\s+(\S+)\s*$/.exec(header);
      if (!match || match[1] !== options.token) return oktaError(401, 'E0000011', 'Invalid token provided');
      if (options.denied.has(`${req.method} ${req.template}`)) {
        return oktaError(403, 'E0000006', 'You do not have permission to perform the requested action');
      }
      return undefined;
    },
    error(status, message) {
      const [code, summary] = SUMMARIES[status] ?? (status >= 500 ? SUMMARIES[500]! : ['E0000001', message]);
      // The framework's own 404 names the unknown path, which is more useful than Okta's generic text.
      return oktaError(status, code, status === 404 && message.startsWith('Not found') ? message : summary);
    },
    invalidRequest(errors) {
      const unreadable = errors.find(
        (e) => e.path === '' && /not valid JSON|body is required/.test(e.message),
      );
      if (unreadable) return oktaError(400, 'E0000003', 'The request body was not well-formed.');
      return validationFailed(errors.map(causeOf));
    },
    rateLimited(resetEpochSeconds) {
      return tooManyRequests(rateLimitHeaders(INJECTED_LIMIT, 0, resetEpochSeconds));
    },
    admit: options.admit,
    contract: options.contract,
  };
}

/**
 * Okta pages lists with `limit` + an opaque `after` cursor and announces the next page in a Link header
 * (the SDK's Collection follows it). Our cursor is the id of the last item served.
 */
export function paged<T>(
  req: SandboxRequest,
  items: T[],
  idOf: (item: T) => string,
  limits: { defaultLimit: number; maxLimit: number },
): SandboxResponse {
  const asked = Number(req.query.get('limit'));
  const limit = Number.isInteger(asked) && asked > 0 ? Math.min(asked, limits.maxLimit) : limits.defaultLimit;
  const after = req.query.get('after');
  let start = 0;
  if (after) {
    const index = items.findIndex((item) => idOf(item) === after);
    // A cursor for a vanished item ends the walk instead of restarting it (which could loop forever).
    start = index < 0 ? items.length : index + 1;
  }
  const page = items.slice(start, start + limit);
  const link = (params: URLSearchParams) => {
    const query = params.toString();
    return `${req.baseUrl}${req.path}${query ? `?${query}` : ''}`;
  };
  const links = [`<${link(req.query)}>; rel="self"`];
  const last = page[page.length - 1];
  if (start + limit < items.length && last !== undefined) {
    const next = new URLSearchParams(req.query);
    next.set('after', idOf(last));
    next.set('limit', String(limit));
    links.push(`<${link(next)}>; rel="next"`);
  }
  return { status: 200, body: page, headers: { link: links.join(', ') } };
}

// Body readers. The contract check has already vetted types when the validator is wired; these stay
// defensive so semantic checks never crash on a body the contract let through.

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function objectAt(parent: unknown, key: string): Json {
  const v = isObject(parent) ? parent[key] : undefined;
  return isObject(v) ? v : {};
}

export function maybeObjectAt(parent: unknown, key: string): Json | undefined {
  const v = isObject(parent) ? parent[key] : undefined;
  return isObject(v) ? v : undefined;
}

export function stringAt(parent: unknown, key: string): string | undefined {
  const v = isObject(parent) ? parent[key] : undefined;
  return typeof v === 'string' ? v : undefined;
}

export function stringsAt(parent: unknown, key: string): string[] | undefined {
  const v = isObject(parent) ? parent[key] : undefined;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

export function numberAt(parent: unknown, key: string): number | undefined {
  const v = isObject(parent) ? parent[key] : undefined;
  return typeof v === 'number' ? v : undefined;
}

export function booleanAt(parent: unknown, key: string): boolean | undefined {
  const v = isObject(parent) ? parent[key] : undefined;
  return typeof v === 'boolean' ? v : undefined;
}

/** A required, non-blank string: Okta's wording for a missing field. */
export function requiredString(parent: unknown, key: string, field = key): string {
  const v = stringAt(parent, key);
  if (v === undefined || v.trim() === '') fail(field, 'The field cannot be left blank');
  return v;
}

/** Links in Okta's HAL-ish shape; `hints.allow` tells clients which methods the link accepts. */
export function href(url: string, ...allow: Array<'GET' | 'POST' | 'PUT' | 'DELETE'>): Json {
  return allow.length ? { href: url, hints: { allow } } : { href: url };
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * Listing requests newest first, a page at a time: which index a query reads, and the opaque
 * `next` tokens that continue it. Tokens are not trusted: one must decode to exactly the key shape
 * of the index this query uses, in this query's partition.
 */
import { ValidationError } from '../../core/errors';
import {
  ALL_REQUESTS,
  GSI1,
  GSI2,
  REQUESTS_TABLE_SCHEMA as S,
  workspacePartition,
  type Item,
} from './schema';

export interface ListQuery {
  workspace?: string;
  environment?: string;
  /** 1..100, default 25. */
  limit?: number;
  next?: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque base64url token; absent on the last page. */
  next?: string;
}

export interface ListPlan {
  index: typeof GSI1 | typeof GSI2;
  partition: string;
  filter?: { expression: string; names: Record<string, string>; values: Record<string, string> };
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,2048}$/;

const invalid = (field: string, reason: string) =>
  ValidationError.of([{ field, reason }], 'Invalid listing query');

export function encodeToken(key: Item): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The start key of an index query: the table key plus the index key of the last item returned. */
export function startKeyOf(item: Item, plan: ListPlan): Record<string, string> {
  const key: Record<string, string> = {};
  for (const name of [S.partitionKey, S.sortKey, plan.index.partitionKey, plan.index.sortKey])
    key[name] = String(item[name]);
  return key;
}

export function decodeToken(token: string, plan: ListPlan): Record<string, string> {
  const wrong = () => invalid('next', 'is not a token returned by a previous page of this listing');
  if (!TOKEN_PATTERN.test(token)) throw wrong();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw wrong();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw wrong();
  const expected: string[] = [S.partitionKey, S.sortKey, plan.index.partitionKey, plan.index.sortKey];
  const key: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!expected.includes(name) || typeof value !== 'string' || !value) throw wrong();
    key[name] = value;
  }
  if (Object.keys(key).length !== expected.length || key[plan.index.partitionKey] !== plan.partition)
    throw wrong();
  return key;
}

export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw invalid('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
}

/** `workspace`+`environment` read GSI1 (exact); anything else reads GSI2 with a filter. */
export function listPlan(query: ListQuery): ListPlan {
  const issues: { field: string; reason: string }[] = [];
  for (const field of ['environment', 'workspace'] as const) {
    const value = query[field];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0 || value.includes('#')))
      issues.push({ field, reason: "must be a non-empty string without '#'" });
  }
  if (issues.length > 0) throw ValidationError.of(issues, 'Invalid listing query');

  const { workspace, environment } = query;
  if (workspace !== undefined && environment !== undefined)
    return { index: GSI1, partition: workspacePartition({ environment, workspace }) };
  const names: Record<string, string> = {};
  const values: Record<string, string> = {};
  const clauses: string[] = [];
  for (const [field, value] of [
    ['workspace', workspace],
    ['environment', environment],
  ] as const) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    clauses.push(`#${field} = :${field}`);
  }
  return {
    index: GSI2,
    partition: ALL_REQUESTS,
    ...(clauses.length > 0 ? { filter: { expression: clauses.join(' AND '), names, values } } : {}),
  };
}

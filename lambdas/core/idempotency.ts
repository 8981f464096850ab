/**
 * What makes two requests "the same": a canonical hash of the validated request, and a request id
 * derived from the caller's Idempotency-Key (scoped to the caller), so a repeated request maps to
 * the same record and the same Step Functions execution name instead of a second run.
 */
import { createHash, randomBytes } from 'node:crypto';

/** JSON with sorted keys, so field order never changes the hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function inputHash(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

/** Execution names allow 80 characters of [A-Za-z0-9-_]; ids stay well inside that. */
export function requestIdFromKey(principal: string, idempotencyKey: string): string {
  const digest = createHash('sha256')
    .update(`${principal}\n${idempotencyKey}`)
    .digest('base64url')
    .slice(0, 32);
  return `req-${digest.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** Time-ordered, so ids sort roughly by creation. */
export function newRequestId(now: Date = new Date()): string {
  return `req-${now.getTime().toString(36)}-${randomBytes(8).toString('hex')}`;
}

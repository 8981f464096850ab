/**
 * Who may start a run through a webhook: the checks on a delivery's signature, pure and in
 * constant time. Every check works on the raw body bytes exactly as received (a re-serialised
 * JSON body would not match the sender's MAC), and every comparison is between equal-length
 * digests with `timingSafeEqual`, so neither the secret nor the expected MAC leaks through timing.
 *
 * - Jira Cloud admin webhooks with a secret send `X-Hub-Signature: sha256=<lowercase hex HMAC-SHA256
 *   of the raw body>` (WebSub `method=signature`; Atlassian "Secure admin webhooks", test vector in
 *   test/unit/webhook-signatures.test.ts). Jira "might start using another method": anything but
 *   sha256 is refused rather than guessed at.
 * - Jira Service Management automation ("Send web request") cannot sign: it sends a configured
 *   header whose value is the shared secret. A separate mode, never a fallback for a failed HMAC.
 * - ServiceNow: `GlideCertificateEncryption.generateMac(base64Key, 'HmacSHA256', data)` returns the
 *   MAC in base64; our business rule (docs/servicenow-business-rule.js) signs
 *   `<timestamp>.<raw body>` and sends the timestamp (epoch seconds) in its own header.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureProblem = 'missing' | 'malformed' | 'unsupported-method' | 'mismatch' | 'stale';

export type SignatureVerdict = { ok: true } | { ok: false; problem: SignatureProblem };

const OK: SignatureVerdict = { ok: true };
const refuse = (problem: SignatureProblem): SignatureVerdict => ({ ok: false, problem });

const hmacSha256 = (secret: string, data: Buffer): Buffer =>
  createHmac('sha256', Buffer.from(secret, 'utf8')).update(data).digest();

/** Equal-length comparison in constant time (lengths differ only for malformed input, rejected earlier). */
function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The `X-Hub-Signature` value Jira sends for a body (for senders: the CLI, tests). */
export function hubSignature(secret: string, rawBody: Buffer): string {
  return `sha256=${hmacSha256(secret, rawBody).toString('hex')}`;
}

/** `X-Hub-Signature: sha256=<64 hex digits>` over the raw body. */
export function verifyHubSignature(
  rawBody: Buffer,
  header: string | undefined,
  secret: string,
): SignatureVerdict {
  if (header === undefined || header.trim() === '') return refuse('missing');
  const match = /^([A-Za-z0-9-]+)=([0-9A-Fa-f]+)$/.exec(header.trim());
  if (!match) return refuse('malformed');
  const method = match[1] ?? '';
  const hex = match[2] ?? '';
  if (method.toLowerCase() !== 'sha256') return refuse('unsupported-method');
  if (hex.length !== 64) return refuse('malformed');
  return sameBytes(Buffer.from(hex, 'hex'), hmacSha256(secret, rawBody)) ? OK : refuse('mismatch');
}

/**
 * A shared secret in a header. Both sides are hashed first so the comparison is between equal-length
 * digests: comparing the raw values would reveal the secret's length.
 */
export function verifySharedSecret(header: string | undefined, secret: string): SignatureVerdict {
  if (header === undefined || header === '') return refuse('missing');
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return sameBytes(digest(header), digest(secret)) ? OK : refuse('mismatch');
}

/** How far a signed timestamp may be from our clock, either way, before the delivery is stale. */
export const DEFAULT_TIMESTAMP_TOLERANCE_SECONDS = 300;

/** The exact bytes the ServiceNow business rule signs: `<timestamp>.<raw body>`. */
export function serviceNowSignedContent(timestamp: string, rawBody: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), rawBody]);
}

/** The signature the business rule sends for a body and timestamp (what generateMac returns). */
export function serviceNowSignature(secret: string, timestamp: string, rawBody: Buffer): string {
  return hmacSha256(secret, serviceNowSignedContent(timestamp, rawBody)).toString('base64');
}

/** A base64 HMAC-SHA256 (32 bytes: 43 characters and one `=`). */
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

export function verifyServiceNowSignature(
  rawBody: Buffer,
  headers: { signature: string | undefined; timestamp: string | undefined },
  secret: string,
  options: { nowMs: number; toleranceSeconds?: number },
): SignatureVerdict {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp) return refuse('missing');
  if (!BASE64_SHA256.test(signature.trim()) || !/^\d{9,11}$/.test(timestamp.trim()))
    return refuse('malformed');
  const expected = hmacSha256(secret, serviceNowSignedContent(timestamp.trim(), rawBody));
  if (!sameBytes(Buffer.from(signature.trim(), 'base64'), expected)) return refuse('mismatch');
  // Checked after the MAC, so an attacker cannot learn our clock's window from unsigned probes.
  const tolerance = options.toleranceSeconds ?? DEFAULT_TIMESTAMP_TOLERANCE_SECONDS;
  const skew = Math.abs(options.nowMs / 1000 - Number(timestamp));
  return skew <= tolerance ? OK : refuse('stale');
}

/**
 * Identifiers, secrets and timestamps shaped like Okta's, so clients that pattern-match or log them
 * (and humans reading test output) see what a real org would hand out.
 */
import { createHash, randomBytes } from 'node:crypto';

const BASE62 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const SECRET_ALPHABET = `${BASE62}-_`;

function randomString(length: number, alphabet: string): string {
  // Rejection sampling keeps the distribution uniform; a biased secret would be a bad habit to copy.
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

/** Okta's resource-type prefixes: every object id is 20 characters, the first three name its type. */
export const ID_PREFIX = {
  app: '0oa',
  group: '00g',
  authServer: 'aus',
  claim: 'ocl',
  policy: '00p',
  rule: '0pr',
  secret: 'ocs',
  schema: 'osc',
  signingKey: 'kid',
  appLink: 'aln',
} as const;

export function oktaId(prefix: string): string {
  return prefix + randomString(20 - prefix.length, BASE62);
}

/** Okta tags every error with an id like `oaeHfmOAx1iRLa0H10DeMz5fQ` for its support desk. */
export function errorId(): string {
  return `oae${randomString(22, BASE62)}`;
}

/** Okta generates 64-character client secrets from a URL-safe alphabet. */
export function clientSecret(): string {
  return randomString(64, SECRET_ALPHABET);
}

/** Okta lists a short hash next to each secret so admins can tell secrets apart without seeing them. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest().subarray(0, 16).toString('base64url');
}

export function now(): string {
  return new Date().toISOString();
}

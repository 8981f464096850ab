// Intent: a webhook delivery is authentic only when it carries the MAC of exactly the bytes that
// arrived, made with this webhook's secret, in the sender's format: Jira's `X-Hub-Signature:
// sha256=<hex>`, the JSM shared-secret header, ServiceNow's base64 MAC over `<timestamp>.<body>`
// within a few minutes of our clock. Everything else - missing, malformed, another algorithm,
// another secret, another body, a stale or future timestamp - is refused.
import { createHmac } from 'node:crypto';
import {
  serviceNowSignature,
  verifyHubSignature,
  verifyServiceNowSignature,
  verifySharedSecret,
} from '../../lambdas/core/webhook-signatures';

const SECRET = "It's a Secret to Everybody";
const BODY = Buffer.from('Hello World!');

describe('Jira X-Hub-Signature', () => {
  it("accepts Atlassian's published test vector", () => {
    // "Secure admin webhooks": secret "It's a Secret to Everybody", payload "Hello World!".
    const header = 'sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9';
    expect(verifyHubSignature(BODY, header, SECRET)).toEqual({ ok: true });
    // Hex case does not matter; surrounding whitespace from a proxy neither.
    expect(verifyHubSignature(BODY, ` ${header.toUpperCase().replace('SHA256', 'sha256')} `, SECRET)).toEqual(
      { ok: true },
    );
  });

  it.each([
    ['missing', undefined, 'missing'],
    ['empty', '', 'missing'],
    ['without a method', 'a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9', 'malformed'],
    ['not hex', 'sha256=zz771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9', 'malformed'],
    ['truncated', 'sha256=a4771c39fbe90f317c', 'malformed'],
    ['another algorithm', 'sha1=2ef7bde608ce5404e97d5f042f95f89f1c232871', 'unsupported-method'],
    ['by another secret', `sha256=${createHmac('sha256', 'other').update(BODY).digest('hex')}`, 'mismatch'],
  ])('refuses a signature %s', (_what, header, problem) => {
    expect(verifyHubSignature(BODY, header, SECRET)).toEqual({ ok: false, problem });
  });

  it('refuses a valid signature of another body (one byte changed)', () => {
    const header = `sha256=${createHmac('sha256', SECRET).update(BODY).digest('hex')}`;
    expect(verifyHubSignature(Buffer.from('Hello World?'), header, SECRET)).toEqual({
      ok: false,
      problem: 'mismatch',
    });
  });

  it('checks the raw bytes: the same JSON re-serialised is another body', () => {
    const raw = Buffer.from('{"webhookEvent": "jira:issue_created"}');
    const header = `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`;
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString())));
    expect(verifyHubSignature(raw, header, SECRET).ok).toBe(true);
    expect(verifyHubSignature(reserialised, header, SECRET).ok).toBe(false);
  });
});

describe('Jira Service Management shared-secret header', () => {
  it('accepts exactly the secret and nothing else', () => {
    expect(verifySharedSecret(SECRET, SECRET)).toEqual({ ok: true });
    expect(verifySharedSecret(undefined, SECRET)).toEqual({ ok: false, problem: 'missing' });
    expect(verifySharedSecret(`${SECRET} `, SECRET)).toEqual({ ok: false, problem: 'mismatch' });
    expect(verifySharedSecret(SECRET.slice(0, -1), SECRET)).toEqual({ ok: false, problem: 'mismatch' });
  });
});

describe('ServiceNow signature over <timestamp>.<body>', () => {
  const now = 1_800_000_000_000;
  const ts = String(now / 1000);

  it('is the base64 HMAC-SHA256 generateMac returns for the raw secret bytes', () => {
    // generateMac(base64Encode(key), 'HmacSHA256', data) MACs with the key's own bytes; on the
    // Atlassian vector (data without a timestamp) the base64 form is known.
    expect(createHmac('sha256', SECRET).update(BODY).digest('base64')).toBe(
      'pHccOfvpDzF8eCToPd7zyq6cs9l2whSs4fKTfhMyY8k=',
    );
    const signature = serviceNowSignature(SECRET, ts, BODY);
    expect(signature).toBe(createHmac('sha256', SECRET).update(`${ts}.Hello World!`).digest('base64'));
    expect(verifyServiceNowSignature(BODY, { signature, timestamp: ts }, SECRET, { nowMs: now })).toEqual({
      ok: true,
    });
  });

  it('refuses a stale or future timestamp, beyond the tolerance either way', () => {
    const at = (offsetSeconds: number) => {
      const t = String(now / 1000 + offsetSeconds);
      return verifyServiceNowSignature(
        BODY,
        { signature: serviceNowSignature(SECRET, t, BODY), timestamp: t },
        SECRET,
        {
          nowMs: now,
          toleranceSeconds: 300,
        },
      );
    };
    expect(at(-300)).toEqual({ ok: true });
    expect(at(300)).toEqual({ ok: true });
    expect(at(-301)).toEqual({ ok: false, problem: 'stale' });
    expect(at(301)).toEqual({ ok: false, problem: 'stale' });
  });

  it('refuses a signature whose timestamp was changed, or over another body, or with another secret', () => {
    const signature = serviceNowSignature(SECRET, ts, BODY);
    const later = String(now / 1000 + 1);
    expect(verifyServiceNowSignature(BODY, { signature, timestamp: later }, SECRET, { nowMs: now }).ok).toBe(
      false,
    );
    expect(
      verifyServiceNowSignature(Buffer.from('other'), { signature, timestamp: ts }, SECRET, { nowMs: now })
        .ok,
    ).toBe(false);
    const foreign = serviceNowSignature('another secret', ts, BODY);
    expect(
      verifyServiceNowSignature(BODY, { signature: foreign, timestamp: ts }, SECRET, { nowMs: now }),
    ).toEqual({
      ok: false,
      problem: 'mismatch',
    });
  });

  it.each([
    ['no signature', { timestamp: '1800000000' }, 'missing'],
    ['no timestamp', { signature: 'pHccOfvpDzF8eCToPd7zyq6cs9l2whSs4fKTfhMyY8k=' }, 'missing'],
    [
      'a hex signature',
      {
        signature: 'a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9',
        timestamp: '1800000000',
      },
      'malformed',
    ],
    [
      'a timestamp in ms',
      { signature: 'pHccOfvpDzF8eCToPd7zyq6cs9l2whSs4fKTfhMyY8k=', timestamp: '1800000000000' },
      'malformed',
    ],
    [
      'a date as timestamp',
      { signature: 'pHccOfvpDzF8eCToPd7zyq6cs9l2whSs4fKTfhMyY8k=', timestamp: '2027-01-15T08:00:00Z' },
      'malformed',
    ],
  ])('refuses %s', (_what, headers, problem) => {
    const h = { signature: undefined, timestamp: undefined, ...headers };
    expect(verifyServiceNowSignature(BODY, h, SECRET, { nowMs: now })).toEqual({ ok: false, problem });
  });

  it('checks the MAC before the clock: an unsigned probe learns nothing about the window', () => {
    const old = '1000000000';
    expect(
      verifyServiceNowSignature(BODY, { signature: 'A'.repeat(43) + '=', timestamp: old }, SECRET, {
        nowMs: now,
      }),
    ).toEqual({
      ok: false,
      problem: 'mismatch',
    });
  });
});

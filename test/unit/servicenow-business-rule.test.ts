// Intent: the business rule we ship (docs/servicenow-business-rule.js) is code a platform team pastes
// into ServiceNow; run it here, with the few Glide APIs it uses standing in, and check that what it
// sends is a delivery the webhook accepts - signed as the service verifies, and read as the request.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { serviceNowDecision, serviceNowMappingSchema } from '../../lambdas/core/servicenow-webhook';
import { verifyServiceNowSignature } from '../../lambdas/core/webhook-signatures';

const RULE = readFileSync(join(__dirname, '../../docs/servicenow-business-rule.js'), 'utf8');
const SECRET = 'sn-signing-secret';
const MAPPING = serviceNowMappingSchema.parse({
  catalogItems: ['Kong Dev Portal'],
  variables: { workspace: 'kong_workspace', environment: 'kong_environment', oktaGroups: 'okta_groups' },
});

interface Sent {
  endpoint?: string;
  headers: Record<string, string>;
  body?: string;
  sentAsync: boolean;
}

/** A GlideElement: a value that prints as text, with the reference helpers the rule calls. */
function element(value: string | null, fields: Record<string, unknown> = {}, display = value ?? '') {
  return Object.assign(Object.create({ toString: () => value ?? '' }), {
    ...fields,
    nil: () => value === null || value === '',
    getDisplayValue: () => display,
  });
}

function runRule(item: { name: string; userName: string; requestedForOnRequestOnly?: boolean }): Sent {
  const sent: Sent = { headers: {}, sentAsync: false };
  const person = element(
    '62826bf03710200044e0bfc8bcbe5df1',
    {
      sys_id: element('62826bf03710200044e0bfc8bcbe5df1'),
      user_name: element(item.userName),
    },
    item.name,
  );
  const fields: Record<string, string> = {
    number: 'RITM0010042',
    sys_mod_count: '4',
    state: '2',
    cat_item: '0d5e2b1f1b7a4c10a1e0c0ffee000001',
    requested_for: item.requestedForOnRequestOnly ? '' : '62826bf03710200044e0bfc8bcbe5df1',
  };
  const current = {
    getUniqueValue: () => '7f3a9c2e1b5d4a6f8e0c2b4d6f8a0c1e',
    getValue: (name: string) => fields[name] ?? null,
    cat_item: element(fields.cat_item ?? null, {}, 'Kong Dev Portal'),
    requested_for: item.requestedForOnRequestOnly ? element(null) : person,
    request: { requested_for: person },
    variables: { kong_workspace: 'Team-Ä', okta_groups: 'Everyone', kong_environment: 'dev' },
  };
  const previous = { getValue: (name: string) => (name === 'state' ? '1' : null) };
  runInNewContext(RULE, {
    current,
    previous,
    gs: {
      getProperty: (name: string) =>
        ({
          'x_kpp.webhook_url': 'https://api.example/v1/webhooks/servicenow',
          'x_kpp.webhook_secret': SECRET,
        })[name],
      generateGUID: () => '6c1f0e7a9b2d4e0f8a3b5c7d9e1f2a3b',
      error: (message: string) => {
        throw new Error(message);
      },
    },
    GlideDateTime: class {
      getNumericValue = () => Date.now();
    },
    // ServiceNow's MAC takes the key base64-encoded and signs the text as UTF-8.
    GlideCertificateEncryption: class {
      generateMac = (key: string, algorithm: string, data: string) => {
        expect(algorithm).toBe('HmacSHA256');
        return createHmac('sha256', Buffer.from(key, 'base64')).update(data, 'utf8').digest('base64');
      };
    },
    GlideStringUtil: { base64Encode: (text: string) => Buffer.from(text, 'utf8').toString('base64') },
    sn_ws: {
      RESTMessageV2: class {
        setEndpoint = (url: string) => (sent.endpoint = url);
        setHttpMethod = () => undefined;
        setRequestHeader = (name: string, value: string) => (sent.headers[name] = value);
        setRequestBody = (body: string) => (sent.body = body);
        setHttpTimeout = () => undefined;
        execute = () => {
          throw new Error('execute() makes the user wait for the call; the rule must use executeAsync()');
        };
        executeAsync = () => (sent.sentAsync = true);
      },
    },
  });
  return sent;
}

describe('the ServiceNow business rule we ship', () => {
  it('sends, without making the save wait, a delivery the webhook verifies and reads as the request', () => {
    const sent = runRule({ name: 'Mia Krystof', userName: 'mia.krystof' });
    expect(sent.sentAsync).toBe(true);
    expect(sent.endpoint).toBe('https://api.example/v1/webhooks/servicenow');
    const raw = Buffer.from(sent.body ?? '', 'utf8');
    expect(
      verifyServiceNowSignature(
        raw,
        { signature: sent.headers['X-SN-Signature'], timestamp: sent.headers['X-SN-Timestamp'] },
        SECRET,
        { nowMs: Date.now() },
      ),
    ).toEqual({ ok: true });
    const decision = serviceNowDecision(JSON.parse(raw.toString('utf8')), MAPPING);
    expect(decision).toMatchObject({
      action: 'provision',
      request: {
        ticket: { channel: 'servicenow', key: 'RITM0010042' },
        requestedBy: 'Mia Krystof (servicenow:mia.krystof)',
      },
    });
  });

  it('sends only ASCII, so the bytes it signs are the bytes that arrive whatever the charset', () => {
    const sent = runRule({ name: 'Zoë Ångström', userName: 'zoe' });
    expect(sent.body).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(sent.body ?? '')).toMatchObject({
      requested_for: { name: 'Zoë Ångström' },
      variables: { kong_workspace: 'Team-Ä' },
    });
  });

  it("names the request's requester when the item has none of its own", () => {
    const sent = runRule({ name: 'Mia Krystof', userName: 'mia.krystof', requestedForOnRequestOnly: true });
    expect(JSON.parse(sent.body ?? '')).toMatchObject({
      requested_for: { sys_id: '62826bf03710200044e0bfc8bcbe5df1', user_name: 'mia.krystof' },
    });
  });

  it('tells the service the state the item left, so a later update in the same state asks nothing', () => {
    const body = JSON.parse(runRule({ name: 'Mia Krystof', userName: 'mia.krystof' }).body ?? '');
    expect(body.previous_state).toBe('1');
    expect(serviceNowDecision({ ...body, previous_state: '2' }, MAPPING)).toMatchObject({ action: 'ignore' });
  });
});

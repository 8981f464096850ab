// Intent: the client secret exists only in Secrets Manager and on its way to Kong. It appears in
// no state input or output of the execution's event log, no log line, no error and not in the
// final output - on success, and on a failure where Kong echoes the secret back in its error.
import { SecretStore } from '../../lambdas/clients/secrets';
import { capturing } from '../support/capture-output';
import { provisioningInput, useHarness, type Harness } from './harness';

const harness = useHarness();
let h: Harness;
beforeEach(() => {
  h = harness();
});
beforeEach(() => h.reset());
afterEach(() => jest.restoreAllMocks());

/** Records every value handed to the secret store (the one place a secret may go). */
function recordStoredSecrets(onClientSecret?: (value: string) => void): string[] {
  const values: string[] = [];
  const put = SecretStore.prototype.put;
  jest.spyOn(h.ctx.secrets, 'put').mockImplementation(async function (this: SecretStore, name, value, meta) {
    values.push(value);
    if (name.endsWith('/client-secret')) onClientSecret?.(value);
    return put.call(h.ctx.secrets, name, value, meta);
  });
  return values;
}

it('a successful run never exposes the client secret', async () => {
  const stored = recordStoredSecrets();
  const { result: execution, text: logs } = await capturing(() => h.run(provisioningInput()));
  expect(execution.status).toBe('SUCCEEDED');
  const clientSecret = stored.find((v) => v.length >= 40 && !v.startsWith('{'));
  expect(clientSecret).toBeDefined();
  expect(logs).toContain('provisioning succeeded'); // logs were captured...
  for (const text of [JSON.stringify(execution.events), JSON.stringify(execution.output), logs]) {
    expect(text).not.toContain(clientSecret); // ...and none of them holds the secret
  }
});

it('a failed run never exposes it either, even when Kong echoes it in an error', async () => {
  let clientSecret = '';
  recordStoredSecrets((value) => {
    clientSecret = value;
    h.kong.control.inject({
      route: '/workspaces/{workspace_id_or_name}',
      method: 'PATCH',
      status: 400,
      body: {
        code: 2,
        name: 'schema violation',
        message: `schema violation (config.portal_auth_conf: unexpected value '${value}')`,
        fields: { config: { portal_auth_conf: `unexpected value '${value}'` } },
      },
    });
  });
  const { result: execution, text: logs } = await capturing(() => h.run(provisioningInput()));
  expect(execution.status).toBe('FAILED');
  expect(clientSecret.length).toBeGreaterThan(20);
  expect(execution.cause).toContain("unexpected value '***'");
  for (const text of [JSON.stringify(execution.events), execution.cause ?? '', logs]) {
    expect(text).not.toContain(clientSecret);
  }
  expect(h.okta.state.apps()).toEqual([]);
});

it('the previous client secret in the Kong snapshot stays hidden, even when Kong echoes it during the rollback', async () => {
  const oldSecret = 'previous-portal-client-secret-0123456789';
  await h.reset({
    portal: true,
    portal_auth: 'openid-connect',
    portal_auth_conf: JSON.stringify({
      issuer: 'https://old.example.com/.well-known/openid-configuration',
      client_id: ['old-client'],
      client_secret: [oldSecret],
      redirect_uri: ['http://localhost:8004/team-a/auth'],
    }),
  });
  const echo = {
    code: 2,
    name: 'schema violation',
    message: `schema violation (config.portal_auth_conf: unexpected value '${oldSecret}')`,
  };
  // The forward PATCH fails (the rollback starts); the restore PATCH, which sends the old settings
  // back, is answered twice with an error echoing them, then goes through.
  h.kong.control.inject({ route: '/workspaces/{workspace_id_or_name}', method: 'PATCH', status: 400 });
  h.kong.control.inject({
    route: '/workspaces/{workspace_id_or_name}',
    method: 'PATCH',
    status: 503,
    body: echo,
    times: 2,
  });
  const { result: execution, text: logs } = await capturing(() => h.run(provisioningInput()));
  expect(execution.status).toBe('FAILED');
  expect(JSON.parse(String(h.kong.state.workspace('team-a')!.config.portal_auth_conf)).client_secret).toEqual(
    [oldSecret],
  );
  for (const text of [JSON.stringify(execution.events), execution.cause ?? '', logs]) {
    expect(text).not.toContain(oldSecret);
  }
});

/** A portal_auth_conf someone configured by hand: secrets the provisioner never made. */
const SESSION_SECRET = 'hand-set-session-secret-7f3a9c1e5b';
const JWK_PRIVATE = 'jwk-private-exponent-d-9e8d7c6b5a4f3e2d1c';
const REDIS_PASSWORD = 'redis-password-4c5d6e7f8a9b';
const HEADER_TOKEN = 'Bearer header-api-key-1a2b3c4d5e6f';
const handMadeConf = {
  issuer: 'https://old.example.com/.well-known/openid-configuration',
  client_id: ['old-client'],
  client_secret: ['old-client-secret-abcdef0123456789'],
  session_secret: SESSION_SECRET,
  client_jwk: [{ kty: 'RSA', kid: 'k1', n: 'public-modulus', e: 'AQAB', d: JWK_PRIVATE }],
  session_redis_password: REDIS_PASSWORD,
  discovery_headers_values: [HEADER_TOKEN],
  redirect_uri: ['http://localhost:8004/team-a/auth'],
};
const HIDDEN = [
  SESSION_SECRET,
  JWK_PRIVATE,
  REDIS_PASSWORD,
  HEADER_TOKEN,
  'old-client-secret-abcdef0123456789',
];

it('secrets Kong already held (session_secret, client_jwk keys, ...) never appear in a plan, a run or a rollback', async () => {
  const prior = {
    portal: true,
    portal_auth: 'openid-connect',
    portal_auth_conf: JSON.stringify(handMadeConf),
  };
  const outputs: string[] = [];
  for (const failing of [false, true]) {
    await h.reset(prior);
    if (failing)
      h.kong.control.inject({ route: '/workspaces/{workspace_id_or_name}', method: 'PATCH', status: 400 });
    const { result: plan, text: planLogs } = await capturing(() =>
      h.run(provisioningInput({ dryRun: true })),
    );
    const { result: run, text: runLogs } = await capturing(() => h.run(provisioningInput()));
    expect([plan.status, run.status]).toEqual(['SUCCEEDED', failing ? 'FAILED' : 'SUCCEEDED']);
    outputs.push(
      ...[plan, run].flatMap((e) => [JSON.stringify(e.events), JSON.stringify(e.output ?? e.cause)]),
      planLogs,
      runLogs,
    );
  }
  // The plan still shows what is safe to show: the non-secret fields of the conf as found.
  expect(outputs.join('\n')).toContain('old-client');
  for (const text of outputs) for (const secret of HIDDEN) expect(text).not.toContain(secret);
});

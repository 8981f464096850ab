// Intent (property): whatever a workspace's existing portal_auth_conf holds - known secret fields,
// fields Kong may add later, nested private keys - none of its secret values ever appears in a
// plan, the CLI's view of it, the execution's state, its output or a log line. Masking is by
// allow-list, so a secret under a name nobody thought of is hidden too.
import fc from 'fast-check';
import { formatPlan, type PlanView } from '../../bin/cli/format';
import { SAFE_AUTH_CONF_FIELDS, maskedSettings } from '../../lambdas/core/settings-mask';
import { capturing } from '../support/capture-output';
import { provisioningInput, useHarness, type Harness } from './harness';

const SEED = Number(process.env.FC_SEED ?? 20_261_201);
const harness = useHarness();
let h: Harness;
beforeEach(() => {
  h = harness();
});

/** A value no output would contain by chance. */
const secretValue = fc.stringMatching(/^[A-Za-z0-9+/_-]{16,40}$/).map((s) => `s3cr3t-${s}`);
const secretFieldName = fc.oneof(
  fc.constantFrom(
    'client_secret',
    'session_secret',
    'session_redis_password',
    'session_redis_username',
    'http_proxy_authorization',
    'https_proxy',
    'cache_tokens_salt',
    'introspection_headers_values',
    'token_post_args_values',
  ),
  fc.stringMatching(/^[a-z][a-z_]{2,24}$/).filter((k) => !SAFE_AUTH_CONF_FIELDS.has(k)),
);
const secretBearing = fc.oneof(
  secretValue,
  fc.array(secretValue, { minLength: 1, maxLength: 3 }),
  fc
    .record({ kty: fc.constant('RSA'), kid: fc.constant('k1'), d: secretValue, p: secretValue })
    .map((jwk) => [jwk]),
);

/** A conf: some safe, ordinary fields and 1-4 secret-bearing ones; returns the secret values. */
const conf = fc
  .tuple(fc.dictionary(secretFieldName, secretBearing, { minKeys: 1, maxKeys: 4 }), fc.boolean())
  .map(([secrets, withIssuer]) => {
    const values = JSON.stringify(secrets).match(/s3cr3t-[A-Za-z0-9+/_-]+/g) ?? [];
    const body: Record<string, unknown> = {
      ...(withIssuer ? { issuer: 'https://old.example.com/.well-known/openid-configuration' } : {}),
      client_id: ['old-client'],
      ...secrets,
    };
    return { conf: body, values };
  });

const leaks = (texts: string[], values: string[]) => values.filter((v) => texts.some((t) => t.includes(v)));

it('masks every secret value of 500 generated confs, in the settings and in the CLI plan view', () => {
  fc.assert(
    fc.property(conf, ({ conf: c, values }) => {
      const masked = maskedSettings({
        portal: true,
        portal_auth: 'openid-connect',
        portal_auth_conf: JSON.stringify(c),
      });
      const plan: PlanView = { portal: { action: 'change', portal: 'w', before: masked, after: {} } };
      expect(leaks([JSON.stringify(masked), formatPlan(plan).join('\n')], values)).toEqual([]);
      // ...while a safe field stays readable.
      expect(JSON.stringify(masked)).toContain('old-client');
    }),
    { numRuns: 500, seed: SEED },
  );
});

it('never lets one reach a plan, a provisioning, its rollback, or a log line (25 confs through the workflow)', async () => {
  await fc.assert(
    fc.asyncProperty(conf, fc.boolean(), async ({ conf: c, values }, failing) => {
      await h.reset({ portal: true, portal_auth: 'openid-connect', portal_auth_conf: JSON.stringify(c) });
      if (failing)
        h.kong.control.inject({ route: '/workspaces/{workspace_id_or_name}', method: 'PATCH', status: 400 });
      const plan = await capturing(() => h.run(provisioningInput({ dryRun: true })));
      const run = await capturing(() => h.run(provisioningInput()));
      expect(run.result.status).toBe(failing ? 'FAILED' : 'SUCCEEDED');
      const texts = [plan, run].flatMap(({ result, text }) => [
        JSON.stringify(result.events),
        JSON.stringify(result.output ?? null),
        result.cause ?? '',
        text,
      ]);
      const output = plan.result.output;
      const planned =
        typeof output === 'object' && output !== null && !Array.isArray(output) ? output.plan : undefined;
      texts.push(formatPlan(planned as PlanView).join('\n'));
      expect(leaks(texts, values)).toEqual([]);
    }),
    { numRuns: 25, seed: SEED },
  );
});

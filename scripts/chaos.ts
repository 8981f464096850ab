/**
 * `npm run chaos`: a seeded, bounded fault storm against the real workflow (the synthesized ASL
 * through aws-local-stepfunctions, the real handlers, the Okta and Kong sandboxes, the Secrets
 * Manager emulator; retry waits shortened). Each run is a provisioning or a teardown with 1-3
 * random faults - 503, 429, a write whose response is lost, a permanent 400 - on any Okta or Kong
 * call the flow makes, forward or undo. Every run must end:
 *   - SUCCEEDED with exactly one of each resource (a teardown: nothing of ours, Kong as originally), or
 *   - FAILED with nothing left and Kong byte-identical to before (a teardown: and running it again
 *     finishes the job), or
 *   - CLEANUP_INCOMPLETE only when a call was made to fail permanently, its leftovers naming
 *     exactly what is left.
 * Transient faults alone must never fail a run. CHAOS_SEED and CHAOS_RUNS override the defaults;
 * CHAOS_TARGET=konnect runs the same storm against the Konnect Dev Portal target (faults on Okta
 * and Konnect calls) instead of the Kong workspace.
 */
import { logger } from '../lambdas/clients/logger';
import { teardownAsl } from '../local/workflow/asl';
import { runLocally, type JsonValue, type LocalExecution } from '../local/workflow/runner';
import type { Fault } from '../local/sandboxes/http-sandbox';
import { provisioningInput, startHarness, type Harness } from '../test/workflow/harness';

// The runs' own logs would drown the report (tests check what they say; here only outcomes count).
logger.setLogLevel('SILENT');
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const SEED = Number(process.env.CHAOS_SEED ?? 20_261_201);
const RUNS = Number(process.env.CHAOS_RUNS ?? 200);
const KONNECT = process.env.CHAOS_TARGET === 'konnect';
/** The request's key: a Kong workspace, or the Konnect portal the sandbox starts with. */
const KEY = KONNECT ? 'konnect.developer-portal' : 'team-a';
const NAME = `kong-portal-dev.${KEY}`;
const PRIOR = { portal: true, portal_auth: 'basic-auth', portal_auto_approve: false };
const PORTAL_VENDOR: Vendor = KONNECT ? 'konnect' : 'kong';
const SETTINGS_ID = KONNECT
  ? 'konnect-portal:developer-portal:sign-in-settings'
  : 'kong-workspace:team-a:portal-settings';

/** A provisioning request for the target under test. */
function input(requestId: string): JsonValue {
  if (!KONNECT) return provisioningInput({}, requestId);
  const base = provisioningInput({ target: 'konnect', portal: 'developer-portal' }, requestId) as {
    request: Record<string, JsonValue>;
  };
  delete base.request.workspace;
  return base as unknown as JsonValue;
}

/** mulberry32: small, seedable, good enough to pick faults. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

type Vendor = 'okta' | 'kong' | 'konnect';
interface Target {
  vendor: Vendor;
  method: string;
  template: string;
}
type FaultKind = '503' | '429' | 'lost' | 'permanent 400';
const FAULT_KINDS: readonly FaultKind[] = ['503', '429', 'lost', 'permanent 400'];
const FAULT: Record<FaultKind, Omit<Fault, 'route' | 'method'>> = {
  '503': { status: 503 },
  '429': { rateLimitResetInSeconds: 1 },
  lost: { loseResponse: true },
  'permanent 400': { status: 400, times: 1_000 },
};

const sandboxOf = (h: Harness, vendor: Vendor) =>
  vendor === 'okta' ? h.okta : vendor === 'kong' ? h.kong : h.konnect;
const secretNames = (h: Harness) =>
  h.secrets.state
    .secrets()
    .filter((s) => !s.deletedDate)
    .map((s) => s.name)
    .sort();
/** The portal's sign-in settings as the sandbox holds them (Konnect: flags and providers, secrets included). */
function kongConfig(h: Harness): string {
  if (!KONNECT) return JSON.stringify(h.kong.state.workspace('team-a')?.config);
  const portal = h.konnect.state.portals()[0]!;
  return JSON.stringify({
    authentication_enabled: portal.authentication_enabled,
    auto_approve_developers: portal.auto_approve_developers,
    providers: h.konnect.state
      .identityProviders(portal.id)
      .map(({ id, type, enabled, config }) => ({ id, type, enabled, config })),
  });
}

function signsInThroughOkta(h: Harness): boolean {
  if (!KONNECT) return JSON.parse(kongConfig(h)).portal_auth === 'openid-connect';
  const portal = h.konnect.state.portals()[0]!;
  return h.konnect.state.identityProviders(portal.id).some((p) => p.type === 'oidc' && p.enabled);
}

function snapshot(h: Harness) {
  const servers = h.okta.state.authServers();
  return {
    apps: h.okta.state
      .apps()
      .map((a) => ({ id: a.id, label: a.label, groups: h.okta.state.appGroupAssignments(a.id).length })),
    servers: servers.map((s) => ({
      id: s.id,
      name: s.name,
      claims: h.okta.state.claims(s.id).length,
      policies: h.okta.state
        .policies(s.id)
        .map((p) => ({ id: p.id, rules: h.okta.state.rules(s.id, p.id).length })),
    })),
    secrets: secretNames(h),
    kong: kongConfig(h),
  };
}

const teardown = (h: Harness, n: number) =>
  runLocally(
    {
      requestId: `chaos-td-${n}`,
      request: { workspace: KEY, environment: 'dev', requestedBy: 'chaos' },
    } as JsonValue,
    h.ctx,
    { definition: teardownAsl(), retryDelayMs: 0 },
  );

/** Every (vendor, method, route) the flow calls: provisioning, a rollback, a teardown. */
async function targetsInUse(h: Harness): Promise<Target[]> {
  await h.reset(PRIOR);
  await h.run(input('chaos-warm-1'));
  await teardown(h, 0);
  if (KONNECT)
    h.konnect.control.inject({
      route: '/v3/portals/{portalId}/identity-providers/{id}',
      method: 'PATCH',
      status: 400,
    });
  else h.kong.control.inject({ route: '/workspaces/{workspace_id_or_name}', method: 'PATCH', status: 400 });
  await h.run(input('chaos-warm-2'));
  const targets: Target[] = [];
  for (const vendor of ['okta', PORTAL_VENDOR] as const) {
    const sandbox = sandboxOf(h, vendor);
    for (const route of sandbox.control.routes())
      if (sandbox.control.callsTo(route.method, route.template).length) targets.push({ vendor, ...route });
  }
  return targets;
}

interface Outcome {
  kind: 'provision' | 'teardown';
  status: string;
  faults: string[];
  violation?: string;
}

function checkLeftovers(
  h: Harness,
  before: ReturnType<typeof snapshot>,
  execution: LocalExecution,
): string | undefined {
  const leftovers = (JSON.parse(execution.cause ?? '{}') as { leftovers?: string[] }).leftovers ?? [];
  const after = snapshot(h);
  const left: string[] = [
    ...after.apps.filter((a) => !before.apps.some((b) => b.id === a.id)).map((a) => `okta-app:${a.id}`),
    ...after.servers
      .filter((s) => !before.servers.some((b) => b.id === s.id))
      .map((s) => `okta-authorization-server:${s.id}`),
    ...after.secrets.filter((s) => !before.secrets.includes(s)).map((s) => `secret:${s}`),
    ...(after.kong !== before.kong ? [SETTINGS_ID] : []),
  ];
  const mentioned = (item: string) => {
    const [kind, id] = [item.slice(0, item.indexOf(':')), item.slice(item.indexOf(':') + 1)];
    return leftovers.some(
      (l) =>
        l.startsWith(`${kind}:`) &&
        (l.includes(id) || (kind === 'secret' && id.split('/').every((p) => l.includes(p)))),
    );
  };
  const unlisted = left.filter((item) => !mentioned(item));
  const listedButGone = leftovers.filter(
    (l) =>
      !left.some(
        (item) =>
          l.startsWith(item.slice(0, item.indexOf(':') + 1)) &&
          (l.includes(item.slice(item.indexOf(':') + 1)) || item.startsWith('secret:')),
      ),
  );
  if (unlisted.length || listedButGone.length)
    return `leftovers ${JSON.stringify(leftovers)} but left ${JSON.stringify(left)}`;
  return undefined;
}

async function oneRun(h: Harness, targets: Target[], n: number): Promise<Outcome> {
  await h.reset(PRIOR);
  const original = kongConfig(h);
  if (random() < 0.5) {
    const earlier = await h.run(input(`chaos-pre-${n}`));
    if (earlier.status !== 'SUCCEEDED')
      return {
        kind: 'provision',
        status: earlier.status,
        faults: [],
        violation: 'clean provisioning failed',
      };
  }
  const kind = random() < 0.6 ? 'provision' : 'teardown';
  const before = snapshot(h);
  const faults = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
    target: pick(targets),
    kind: pick(FAULT_KINDS),
  }));
  for (const { target, kind: fault } of faults)
    sandboxOf(h, target.vendor).control.inject({
      route: target.template,
      method: target.method,
      ...FAULT[fault],
    });
  const labels = faults.map((f) => `${f.kind} on ${f.target.vendor} ${f.target.method} ${f.target.template}`);
  const permanent = faults.some((f) => f.kind === 'permanent 400');
  const execution = kind === 'provision' ? await h.run(input(`chaos-${n}`)) : await teardown(h, n);
  for (const vendor of ['okta', PORTAL_VENDOR] as const) sandboxOf(h, vendor).control.clearFaults();
  const status = execution.status === 'SUCCEEDED' ? 'SUCCEEDED' : (execution.error ?? 'FAILED');
  const outcome = (violation?: string): Outcome => ({
    kind,
    status,
    faults: labels,
    ...(violation ? { violation } : {}),
  });

  if (!permanent && execution.status !== 'SUCCEEDED') return outcome('transient faults alone failed the run');
  if (kind === 'provision') {
    if (execution.status === 'SUCCEEDED') {
      const s = snapshot(h);
      const apps = s.apps.filter((a) => a.label === NAME);
      const servers = s.servers.filter((x) => x.name === NAME);
      const one =
        apps.length === 1 &&
        apps[0]?.groups === 1 &&
        servers.length === 1 &&
        servers[0]?.claims === 1 &&
        servers[0]?.policies.length === 1 &&
        servers[0]?.policies[0]?.rules === 1 &&
        JSON.stringify(s.secrets) ===
          JSON.stringify([
            `kong-portal-provisioner/dev/${KEY}/client-secret`,
            `kong-portal-provisioner/dev/${KEY}/kong-baseline`,
          ]) &&
        signsInThroughOkta(h);
      return outcome(one ? undefined : `succeeded without exactly one of each: ${JSON.stringify(s)}`);
    }
    if (execution.error === 'ProvisioningFailed') {
      const after = snapshot(h);
      return outcome(
        JSON.stringify(after) === JSON.stringify(before)
          ? undefined
          : `failed but left a change: ${JSON.stringify({ before, after })}`,
      );
    }
    if (execution.error === 'CleanupIncomplete') return outcome(checkLeftovers(h, before, execution));
    return outcome(`ended ${execution.error ?? execution.status}`);
  }
  // Teardown: done means nothing of ours and Kong as it was before the first provisioning.
  const clean = () => {
    const s = snapshot(h);
    return (
      !s.apps.some((a) => a.label === NAME) &&
      !s.servers.some((x) => x.name === NAME) &&
      s.secrets.length === 0 &&
      s.kong === original
    );
  };
  if (execution.status === 'SUCCEEDED')
    return outcome(clean() ? undefined : `teardown succeeded but left ${JSON.stringify(snapshot(h))}`);
  const again = await teardown(h, n + 100_000);
  return outcome(
    again.status === 'SUCCEEDED' && clean()
      ? undefined
      : `teardown run again did not finish: ${again.status}`,
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const h = await startHarness();
  try {
    const targets = await targetsInUse(h);
    const outcomes: Outcome[] = [];
    for (let n = 1; n <= RUNS; n++) outcomes.push(await oneRun(h, targets, n));
    const tally = new Map<string, number>();
    for (const o of outcomes)
      tally.set(`${o.kind} ${o.status}`, (tally.get(`${o.kind} ${o.status}`) ?? 0) + 1);
    const violations = outcomes.filter((o) => o.violation);
    console.log(
      `chaos: ${RUNS} runs, seed ${SEED}, target ${KONNECT ? 'konnect' : 'kong-ee-workspace'}, ${targets.length} fault targets, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    for (const [key, count] of [...tally].sort()) console.log(`  ${key.padEnd(36)} ${count}`);
    console.log(`  faults injected: ${outcomes.reduce((sum, o) => sum + o.faults.length, 0)}`);
    for (const v of violations)
      console.log(`VIOLATION (${v.kind}, ${v.status}): ${v.violation}\n    faults: ${v.faults.join('; ')}`);
    console.log(violations.length ? `${violations.length} violations` : 'every run ended as it must');
    process.exitCode = violations.length ? 1 : 0;
  } finally {
    await h.close();
  }
}

void main();

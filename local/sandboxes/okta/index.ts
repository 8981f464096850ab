/**
 * A loopback Okta Management API that behaves like a fresh Okta org for the calls the provisioner makes.
 * Test equipment and the zero-setup demo: every request and response is checked against Okta's own
 * OpenAPI document, and faults (5xx, 429, lost responses) can be injected per route.
 */
import { ReadLag } from './read-lag';
import { oktaContract } from '../../contracts/validator';
import { startHttpSandbox, type SandboxControl } from '../http-sandbox';
import { Apps, type OktaApp, type OktaAppGroupAssignment } from './apps';
import {
  AuthServers,
  type OktaAuthServer,
  type OktaClaim,
  type OktaPolicy,
  type OktaRule,
} from './auth-servers';
import { oktaFlavour, type Org } from './errors';
import { Directory, type OktaGroup } from './groups';
import {
  OktaRateLimits,
  type OktaRateLimitOptions,
  type OktaRateLimitPlan,
  type OktaRateLimitUsage,
} from './rate-limits';

export type { OktaApp, OktaAppGroupAssignment, OktaAuthServer, OktaClaim, OktaGroup, OktaPolicy, OktaRule };
export type { OktaBucket, OktaRateLimitOptions, OktaRateLimitPlan, OktaRateLimitUsage } from './rate-limits';
export { ONE_APP_CONCURRENCY, ONE_APP_LIMITS, oktaBucketOf } from './rate-limits';

export interface OktaSandboxControl {
  /** Adds an OKTA_GROUP (as an admin would in the console) and returns it as the API shows it. */
  addGroup(name: string, description?: string): OktaGroup;
  /** Adds a custom string attribute to the default user schema. */
  addUserAttribute(name: string): void;
  /** From now on this call answers 403 E0000006, like a token whose admin role lacks the permission. */
  denyPermission(method: string, template: string): void;
  /** An admin generates a second client secret for the app (a rotation in progress); returns its value. */
  rotateClientSecret(appId: string): string;
  /** Eventual consistency: every app or server created from now on answers 404 to its next `times` reads by id. */
  lagReadsAfterCreate(times: number): void;
  /**
   * From now on the org enforces Okta's per-minute bucket limits and its concurrent-request limit
   * (One App defaults; see rate-limits.ts for the sources and choices), with fresh windows; a
   * `minuteMs` under 60_000 runs the windows faster. Returns the limits in force.
   */
  enforceRateLimits(options?: OktaRateLimitOptions): OktaRateLimitPlan;
  /** Back to the default: nothing refused, answers keep announcing plenty of quota. */
  stopEnforcingRateLimits(): void;
  /** Calls in flight, the peak, and each bucket's open window. */
  rateLimitUsage(): OktaRateLimitUsage;
  /**
   * Back to a fresh org: state, denied permissions, pending faults, latency, rate limits (off) and
   * recorded calls. Contract violations are kept.
   */
  reset(): void;
}

/** Snapshots of stored resources exactly as the API would return them (no client secrets). */
export interface OktaSandboxState {
  apps(): OktaApp[];
  groups(): OktaGroup[];
  appGroupAssignments(appId: string): OktaAppGroupAssignment[];
  authServers(): OktaAuthServer[];
  claims(authServerId: string): OktaClaim[];
  policies(authServerId: string): OktaPolicy[];
  rules(authServerId: string, policyId: string): OktaRule[];
}

export interface OktaSandbox {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  /** Accepted as `Authorization: SSWS <token>`. */
  token: string;
  control: SandboxControl & OktaSandboxControl;
  state: OktaSandboxState;
  close(): Promise<void>;
}

/** Fixed so the local demo can print one value; it only ever unlocks this loopback server. */
export const DEFAULT_OKTA_SANDBOX_TOKEN = '00okta-sandbox-api-token';

export async function startOktaSandbox(
  options: { port?: number; host?: string; token?: string } = {},
): Promise<OktaSandbox> {
  const org: Org = { url: '' };
  const directory = new Directory(org);
  const lag = new ReadLag();
  const apps = new Apps(org, directory, lag);
  const authServers = new AuthServers(org, directory, apps, lag);
  const denied = new Set<string>();
  const token = options.token ?? DEFAULT_OKTA_SANDBOX_TOKEN;
  const routes = [...directory.routes(), ...apps.routes(), ...authServers.routes()];

  const limits = new OktaRateLimits();
  const flavour = oktaFlavour({
    token,
    denied,
    contract: oktaContract(),
    admit: ({ path }) => limits.admit(path),
  });
  const running = await startHttpSandbox(routes, flavour, { port: options.port, host: options.host });
  org.url = running.url;

  const extra: OktaSandboxControl = {
    addGroup: (name, description) => directory.addGroup(name, description),
    addUserAttribute: (name) => directory.addUserAttribute(name),
    denyPermission(method, template) {
      const m = method.toUpperCase();
      if (!routes.some((r) => r.method === m && r.template === template)) {
        throw new Error(`the Okta sandbox has no route ${m} ${template}`);
      }
      denied.add(`${m} ${template}`);
    },
    rotateClientSecret: (appId) => apps.rotateSecret(appId),
    lagReadsAfterCreate: (times) => lag.arm(times),
    enforceRateLimits: (limitOptions) => limits.enforce(limitOptions),
    stopEnforcingRateLimits: () => limits.relax(),
    rateLimitUsage: () => limits.usage(),
    reset() {
      directory.reset();
      apps.reset();
      authServers.reset();
      denied.clear();
      limits.relax();
      running.control.resetTraffic();
    },
  };

  return {
    url: running.url,
    token,
    control: Object.assign(running.control, extra),
    state: {
      apps: () => apps.appsView(),
      groups: () => directory.groupsView(),
      appGroupAssignments: (appId) => apps.assignmentsView(appId),
      authServers: () => authServers.serversView(),
      claims: (id) => authServers.claimsView(id),
      policies: (id) => authServers.policiesView(id),
      rules: (id, policyId) => authServers.rulesView(id, policyId),
    },
    close: () => running.close(),
  };
}

/**
 * A stateful loopback stand-in for the Kong Gateway Enterprise 3.4 Admin API, limited to what the
 * provisioner needs for the workspace Dev Portal. Test equipment and the zero-setup demo only.
 */
import { kongContract } from '../../contracts/validator';
import { startHttpSandbox, type SandboxControl, type SandboxFlavour } from '../http-sandbox';
import { contractViolation, plainError, rateLimited } from './errors';
import { buildConfiguration, newNodeId, type NodeConfiguration } from './node-info';
import { signInProblems } from './portal-sign-in';
import { RbacTokens, type RbacGrant } from './rbac';
import { authenticate, kongRoutes, type KongContext } from './routes';
import { newWorkspace, WorkspaceStore, type Workspace, type WorkspaceConfig } from './workspaces';

export type { Listener, NodeConfiguration } from './node-info';
export type { RbacGrant } from './rbac';
export type { Workspace, WorkspaceConfig } from './workspaces';

export interface KongSandboxControl {
  /** Changes kong.conf values as `/kong` shows them (e.g. `{ portal: false }`), on top of the current ones. */
  setNodeConfiguration(partial: Partial<NodeConfiguration>): void;
  /** Adds a workspace as-is (no schema checks), e.g. one whose portal is already configured. */
  addWorkspace(name: string, config?: Partial<WorkspaceConfig>): Workspace;
  /** Another accepted token, optionally limited to some workspaces or to reading. */
  addRbacToken(token: string, grant?: RbacGrant): void;
  /**
   * Back to a fresh node: only `default`, the start-up configuration, only the main token, no faults,
   * no latency, no recorded calls. Contract violations are kept: they are sandbox bugs a test must still see.
   */
  reset(): void;
}

export interface KongSandbox {
  url: string;
  /** RBAC token accepted in the `Kong-Admin-Token` header (a super-admin: every workspace, every action). */
  token: string;
  control: SandboxControl & KongSandboxControl;
  state: {
    workspace(name: string): Workspace | undefined;
    workspaces(): Workspace[];
    nodeConfiguration(): Record<string, unknown>;
    /** Why a developer could not sign in to this workspace's portal as configured now (none: it works). */
    signInProblems(workspace: string): string[];
  };
  close(): Promise<void>;
}

export interface KongSandboxOptions {
  port?: number;
  host?: string;
  token?: string;
  configuration?: Partial<NodeConfiguration>;
}

export async function startKongSandbox(options: KongSandboxOptions = {}): Promise<KongSandbox> {
  const token = options.token ?? 'kong-sandbox-admin-token';
  const store = new WorkspaceStore();
  let configuration = buildConfiguration(options.configuration);
  const rbac = new RbacTokens(() => String(configuration.rbac_auth_header ?? 'Kong-Admin-Token'));

  const ctx: KongContext = { store, rbac, node: () => configuration, nodeId: newNodeId() };
  const initialise = () => {
    store.clear();
    store.save(newWorkspace('default'));
    rbac.clear();
    rbac.add(token, { user: 'kong_admin' });
    configuration = buildConfiguration(options.configuration);
  };
  initialise();

  const flavour: SandboxFlavour = {
    authenticate: (req) => authenticate(ctx, req),
    error: plainError,
    invalidRequest: contractViolation,
    rateLimited,
    commonHeaders: () => ({ Server: 'kong/3.4.3.5-enterprise-edition', 'Access-Control-Allow-Origin': '*' }),
    contract: kongContract(),
  };
  const sandbox = await startHttpSandbox(kongRoutes(ctx), flavour, {
    port: options.port,
    host: options.host,
  });

  const kongControl: KongSandboxControl = {
    setNodeConfiguration(partial) {
      // Re-derive listeners from `*_listen` unless the caller gives the records themselves.
      const { portal_gui_listeners: _gui, portal_api_listeners: _api, ...rest } = configuration;
      configuration = buildConfiguration({ ...rest, ...partial });
    },
    addWorkspace(name, config) {
      if (store.find(name)) throw new Error(`workspace ${name} already exists`);
      return structuredClone(store.save(newWorkspace(name, { config: { ...config } })));
    },
    addRbacToken: (extra, grant) => rbac.add(extra, grant),
    reset() {
      initialise();
      sandbox.control.resetTraffic();
    },
  };

  return {
    url: sandbox.url,
    token,
    // Keep the framework's getters (calls, contractViolations) live by extending, not copying, its control.
    control: Object.assign(sandbox.control, kongControl),
    state: {
      workspace: (name) => {
        const ws = store.find(name);
        return ws && ws.name === name ? structuredClone(ws) : undefined;
      },
      workspaces: () => structuredClone(store.list()),
      nodeConfiguration: () => structuredClone(configuration),
      signInProblems: (name) =>
        signInProblems(configuration, name, store.find(name)?.config.portal_auth_conf),
    },
    close: () => sandbox.close(),
  };
}

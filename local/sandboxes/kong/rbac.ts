/**
 * Kong EE RBAC as the Admin API enforces it with `enforce_rbac = on`: a token in the header kong.conf
 * `rbac_auth_header` names (default `Kong-Admin-Token`; Kong reads `ngx.req.get_headers()[rbac_auth_header]`,
 * kong.conf reference 3.4: "Defines the name of the HTTP request header from which the Admin API will
 * attempt to authenticate the RBAC user") identifies an RBAC user; the user's roles decide per workspace whether it may read, create, update
 * or delete. The sandbox models the two limits a provisioner meets: workspace scope and read-only.
 */
import type { SandboxRequest, SandboxResponse } from '../http-sandbox';
import { kongMessage } from './errors';

export interface RbacGrant {
  /** Workspaces the token's user has roles in; every workspace when omitted. */
  workspaces?: string[];
  /** Read-only roles: GET passes, anything else is 403. */
  readOnly?: boolean;
  /** RBAC user name Kong puts into its 403 message. */
  user?: string;
}

type Action = 'read' | 'create' | 'update' | 'delete';

/** Kong maps HTTP methods to RBAC actions this way (PUT counts as an update of the named entity). */
const ACTIONS: Record<string, Action> = {
  GET: 'read',
  HEAD: 'read',
  OPTIONS: 'read',
  POST: 'create',
  PUT: 'update',
  PATCH: 'update',
  DELETE: 'delete',
};

export class RbacTokens {
  private readonly grants = new Map<string, RbacGrant & { user: string }>();

  /** `header` reads the configured header name at request time (kong.conf can change between tests). */
  constructor(private readonly header: () => string = () => 'Kong-Admin-Token') {}

  add(token: string, grant: RbacGrant = {}): void {
    this.grants.set(token, { ...grant, user: grant.user ?? `rbac-user-${this.grants.size + 1}` });
  }

  clear(): void {
    this.grants.clear();
  }

  private grantOf(req: SandboxRequest) {
    const header = req.headers[this.header().toLowerCase()];
    const token = Array.isArray(header) ? header[0] : header;
    return token === undefined ? undefined : this.grants.get(token);
  }

  /** 401 for a missing or unknown token. */
  authenticate(req: SandboxRequest): SandboxResponse | undefined {
    return this.grantOf(req) ? undefined : kongMessage(401, 'Invalid RBAC credentials');
  }

  /** 403 when the token's user may not perform this method on `workspace` (a workspace name). */
  authorize(req: SandboxRequest, workspace: string | undefined): SandboxResponse | undefined {
    const grant = this.grantOf(req);
    if (!grant) return kongMessage(401, 'Invalid RBAC credentials');
    const action = ACTIONS[req.method] ?? 'read';
    const outOfScope =
      workspace !== undefined && grant.workspaces !== undefined && !grant.workspaces.includes(workspace);
    if ((grant.readOnly && action !== 'read') || outOfScope) {
      return kongMessage(403, `${grant.user}, you do not have permissions to ${action} this resource`);
    }
    return undefined;
  }

  /** Lists only show the workspaces the user has roles in. */
  canSee(req: SandboxRequest, workspace: string): boolean {
    const grant = this.grantOf(req);
    return grant !== undefined && (grant.workspaces === undefined || grant.workspaces.includes(workspace));
  }
}

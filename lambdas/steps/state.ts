/**
 * The one JSON document a workflow execution carries from state to state. Each step writes its
 * result under `resources.<key>` and reads what earlier steps wrote. Secrets appear only as ARNs.
 */
import type { StoredSignIn } from '../clients/kong';
import type { ExistingResources, ResolvedGroup } from '../clients/okta';
import type { UndoReport } from '../core/undo-report';
import type { ProvisioningRequest } from '../core/request';
import type { PortalUrls } from '../core/portal-urls';

export interface PortalResource {
  workspaceId: string;
  urls: PortalUrls;
  /** Where the pre-provisioning `config.portal*` values are kept (they may hold an old secret). */
  snapshotArn?: string;
  snapshotCreated?: boolean;
  /** Only the baseline this run wrote (if it was the first to touch the workspace) goes with its undo. */
  baselineCreated?: boolean;
  /** Security-relevant changes this run makes to the portal as found (ssl_verify off, auto-approve on). */
  warnings?: string[];
  /** Dry runs only: the settings as found, masked by allow-list, for the plan's diff. */
  currentSettingsMasked?: Record<string, unknown>;
}

export interface OktaInputsResource {
  groups: ResolvedGroup[];
  existing: ExistingResources;
}

export interface OktaAppResource {
  appId: string;
  clientId: string;
  clientSecretArn: string;
  created: boolean;
  secretCreated: boolean;
}

export interface GroupAssignmentsResource {
  assignments: Array<{ groupId: string; created: boolean }>;
}

export interface AuthServerResource {
  authServerId: string;
  issuer: string;
  created: boolean;
}

export interface SimpleResource {
  id: string;
  created: boolean;
}

export interface AuthorizationResource {
  claim?: SimpleResource;
  accessPolicy?: SimpleResource;
  policyRule?: SimpleResource;
}

export interface PortalAuthResource {
  applied: true;
  autoApprove: boolean;
  /** What Kong will send to Okta when a developer signs in (secret-free). */
  signIn: StoredSignIn;
}

export interface VerificationResource {
  discoveryUrl: string;
}

export interface Resources {
  portal?: PortalResource;
  oktaInputs?: OktaInputsResource;
  oktaApp?: OktaAppResource;
  groupAssignments?: GroupAssignmentsResource;
  authServer?: AuthServerResource;
  authorization?: AuthorizationResource;
  portalAuth?: PortalAuthResource;
  verification?: VerificationResource;
}

/** A caught Step Functions error: `Error` is the error name, `Cause` its (secret-free) JSON. */
export interface CaughtError {
  Error: string;
  Cause?: string;
}

export interface WorkflowState {
  requestId: string;
  request: ProvisioningRequest;
  resources: Resources;
  /** The forward step failure that started the rollback. */
  failure?: CaughtError;
  /** Results of the undo steps, by undo state name. */
  undo?: Record<string, UndoReport>;
  /** Undo steps that failed even after their retries, by undo state name. */
  cleanupErrors?: Record<string, CaughtError>;
}

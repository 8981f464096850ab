/**
 * Okta Management API, through the official SDK, one resource family per module. Every
 * `ensure*` is find-or-create by a deterministic name and reports `created`; every `remove*` only
 * removes what the given request owns and treats "already gone" as done.
 */
import type { OktaConfig } from './api';
import { OktaApps } from './apps';
import { OktaAuthServers } from './auth-servers';
import { OktaAuthorization } from './authorization';
import { OktaFamilyClient, type OktaFamilies } from './client';
import { OktaDirectory } from './directory';

export type { OktaConfig } from './api';
export type { AppSpec, EnsuredApp, ResourceRef } from './apps';
export type { AuthServerSpec, EnsuredAuthServer } from './auth-servers';
export type { ClaimSpec, Ensured, PolicySpec, RuleSpec, ServerContents } from './authorization';
export type { ExistingResource, ExistingResources, OktaFamilies } from './client';
export type { ResolvedGroup } from './directory';
export { mapOktaError } from './errors';
export type { Located } from './owned';

export const OKTA_FAMILIES: Required<OktaFamilies> = {
  apps: OktaApps,
  authServers: OktaAuthServers,
  authorization: OktaAuthorization,
  directory: OktaDirectory,
};

/** Every resource family (local mode, tests); a Lambda function composes only those its step uses. */
export class OktaClient extends OktaFamilyClient {
  constructor(config: OktaConfig) {
    super(config, OKTA_FAMILIES);
  }
}

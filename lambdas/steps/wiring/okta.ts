/**
 * The Okta client for a step function, with the token read from its secret and the resource
 * families its step uses (each brings its own SDK API classes into the bundle, nothing else).
 */
import { OktaFamilyClient, type OktaFamilies } from '../../clients/okta/client';
import type { ClientBuilders } from '../context';

export const oktaWith =
  (families: OktaFamilies): ClientBuilders['okta'] =>
  async (access, secrets) =>
    new OktaFamilyClient(
      {
        orgUrl: access.url,
        token: await secrets.get(access.tokenSecretArn),
        ...(access.httpsProxy ? { httpsProxy: access.httpsProxy } : {}),
      },
      families,
    );

/** The Okta client for a step function, with the token read from its secret. */
import { OktaClient } from '../../clients/okta';
import type { ClientBuilders } from '../context';

export const okta: ClientBuilders['okta'] = async (access, secrets) =>
  new OktaClient({
    orgUrl: access.url,
    token: await secrets.get(access.tokenSecretArn),
    ...(access.httpsProxy ? { httpsProxy: access.httpsProxy } : {}),
  });

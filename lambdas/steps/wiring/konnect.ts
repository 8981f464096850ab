/** The Konnect Portal Management API client for a step function, with the token read from its secret. */
import { KonnectClient } from '../../clients/konnect';
import type { ClientBuilders } from '../context';

export const konnect: ClientBuilders['konnect'] = async (access, secrets) =>
  new KonnectClient({ baseUrl: access.url, token: await secrets.get(access.tokenSecretArn) });

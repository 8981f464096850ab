/** The Kong Admin API client for a step function, with the RBAC token read from its secret. */
import { KongClient } from '../../clients/kong';
import type { ClientBuilders } from '../context';

export const kong: ClientBuilders['kong'] = async (access, secrets) =>
  new KongClient({
    adminUrl: access.url,
    token: await secrets.get(access.tokenSecretArn),
    ...(access.rbacHeader ? { rbacHeader: access.rbacHeader } : {}),
  });

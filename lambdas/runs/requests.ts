/** The runs each front door asks for, built the same way whichever door a request came in by. */
import type { RequestSource } from '../clients/requests';
import type { ProvisioningRequest, TeardownRequest } from '../core/request';
import type { RunRequest } from './accept';

export function provisioningRun(request: ProvisioningRequest, source: RequestSource): RunRequest {
  return {
    kind: 'provision',
    scope: { workspace: request.workspace, environment: request.environment },
    request,
    requestedBy: request.requestedBy,
    source,
    ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
    dryRun: request.dryRun,
  };
}

export function teardownRun(request: TeardownRequest, source: RequestSource): RunRequest {
  return {
    kind: 'teardown',
    scope: { workspace: request.workspace, environment: request.environment },
    request,
    requestedBy: request.requestedBy,
    source,
    dryRun: false,
  };
}

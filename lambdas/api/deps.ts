/**
 * What the API handlers need, built once per container from the environment: the request log
 * and lock, Step Functions, and the two state machines' ARNs.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { RequestStore } from '../clients/requests';
import { PermanentError } from '../core/errors';

export interface ApiDeps {
  requests: RequestStore;
  sfn: SFNClient;
  stateMachines: { provision: string; teardown: string };
  /** How long a workspace lock lives if its run never releases it (crashed, killed). */
  lockTtlSeconds: number;
  now(): Date;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new PermanentError(`Configuration error: environment variable ${name} is not set`);
  return value;
}

export function buildApiDeps(env: NodeJS.ProcessEnv = process.env): ApiDeps {
  return {
    requests: new RequestStore({ tableName: required(env, 'REQUESTS_TABLE') }),
    sfn: new SFNClient({}),
    stateMachines: {
      provision: required(env, 'PROVISIONING_STATE_MACHINE_ARN'),
      teardown: required(env, 'TEARDOWN_STATE_MACHINE_ARN'),
    },
    // The provisioning state machine times out after 6 h; a lock outliving that is stale.
    lockTtlSeconds: Number(env.LOCK_TTL_SECONDS ?? 7 * 3600),
    now: () => new Date(),
  };
}

let cached: ApiDeps | undefined;

/** One set per Lambda container, reused by warm invocations. */
export function depsFromEnv(): ApiDeps {
  cached ??= buildApiDeps();
  return cached;
}

/** Everything the Okta SDK (or node-fetch below it) throws, turned into our taxonomy. */
import { ConflictError, PermanentError, type FieldIssue, type ProvisionerError } from '../../core/errors';
import { isNetworkCode, toProvisionerError } from '../http-errors';

export const OKTA_HINTS = {
  unauthorized:
    'the Okta API token is invalid, expired or revoked; put a valid SSWS token in the configured secret',
  forbidden:
    'the Okta API token lacks the permission; its admin needs the Super Administrator role, or a custom role that can manage apps, groups assignments and authorization servers',
};

interface OktaErrorShape {
  status?: unknown;
  errorCode?: unknown;
  errorSummary?: unknown;
  errorCauses?: unknown;
  headers?: { get?: (name: string) => string | null };
  name?: unknown;
  type?: unknown;
  code?: unknown;
}

function issuesFromCauses(causes: unknown): FieldIssue[] {
  if (!Array.isArray(causes)) return [];
  return causes.map((cause: { errorSummary?: unknown }) => {
    const text = String(cause?.errorSummary ?? '');
    // Okta causes read "field: reason" (e.g. "name: An object with this field already exists").
    const match = /^([A-Za-z0-9_.[\]]+):\s*(.*)$/.exec(text);
    return match ? { field: match[1] as string, reason: match[2] as string } : { field: '', reason: text };
  });
}

export function mapOktaError(
  operation: string,
  err: unknown,
  secrets: ReadonlyArray<string | undefined> = [],
): ProvisionerError {
  const e: OktaErrorShape = typeof err === 'object' && err !== null ? err : {};
  if (e.name === 'FetchError' && e.type === 'max-size') {
    return new PermanentError(`Okta ${operation} answered with a body too large to read (over its limit)`);
  }
  if (typeof e.status === 'number' && e.status >= 300 && e.status < 400) {
    return new PermanentError(
      `Okta ${operation} answered with a redirect (HTTP ${e.status}), which is not followed: configure the org URL that answers directly (OKTA_ORG_URL)`,
      { vendor: 'Okta', operation, status: e.status },
    );
  }
  if (e.name === 'FetchError' || e.name === 'AbortError' || isNetworkCode(e.code)) {
    const network = e.type === 'request-timeout' ? 'timed out' : String(e.code ?? e.type ?? 'network error');
    return toProvisionerError({ vendor: 'Okta', operation, summary: '', network }, OKTA_HINTS, secrets);
  }
  if (typeof e.status === 'number') {
    const reset = Number(e.headers?.get?.('x-rate-limit-reset'));
    return toProvisionerError(
      {
        vendor: 'Okta',
        operation,
        status: e.status,
        code: typeof e.errorCode === 'string' ? e.errorCode : undefined,
        summary: typeof e.errorSummary === 'string' ? e.errorSummary : `HTTP ${e.status}`,
        issues: issuesFromCauses(e.errorCauses),
        rateLimitReset: Number.isFinite(reset) && reset > 0 ? reset : undefined,
      },
      OKTA_HINTS,
      secrets,
    );
  }
  return new PermanentError(
    `Okta ${operation} failed unexpectedly: ${err instanceof Error ? err.name : typeof err}`,
  );
}

export function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * A resource an earlier provisioning made no longer matches this request (Kong's ports changed,
 * another e-mail attribute...). Rewriting it in place could not be rolled back, so say so instead.
 */
export function drift(kind: string, name: string, difference: string): ConflictError {
  return new ConflictError(
    `The Okta ${kind} '${name}' from an earlier provisioning differs from this request: ${difference}. ` +
      'Tear down the workspace portal, then provision it again',
    { kind, name },
  );
}

/**
 * A resource with our deterministic name exists but the provisioner did not make it for this
 * (environment, workspace) - active or not, it is refused, never reactivated or adopted.
 */
export function foreignResource(
  kind: string,
  name: string,
  found: ReadonlyArray<{ id?: string; status?: string }>,
): ConflictError {
  const ids = found.map((r) => r.id ?? '?');
  const described = found.map((r) => `${r.id ?? '?'}${r.status === 'INACTIVE' ? ' (INACTIVE)' : ''}`);
  return new ConflictError(
    `An Okta ${kind} named '${name}' already exists (${described.join(', ')}) and was not created by kong-portal-provisioner for this environment and workspace: ` +
      'rename or remove it, then retry',
    { kind, name, ids },
  );
}

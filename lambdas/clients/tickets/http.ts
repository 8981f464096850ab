/**
 * The HTTP edge both ticket clients share: one axios instance per system, and one mapping of what a
 * call can end in onto our error taxonomy (http-errors.ts), reading each vendor's error body:
 *
 * - Jira: `{"errorMessages": [...], "errors": {"<field>": "<message>"}}`, e.g. 400
 *   `{"errorMessages":[],"errors":{"comment":"Comment body is not valid!"}}`; 429 carries
 *   `Retry-After` (seconds) and `X-RateLimit-Reset` (ISO time) - Atlassian "Rate limiting".
 * - ServiceNow: `{"error": {"message": ..., "detail": ...}, "status": "failure"}`; 429 carries
 *   `Retry-After` (seconds) - ServiceNow docs, "Inbound REST API rate limiting".
 */
import axios, { isAxiosError, type AxiosInstance } from 'axios';
import { PermanentError, type FieldIssue, type ProvisionerError } from '../../core/errors';
import { isNetworkCode, toProvisionerError } from '../http-errors';

export type TicketVendor = 'Jira' | 'ServiceNow';

export function ticketHttp(
  baseUrl: string,
  headers: Record<string, string>,
  timeoutMs = 10_000,
): AxiosInstance {
  return axios.create({
    baseURL: baseUrl.replace(/\/+$/, ''),
    timeout: timeoutMs,
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', ...headers },
    // Our own mapping decides what a status means.
    validateStatus: (status) => status >= 200 && status < 300,
    // Redirects to a login page are an auth failure, not a success to follow.
    maxRedirects: 0,
  });
}

interface VendorErrorBody {
  errorMessages?: unknown;
  errors?: unknown;
  error?: { message?: unknown; detail?: unknown };
}

function summaryOf(
  vendor: TicketVendor,
  body: VendorErrorBody,
  status: number,
): { summary: string; issues: FieldIssue[] } {
  if (vendor === 'Jira') {
    const messages = Array.isArray(body.errorMessages)
      ? body.errorMessages.filter((m) => typeof m === 'string')
      : [];
    const errors =
      typeof body.errors === 'object' && body.errors !== null
        ? Object.entries(body.errors as Record<string, unknown>)
        : [];
    const issues = errors.map(([field, reason]) => ({ field, reason: String(reason) }));
    const summary = [...messages, ...issues.map((i) => `${i.field}: ${i.reason}`)].join('; ');
    return { summary: summary || `HTTP ${status}`, issues };
  }
  const message = typeof body.error?.message === 'string' ? body.error.message : '';
  const detail = typeof body.error?.detail === 'string' ? body.error.detail : '';
  return { summary: [message, detail].filter(Boolean).join(': ') || `HTTP ${status}`, issues: [] };
}

export function mapTicketError(
  vendor: TicketVendor,
  operation: string,
  err: unknown,
  hints: { unauthorized: string; forbidden: string },
  secrets: ReadonlyArray<string | undefined>,
): ProvisionerError {
  if (isAxiosError(err)) {
    if (!err.response) {
      const network =
        err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT' ? 'timed out' : (err.code ?? 'network error');
      return toProvisionerError({ vendor, operation, summary: '', network }, hints, secrets);
    }
    const { status, data, headers } = err.response;
    const body = (typeof data === 'object' && data !== null ? data : {}) as VendorErrorBody;
    const retryAfter = Number(headers?.['retry-after']);
    const { summary, issues } = summaryOf(vendor, body, status);
    return toProvisionerError(
      {
        vendor,
        operation,
        status,
        summary,
        issues,
        ...(Number.isFinite(retryAfter) && retryAfter >= 0
          ? { rateLimitReset: Math.ceil(Date.now() / 1000) + retryAfter }
          : {}),
      },
      hints,
      secrets,
    );
  }
  if (isNetworkCode((err as { code?: unknown } | null)?.code))
    return toProvisionerError(
      { vendor, operation, summary: '', network: String((err as { code: unknown }).code) },
      hints,
      secrets,
    );
  return new PermanentError(
    `${vendor} ${operation} failed unexpectedly: ${err instanceof Error ? err.name : typeof err}`,
  );
}

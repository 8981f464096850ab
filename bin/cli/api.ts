/**
 * The CLI's only network code: JSON over Node's global fetch to the provisioning API, signed with
 * SigV4 (service `execute-api`) when the API is a deployed one. The local API on loopback takes
 * unsigned calls (it stands in for IAM with a fixed local principal), so nothing there needs AWS
 * credentials.
 */
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { UsageError } from './args';
import { printable } from './printable';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Static credentials (tests) or a provider (the default chain, which caches and refreshes). */
export type CredentialSource = AwsCredentials | (() => Promise<AwsCredentials>);

export interface HttpCall {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** Returns the headers to send: the call's own plus the signature's. */
export type Signer = (call: HttpCall) => Promise<Record<string, string>>;

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host);
}

/** Any API not on this machine is a deployed one behind IAM auth; `--sigv4` forces signing locally too. */
export function needsSigning(apiUrl: string, forced: boolean): boolean {
  return forced || !isLoopback(new URL(apiUrl).hostname);
}

/**
 * The signing region. A region in the execute-api host name wins over the environment: a
 * signature for any other region is refused, and a shell's AWS_REGION often points elsewhere.
 * A custom domain carries no region, so then AWS_REGION / AWS_DEFAULT_REGION decide.
 */
export function signingRegion(
  apiUrl: string,
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (explicit) return explicit;
  const host = new URL(apiUrl).hostname;
  const fromHost = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1];
  return fromHost ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
}

export function createSigV4Signer(options: {
  region: string;
  credentials: CredentialSource;
  /** `execute-api` for API Gateway; a test vector may use another. */
  service?: string;
  /** Fixed signing time, for tests. */
  now?: () => Date;
}): Signer {
  const signer = new SignatureV4({
    service: options.service ?? 'execute-api',
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
    // Path segments are escaped again when signing (what every AWS service but S3 expects).
    uriEscapePath: true,
    // x-amz-content-sha256 is an S3/Glacier requirement; API Gateway signs the payload hash into
    // the canonical request without it, so the header would only be noise.
    applyChecksum: false,
  });
  return async (call) => {
    const query: Record<string, string | string[]> = {};
    for (const [key, value] of call.url.searchParams) {
      const prior = query[key];
      query[key] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
    }
    const signed = await signer.sign(
      {
        method: call.method,
        protocol: call.url.protocol,
        hostname: call.url.hostname,
        ...(call.url.port ? { port: Number(call.url.port) } : {}),
        path: call.url.pathname,
        query,
        // The Host header is signed; fetch sends the same value (url.host) by itself.
        headers: { ...call.headers, host: call.url.host },
        ...(call.body !== undefined ? { body: call.body } : {}),
      },
      options.now ? { signingDate: options.now() } : {},
    );
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(signed.headers)) {
      // fetch refuses to be told the Host header; it derives it from the URL.
      if (name.toLowerCase() !== 'host') headers[name] = value;
    }
    return headers;
  };
}

/** The standard AWS credential chain (env, SSO, profiles, IMDS/ECS), loaded only when signing. */
export async function defaultCredentials(profile: string | undefined): Promise<CredentialSource> {
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  return fromNodeProviderChain(profile ? { profile } : {});
}

export interface ApiResponse {
  status: number;
  /** Parsed JSON, or the raw text when the answer is not JSON (e.g. a proxy's error page). */
  body: unknown;
}

/** The API could not be reached at all (refused, DNS, TLS, timeout): exit code 5. */
export class ApiUnreachableError extends Error {
  override readonly name = 'ApiUnreachableError';
}

export interface ApiClient {
  readonly baseUrl: string;
  call(
    method: string,
    path: string,
    options?: { query?: Record<string, string>; body?: unknown; headers?: Record<string, string> },
  ): Promise<ApiResponse>;
}

export function createApiClient(options: {
  baseUrl: string;
  fetch: typeof fetch;
  signer?: Signer;
  userAgent?: string;
  /** Per call; the API answers in well under a second, so a stuck connection is not waited on forever. */
  timeoutMs?: number;
}): ApiClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    baseUrl: options.baseUrl,
    async call(method, path, { query, body, headers = {} } = {}) {
      // The base may carry a stage path (/v1): append to it rather than resolve against it.
      const url = new URL(`${options.baseUrl}${path}`);
      for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
      const text = body === undefined ? undefined : JSON.stringify(body);
      const callHeaders: Record<string, string> = {
        accept: 'application/json',
        'user-agent': options.userAgent ?? 'kong-portal-provisioner-cli',
        ...(text !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      };
      const sent = options.signer
        ? await options.signer({
            method,
            url,
            headers: callHeaders,
            ...(text !== undefined ? { body: text } : {}),
          })
        : callHeaders;
      let response: Response;
      try {
        response = await options.fetch(url, {
          method,
          headers: sent,
          ...(text !== undefined ? { body: text } : {}),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new ApiUnreachableError(`Could not reach the API at ${options.baseUrl}: ${reasonOf(err)}`);
      }
      let raw: string;
      try {
        raw = await response.text();
      } catch (err) {
        throw new ApiUnreachableError(`The API at ${options.baseUrl} broke off its answer: ${reasonOf(err)}`);
      }
      let parsed: unknown = raw;
      try {
        parsed = raw ? (JSON.parse(raw) as unknown) : undefined;
      } catch {
        // not JSON: keep the text for the error message
      }
      // Strings in the answer go to a terminal: their control characters are shown escaped.
      return { status: response.status, body: printable(parsed) };
    },
  };
}

/** fetch's errors say "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND, timeout) is the cause. */
function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'no answer in time';
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} (${cause.message})` : cause.message;
  }
  return err.message;
}

/** A client for the command's API: signed when needed, with the region resolved up front. */
export async function clientFor(
  global: { apiUrl: string; sigv4: boolean; region?: string; profile?: string },
  io: {
    fetch: typeof fetch;
    env: Readonly<Record<string, string | undefined>>;
    credentials?: CredentialSource;
  },
): Promise<ApiClient> {
  if (!needsSigning(global.apiUrl, global.sigv4))
    return createApiClient({ baseUrl: global.apiUrl, fetch: io.fetch });
  const region = signingRegion(global.apiUrl, global.region, io.env);
  if (!region) {
    throw new UsageError(
      `Cannot tell the AWS region to sign for from ${global.apiUrl}: pass --region or set AWS_REGION`,
    );
  }
  const credentials = io.credentials ?? (await defaultCredentials(global.profile));
  return createApiClient({
    baseUrl: global.apiUrl,
    fetch: io.fetch,
    signer: createSigV4Signer({ region, credentials }),
  });
}

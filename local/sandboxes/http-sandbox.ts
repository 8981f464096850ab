/**
 * The loopback HTTP server both vendor sandboxes are built on: routing by OpenAPI path template,
 * API-token auth, contract validation of every request and response, and per-route fault injection.
 * A sandbox only supplies its routes (state + semantics) and its vendor's error shapes.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ContractError, ContractValidator } from '../contracts/validator';

export interface SandboxRequest {
  method: string;
  path: string;
  template: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** Origin the client used, e.g. http://127.0.0.1:4321 (for self links and issuers). */
  baseUrl: string;
}

export interface SandboxResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Why this answer is real vendor behaviour the vendor document does not list (e.g. Kong's 409 on a
   * unique violation, where the document only knows 200/400). Skips response validation
   * for this one answer; the reason keeps every exception greppable and reviewed.
   */
  undocumented?: string;
}

export type RouteHandler = (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

export interface Route {
  method: string;
  template: string;
  handler: RouteHandler;
  /** The operation in the vendor document this route implements, when its template differs. */
  contractTemplate?: string;
  /** Public routes (e.g. OIDC discovery) need no API token. */
  public?: boolean;
}

export interface Fault {
  /** Route template as registered, e.g. '/api/v1/apps/{appId}'. */
  route: string;
  /** Any method when omitted. */
  method?: string;
  /** How many matching calls the fault applies to (default 1). */
  times?: number;
  /** Answer with this status (and the vendor's error body unless `body` is given). */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Delay the answer; combined with nothing else the call then proceeds normally. */
  latencyMs?: number;
  /** Answer 429 with the vendor's rate-limit headers; the window resets after this many seconds. */
  rateLimitResetInSeconds?: number;
  /** Perform the call (commit the write), then drop the connection without an answer. */
  loseResponse?: boolean;
}

/**
 * One call as the sandbox saw it. Times are epoch milliseconds from `Date.now()`: the clock the
 * Step Functions emulator's history, Okta's X-Rate-Limit-Reset and the clients' waits also use, so
 * a timeline can put calls, steps and announced resets on one axis.
 */
export interface RecordedCall {
  method: string;
  path: string;
  status: number | 'dropped';
  /** When the request reached the sandbox (before any latency). */
  startedAt: number;
  /** When the answer was written or the connection dropped; absent while the call is in flight. */
  endedAt?: number;
  /** Set when a vendor limit refused the call: the Okta bucket's name, or 'concurrency'. */
  limitedBy?: string;
}

/**
 * What a vendor decides when a call arrives, before anything else (Okta's rate and concurrency
 * limits). Every call is admitted by default.
 */
export interface Admission {
  /** The vendor's refusal (e.g. a 429); the call goes no further. */
  refusal?: SandboxResponse;
  /** Headers every answer to this call carries (e.g. X-Rate-Limit-* of the call's bucket). */
  headers?: Record<string, string>;
  /** Recorded on the call when it was refused. */
  limitedBy?: string;
  /** The call is over (answered or dropped): frees what admitting it took (a concurrency slot). */
  release?(): void;
}

export interface ContractViolation {
  method: string;
  template: string;
  status: number;
  errors: ContractError[];
}

export interface SandboxFlavour {
  /** Returns an error response when the request lacks valid credentials. */
  authenticate(req: SandboxRequest): SandboxResponse | undefined;
  /** The vendor's error body for a status. */
  error(status: number, message: string): SandboxResponse;
  /**
   * The vendor's answer to a body that violates its schema; `req` is the request whose body the
   * contract refused (absent when the body is not even JSON), for vendors whose own validation reads
   * other fields to decide which schema applies.
   */
  invalidRequest(errors: ContractError[], req?: SandboxRequest): SandboxResponse;
  /** The vendor's answer when a rate limit is hit. */
  rateLimited(resetEpochSeconds: number): SandboxResponse;
  /** Headers the vendor adds to every answer (e.g. Kong's Server header). */
  commonHeaders?(): Record<string, string>;
  /** Decides, when a call arrives, whether the vendor takes it and which headers its answer carries. */
  admit?(call: { method: string; path: string }): Admission;
  contract?: ContractValidator;
}

export interface SandboxControl {
  inject(fault: Fault): void;
  clearFaults(): void;
  /**
   * Every call from now on (any route, public ones and refusals included) is answered `ms` later,
   * as if the vendor were that far away. A setting, not a fault: it stays until changed or reset;
   * a fault's `latencyMs` adds to it. 0 turns it off.
   */
  setLatency(ms: number): void;
  /** Pending faults, the latency setting and recorded calls, as at start (vendors' reset() uses it). */
  resetTraffic(): void;
  readonly calls: RecordedCall[];
  readonly contractViolations: ContractViolation[];
  /** Calls matching a method and route template, for "called once" style assertions. */
  callsTo(method: string, template: string): RecordedCall[];
  /** Every route this sandbox serves (chaos runs pick fault targets from them). */
  routes(): Array<{ method: string; template: string }>;
}

export interface RunningSandbox {
  url: string;
  control: SandboxControl;
  close(): Promise<void>;
}

interface CompiledRoute extends Route {
  segments: string[];
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

/** Literal segments beat parameters, so '/x/lifecycle/deactivate' never matches '/x/{id}/{sub}'. */
function matchRoute(
  routes: CompiledRoute[],
  method: string,
  path: string,
): { route: CompiledRoute; params: Record<string, string> } | 'method-not-allowed' | undefined {
  const parts = segmentsOf(path).map((p) => decodeURIComponent(p));
  let best: { route: CompiledRoute; params: Record<string, string>; literals: number } | undefined;
  let pathMatched = false;
  for (const route of routes) {
    if (route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    let ok = true;
    route.segments.forEach((seg, i) => {
      const part = parts[i] as string;
      if (seg.startsWith('{') && seg.endsWith('}')) params[seg.slice(1, -1)] = part;
      else if (seg === part) literals++;
      else ok = false;
    });
    if (!ok) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    if (!best || literals > best.literals) best = { route, params, literals };
  }
  if (best) return { route: best.route, params: best.params };
  return pathMatched ? 'method-not-allowed' : undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A handler's write went through but the client must never learn it (`loseResponse`). */
const DROPPED = Symbol('dropped');

export async function startHttpSandbox(
  routes: Route[],
  flavour: SandboxFlavour,
  options: { port?: number; host?: string } = {},
): Promise<RunningSandbox> {
  const compiled: CompiledRoute[] = routes.map((r) => ({ ...r, segments: segmentsOf(r.template) }));
  const faults: Array<Fault & { remaining: number }> = [];
  const calls: RecordedCall[] = [];
  const contractViolations: ContractViolation[] = [];
  let latencyMs = 0;

  const takeFault = (method: string, template: string): Fault | undefined => {
    const index = faults.findIndex((f) => f.route === template && (!f.method || f.method === method));
    if (index < 0) return undefined;
    const fault = faults[index] as Fault & { remaining: number };
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(index, 1);
    return fault;
  };

  const send = (
    res: ServerResponse,
    call: RecordedCall,
    answer: SandboxResponse,
    admitted: Record<string, string> = {},
  ) => {
    call.status = answer.status;
    call.endedAt = Date.now();
    // The answer's own headers win: an injected 429 announces its own reset.
    const headers: Record<string, string> = {
      ...(flavour.commonHeaders?.() ?? {}),
      ...admitted,
      ...(answer.headers ?? {}),
    };
    if (answer.body === undefined) {
      res.writeHead(answer.status, headers).end();
      return;
    }
    const payload = JSON.stringify(answer.body);
    res.writeHead(answer.status, { 'content-type': 'application/json', ...headers }).end(payload);
  };

  /** The answer to an admitted call: routing, auth, faults, contract checks, the route itself. */
  const answerFor = async (
    req: IncomingMessage,
    method: string,
    url: URL,
    raw: string,
  ): Promise<SandboxResponse | typeof DROPPED> => {
    const host = req.headers.host ?? '127.0.0.1';
    const matched = matchRoute(compiled, method, url.pathname);
    if (matched === undefined) return flavour.error(404, `Not found: ${url.pathname}`);
    if (matched === 'method-not-allowed') return flavour.error(405, `Method ${method} not allowed`);
    const { route, params } = matched;

    let body: unknown;
    const form = /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '');
    if (raw.length > 0 && form) {
      // OAuth token endpoints take form posts; their routes read the fields as an object.
      body = Object.fromEntries(new URLSearchParams(raw));
    } else if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        return flavour.invalidRequest([{ path: '', message: 'body is not valid JSON' }]);
      }
    }
    const request: SandboxRequest = {
      method,
      path: url.pathname,
      template: route.template,
      params,
      query: url.searchParams,
      headers: req.headers,
      body,
      baseUrl: `http://${host}`,
    };

    if (!route.public) {
      const denied = flavour.authenticate(request);
      if (denied) return denied;
    }

    const fault = takeFault(method, route.template);
    if (fault?.latencyMs) await sleep(fault.latencyMs);
    if (fault?.rateLimitResetInSeconds !== undefined) {
      return flavour.rateLimited(Math.ceil(Date.now() / 1000) + fault.rateLimitResetInSeconds);
    }
    if (fault?.status !== undefined) {
      const answer =
        fault.body !== undefined
          ? { status: fault.status, body: fault.body }
          : flavour.error(fault.status, 'Injected fault');
      return { ...answer, headers: { ...answer.headers, ...fault.headers } };
    }

    const contractTemplate = route.contractTemplate ?? route.template;
    const checked = flavour.contract?.hasOperation(method, contractTemplate) ?? false;
    if (checked && flavour.contract) {
      const verdict = flavour.contract.validateRequest(method, contractTemplate, body);
      if (!verdict.ok) return flavour.invalidRequest(verdict.errors, request);
    }

    const answer = await route.handler(request);

    // The write is committed; the client never learns it (the "created but response lost" case).
    if (fault?.loseResponse) return DROPPED;

    if (checked && flavour.contract && answer.undocumented === undefined) {
      const verdict = flavour.contract.validateResponse(method, contractTemplate, answer.status, answer.body);
      if (!verdict.ok) {
        // A sandbox answer the vendor would never send: fail loudly so tests cannot pass on it.
        contractViolations.push({
          method,
          template: contractTemplate,
          status: answer.status,
          errors: verdict.errors,
        });
        return {
          status: 500,
          body: { message: `sandbox response violates the contract`, errors: verdict.errors },
        };
      }
    }
    return answer;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const call: RecordedCall = { method, path: url.pathname, status: 0, startedAt: Date.now() };
    calls.push(call);
    // Admission happens on arrival, so a call holds its concurrency slot through its latency too.
    const admission = flavour.admit?.({ method, path: url.pathname }) ?? {};
    if (admission.limitedBy !== undefined) call.limitedBy = admission.limitedBy;
    try {
      const raw = await readBody(req);
      if (latencyMs > 0) await sleep(latencyMs);
      const answer = admission.refusal ?? (await answerFor(req, method, url, raw));
      if (answer === DROPPED) {
        call.status = 'dropped';
        call.endedAt = Date.now();
        req.socket.destroy();
        return;
      }
      send(res, call, answer, admission.headers);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      call.status = 500;
      call.endedAt = Date.now();
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `sandbox error: ${message}` }));
    } finally {
      admission.release?.();
    }
  };

  const server = createServer((req, res) => {
    // handle() answers its own errors; this only catches a failure to write that answer.
    handle(req, res).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;

  const control: SandboxControl = {
    inject(fault) {
      faults.push({ ...fault, method: fault.method?.toUpperCase(), remaining: fault.times ?? 1 });
    },
    clearFaults() {
      faults.length = 0;
    },
    setLatency(ms) {
      if (!Number.isFinite(ms) || ms < 0)
        throw new Error(`latency must be a finite number of ms >= 0, not ${ms}`);
      latencyMs = ms;
    },
    resetTraffic() {
      faults.length = 0;
      calls.length = 0;
      latencyMs = 0;
    },
    calls,
    contractViolations,
    routes() {
      return compiled.map((r) => ({ method: r.method, template: r.template }));
    },
    callsTo(method, template) {
      const matcher = compiled.filter((r) => r.template === template);
      return calls.filter((c) => {
        if (c.method !== method.toUpperCase()) return false;
        const m = matchRoute(compiled, c.method, c.path);
        return typeof m === 'object' && matcher.includes(m.route);
      });
    },
  };

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    control,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

export type { IncomingHttpHeaders };

/**
 * The API on a laptop: a loopback HTTP server that turns each request into the API Gateway
 * proxy event the deployed API would send, and calls the same Lambda handler functions. The
 * caller's identity is what IAM auth would have established: the local developer. The webhook
 * routes have no IAM (as deployed): they get no identity, and their handlers check signatures.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ApiDeps } from '../lambdas/api/deps';
import { getProvisioning } from '../lambdas/api/get-provisioning';
import { MAX_BODY_BYTES, json, payloadTooLarge, type ApiResult } from '../lambdas/api/http';
import { listProvisionings } from '../lambdas/api/list-provisionings';
import { startProvisioning } from '../lambdas/api/start-provisioning';
import { startTeardown } from '../lambdas/api/start-teardown';
import { jiraWebhook } from '../lambdas/api/jira-webhook';
import { serviceNowWebhook } from '../lambdas/api/servicenow-webhook';
import type { JiraHandlerDeps, ServiceNowHandlerDeps } from '../lambdas/api/webhook-deps';

export interface ServerDeps {
  api: ApiDeps;
  jira?: JiraHandlerDeps;
  servicenow?: ServiceNowHandlerDeps;
}

type Route = {
  method: string;
  pattern: RegExp;
  params: string[];
  resource: string;
  /** No IAM on this route (deployed: AuthorizationType NONE). */
  unauthenticated?: boolean;
  handle: (e: APIGatewayProxyEvent, d: ServerDeps) => Promise<ApiResult>;
};

const notServed = (): ApiResult =>
  json(404, { error: 'NotFound', message: 'This webhook is not configured' });

const ROUTES: Route[] = [
  {
    method: 'POST',
    pattern: /^\/provisionings$/,
    params: [],
    resource: '/provisionings',
    handle: (e, d) => startProvisioning(e, d.api),
  },
  {
    method: 'GET',
    pattern: /^\/provisionings$/,
    params: [],
    resource: '/provisionings',
    handle: (e, d) => listProvisionings(e, d.api),
  },
  {
    method: 'GET',
    pattern: /^\/provisionings\/([^/]+)$/,
    params: ['id'],
    resource: '/provisionings/{id}',
    handle: (e, d) => getProvisioning(e, d.api),
  },
  {
    method: 'DELETE',
    pattern: /^\/workspaces\/([^/]+)\/portal$/,
    params: ['workspace'],
    resource: '/workspaces/{workspace}/portal',
    handle: (e, d) => startTeardown(e, d.api),
  },
  {
    method: 'POST',
    pattern: /^\/webhooks\/jira$/,
    params: [],
    resource: '/webhooks/jira',
    unauthenticated: true,
    handle: (e, d) => (d.jira ? jiraWebhook(e, d.jira) : Promise.resolve(notServed())),
  },
  {
    method: 'POST',
    pattern: /^\/webhooks\/servicenow$/,
    params: [],
    resource: '/webhooks/servicenow',
    unauthenticated: true,
    handle: (e, d) => (d.servicenow ? serviceNowWebhook(e, d.servicenow) : Promise.resolve(notServed())),
  },
];

export const LOCAL_PRINCIPAL = 'arn:aws:iam::000000000000:user/local-developer';

/**
 * Reads at most MAX_BODY_BYTES; the rest is drained without being kept, so a huge body costs
 * time on the wire but no memory. Undefined when the body was too large.
 */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

/** API Gateway hands handlers decoded path parameters; one that does not decode is passed as sent. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function proxyEvent(
  req: IncomingMessage,
  url: URL,
  body: string,
  route: Route,
  match: RegExpExecArray,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[key] = value;
  const query = Object.fromEntries(url.searchParams.entries());
  const pathParameters = Object.fromEntries(route.params.map((p, i) => [p, decoded(match[i + 1] ?? '')]));
  return {
    httpMethod: route.method,
    path: url.pathname,
    resource: route.resource,
    headers,
    multiValueHeaders: {},
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: null,
    pathParameters: route.params.length ? pathParameters : null,
    stageVariables: null,
    body: body.length ? body : null,
    isBase64Encoded: false,
    requestContext: {
      identity: {
        userArn: route.unauthenticated ? null : LOCAL_PRINCIPAL,
        caller: route.unauthenticated ? null : LOCAL_PRINCIPAL,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? null,
      },
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

export async function startApiServer(
  deps: ServerDeps,
  options: { port?: number; host?: string; ready?: () => Record<string, unknown> } = {},
) {
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = await readBody(req);
      let result: ApiResult;
      if (body === undefined) {
        result = payloadTooLarge();
      } else if (url.pathname === '/' && req.method === 'GET') {
        result = json(200, { service: 'kong-portal-provisioner', status: 'ready', ...options.ready?.() });
      } else {
        const candidates = ROUTES.map((r) => ({ route: r, match: r.pattern.exec(url.pathname) })).filter(
          (c) => c.match,
        );
        const hit = candidates.find((c) => c.route.method === req.method);
        if (hit?.match)
          result = await hit.route.handle(proxyEvent(req, url, body, hit.route, hit.match), deps);
        else if (candidates.length)
          result = json(405, {
            error: 'MethodNotAllowed',
            message: `${req.method} is not supported on ${url.pathname}`,
          });
        else result = json(404, { error: 'NotFound', message: `No route ${url.pathname}` });
      }
      res.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'InternalError', message: 'The request could not be processed' }));
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

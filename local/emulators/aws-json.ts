/**
 * The AWS JSON wire protocol (1.0 and 1.1) shared by the loopback emulators: `POST /` with
 * `X-Amz-Target: <prefix>.<Operation>`, a JSON body in and out, errors as HTTP 400 with the
 * `x-amzn-errortype` header and a `{__type, message}` body. Signatures are not checked, so any
 * dummy credentials work with the real `@aws-sdk/*` clients.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An error as AWS sends it: HTTP 400, `x-amzn-errortype` header, `{__type, message}` body. */
export class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON protocol timestamps are epoch seconds (fractions allowed); the SDK turns them into Dates. */
export const epochSeconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

/** Drops undefined members, so optional fields are absent rather than `null` on the wire. */
export const compact = (o: Obj): Obj =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

// ---------------------------------------------------------------------------------------------
// Input checks (AWS reports members in camelCase; JSON 1.0 services already name them so)
// ---------------------------------------------------------------------------------------------

export const camel = (member: string) => member.charAt(0).toLowerCase() + member.slice(1);

export function optionalString(input: Obj, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new AwsError('ValidationException', `Value at '${camel(member)}' must be a string`);
  return value;
}

export function requiredString(input: Obj, member: string): string {
  const value = optionalString(input, member);
  if (value === undefined) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value null at '${camel(member)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

export function optionalBoolean(input: Obj, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean')
    throw new AwsError('ValidationException', `Value at '${camel(member)}' must be a boolean`);
  return value;
}

export function optionalInteger(input: Obj, member: string): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new AwsError('ValidationException', `Value at '${camel(member)}' must be an integer`);
  }
  return value;
}

export function stringList(input: Obj, member: string): string[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new AwsError('ValidationException', `Value at '${camel(member)}' must be a list of strings`);
  }
  return value as string[];
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

export type Operation = (input: Obj) => Obj | Promise<Obj>;

export interface AwsJsonServerOptions {
  /** `1.0` (Step Functions, DynamoDB) or `1.1` (Secrets Manager): only the content type differs. */
  protocol: '1.0' | '1.1';
  /** The X-Amz-Target prefix, e.g. `AWSStepFunctions` or `secretsmanager`. */
  targetPrefix: string;
  operations: Record<string, Operation>;
  port?: number;
  host?: string;
}

export interface AwsJsonServer {
  url: string;
  /** Requests answered so far, per operation (AWS bills some services per API call). */
  operationCounts(): Record<string, number>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startAwsJsonServer(options: AwsJsonServerOptions): Promise<AwsJsonServer> {
  const contentType = `application/x-amz-json-${options.protocol}`;
  const prefix = `${options.targetPrefix}.`;

  const reply = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    res
      .writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID(), ...headers })
      .end(JSON.stringify(body));
  };

  const counts: Record<string, number> = {};
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    try {
      const target = String(req.headers['x-amz-target'] ?? '');
      const name = target.startsWith(prefix) ? target.slice(prefix.length) : undefined;
      // Own properties only: a target such as `toString` must not reach Object.prototype.
      const operation =
        name !== undefined && Object.hasOwn(options.operations, name) ? options.operations[name] : undefined;
      if (req.method !== 'POST' || !operation) {
        throw new AwsError(
          'UnknownOperationException',
          `${target || 'a request without X-Amz-Target'} is not supported here`,
        );
      }
      let input: unknown;
      try {
        input = raw.length > 0 ? JSON.parse(raw) : {};
      } catch {
        throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
      }
      if (!isObj(input))
        throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
      counts[name as string] = (counts[name as string] ?? 0) + 1;
      reply(res, 200, await operation(input));
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      reply(res, 400, { __type: err.type, message: err.message }, { 'x-amzn-errortype': err.type });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Only the error's class name goes out: a message could quote request content (secrets).
      const type = err instanceof Error ? err.name : 'Error';
      if (!res.headersSent)
        reply(res, 500, { __type: 'InternalServiceError', message: `emulator failure (${type})` });
    });
  });
  server.keepAliveTimeout = 1000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    operationCounts: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

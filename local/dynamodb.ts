/**
 * Local DynamoDB: dynalite (a DynamoDB implementation on LevelDB) on loopback, so the real
 * `@aws-sdk/client-dynamodb` runs unchanged against it (`endpoint`, or `AWS_ENDPOINT_URL_DYNAMODB`,
 * with any dummy credentials and region), plus the idempotent creation of the requests table from
 * the same definition the CDK construct deploys.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve as resolvePath } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { requestsTableDefinition } from '../lambdas/clients/requests/schema';

export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  close(): Promise<void>;
}

/** Data directories opened by this process (a pid file cannot tell two of ours apart). */
const openDataDirs = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else - still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A second dynalite on a directory whose LevelDB LOCK is held does not fail to start: it listens,
 * then hangs or crashes the process (an unhandled stream 'error') on the first request. So we
 * refuse up front, with a pid file for other processes and a set for this one. A pid file left by
 * a crashed run names a dead process and is taken over.
 */
async function claimDataDir(dataDir: string): Promise<() => Promise<void>> {
  const dir = resolvePath(dataDir);
  if (openDataDirs.has(dir))
    throw new Error(`DynamoDB data directory '${dir}' is already open in this process`);
  await mkdir(dir, { recursive: true });
  const pidFile = join(dir, 'dynalite.pid');
  const owner = Number(await readFile(pidFile, 'utf8').catch(() => ''));
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner))
    throw new Error(`DynamoDB data directory '${dir}' is in use by process ${owner}`);
  await writeFile(pidFile, String(process.pid));
  openDataDirs.add(dir);
  return async () => {
    openDataDirs.delete(dir);
    await rm(pidFile, { force: true });
  };
}

/**
 * Starts dynalite in memory, or persisted in `dataDir` (created if missing). Table state changes
 * are instant (dynalite's default keeps a new table CREATING for 500 ms). Port 0 (the default)
 * picks a free one.
 */
export async function startDynamoDb(
  options: { dataDir?: string; port?: number } = {},
): Promise<LocalDynamoDb> {
  const release = options.dataDir === undefined ? async () => {} : await claimDataDir(options.dataDir);
  const server = dynalite({
    ...(options.dataDir === undefined ? {} : { path: options.dataDir }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    // e.g. EADDRINUSE. dynalite opened its store on construction, and its close() only closes the
    // store after closing a *listening* server: listen on a spare port so close() releases it.
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => server.close(() => done())));
    await release();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    // dynalite's close stops the HTTP server, then waits for pending LevelDB writes and closes the
    // store, which releases the directory's LOCK for the next start.
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
      });
      await release();
    },
  };
}

const ACTIVE = 'ACTIVE';
const WAIT_STEP_MS = 100;
const WAIT_LIMIT_MS = 30_000;

function isActive(table: TableDescription | undefined): boolean {
  return (
    table?.TableStatus === ACTIVE &&
    (table.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === undefined || index.IndexStatus === ACTIVE,
    )
  );
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if ((err as { name?: unknown } | null)?.name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

/**
 * Creates the requests table if it is missing and waits until it and its indexes are ACTIVE.
 * Idempotent, and safe when two callers race (the loser's ResourceInUseException is ignored).
 * TTL is not switched on: dynalite has no UpdateTimeToLive, and the store never relies on TTL
 * (expired locks are recognised by `expiresAt`).
 */
export async function ensureRequestsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  if (!(await describe(client, tableName))) {
    try {
      await client.send(new CreateTableCommand({ ...requestsTableDefinition, TableName: tableName }));
    } catch (err) {
      if ((err as { name?: unknown } | null)?.name !== 'ResourceInUseException') throw err;
    }
  }
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    if (isActive(await describe(client, tableName))) return;
    if (Date.now() > deadline)
      throw new Error(`Table '${tableName}' did not become ACTIVE in ${WAIT_LIMIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
  }
}

/**
 * The official Okta SDK with our defaults (sdk/transport.ts: only the parts of it we call), and
 * the three ways a step calls it: `call` (any failure is an error), `find` (404 means "not
 * there"), `gone` (undo: 404 means "already removed"). Retries are not done here: the SDK's 429
 * retry is off and Step Functions is the single retry owner (errors carry the class and the reset time).
 */
import { logger } from '../logger';
import { mapOktaError, statusOf } from './errors';
import { OktaTransport, type TransportConfig } from './sdk/transport';

export type OktaConfig = TransportConfig;

/** Every Okta list endpoint pages through one async collection; this is the one way we read it. */
export async function all<T>(collection: AsyncIterable<T | null>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of collection) if (item !== null) items.push(item);
  return items;
}

export class OktaApi {
  /** What the API classes of each resource family are built on. */
  readonly transport: OktaTransport;
  readonly orgUrl: string;

  constructor(config: OktaConfig) {
    this.orgUrl = config.orgUrl.replace(/\/+$/, '');
    this.transport = new OktaTransport({ ...config, orgUrl: this.orgUrl });
  }

  /** Runs one SDK call; every failure leaves as a taxonomy error without secrets or vendor payloads. */
  async call<T>(
    operation: string,
    fn: () => Promise<T>,
    secrets: ReadonlyArray<string | undefined> = [],
  ): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const mapped = mapOktaError(operation, err, secrets);
      logger.warn('okta call failed', { operation, error: mapped.name, status: statusOf(err) });
      throw mapped;
    }
  }

  /** A list call, read to the end. */
  list<T>(operation: string, fn: () => Promise<AsyncIterable<T | null>>): Promise<T[]> {
    return this.call(operation, async () => all(await fn()));
  }

  /** Like `call`, but a 404 means "not there" and yields undefined. */
  async find<T>(operation: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw mapOktaError(operation, err);
    }
  }

  /** Undo helper: a 404 means someone (maybe an earlier attempt) already removed it. */
  async gone(operation: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (statusOf(err) === 404) return;
      throw mapOktaError(operation, err);
    }
  }
}

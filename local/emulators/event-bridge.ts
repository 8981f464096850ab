/**
 * A loopback Amazon EventBridge default bus: PutEvents over the AWS JSON 1.1 protocol (so the real
 * `@aws-sdk/client-eventbridge` works unchanged), in-process publishing for events AWS services
 * send themselves (the Step Functions emulator's execution status changes), and rules that match
 * EventBridge event patterns and deliver to in-process targets.
 *
 * Delivery models EventBridge -> Lambda (asynchronous invocation): a target that throws is tried
 * again (Lambda's default is two retries), and an event that still fails is kept as a dead letter,
 * as the deployed function's on-failure destination (an SQS queue) keeps it.
 */
import { randomUUID } from 'node:crypto';
import { AwsError, isObj, startAwsJsonServer, type Obj } from './aws-json';

export interface EventRule {
  name: string;
  /** An EventBridge event pattern: exact values (arrays), nested objects. */
  pattern: Obj;
  target(event: Obj): Promise<void>;
}

export interface DeadLetter {
  rule: string;
  event: Obj;
  error: string;
}

export interface EventBridgeEmulator {
  url: string;
  /** Puts an event on the bus as an AWS service would (no PutEvents call). */
  publish(event: Obj): void;
  /** Adds a rule (local mode adds them once its handlers exist). */
  addRule(rule: EventRule): void;
  /** Every event put on the bus, oldest first. */
  events(): Obj[];
  deadLetters(): DeadLetter[];
  /** Resolves when every delivery (retries included) has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface EventBridgeEmulatorOptions {
  region?: string;
  account?: string;
  /** Deliveries per event and rule before it is dead-lettered (Lambda async: 1 + 2 retries). */
  attempts?: number;
  /** Wait before each retry, ms (Lambda waits about a minute, then two). */
  retryDelayMs?: number;
  port?: number;
}

/** EventBridge pattern matching for the subset our rules use: value lists and nested objects. */
export function matches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) => pattern.some((p) => p === v));
  }
  if (isObj(pattern)) {
    if (!isObj(value)) return false;
    return Object.entries(pattern).every(([key, sub]) => matches(sub, value[key]));
  }
  return false;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startEventBridgeEmulator(
  options: EventBridgeEmulatorOptions = {},
): Promise<EventBridgeEmulator> {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '000000000000';
  const attempts = options.attempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const rules: EventRule[] = [];
  const seen: Obj[] = [];
  const dead: DeadLetter[] = [];
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  const deliver = async (rule: EventRule, event: Obj) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await rule.target(structuredClone(event));
        return;
      } catch (err) {
        if (attempt >= attempts || closed) {
          dead.push({ rule: rule.name, event, error: err instanceof Error ? err.name : 'Error' });
          return;
        }
        await sleep(retryDelayMs);
      }
    }
  };

  const publish = (event: Obj) => {
    if (closed) return;
    seen.push(event);
    for (const rule of rules.filter((r) => matches(r.pattern, event))) {
      const delivery = deliver(rule, event).finally(() => inFlight.delete(delivery));
      inFlight.add(delivery);
    }
  };

  const server = await startAwsJsonServer({
    protocol: '1.1',
    targetPrefix: 'AWSEvents',
    port: options.port,
    operations: {
      PutEvents(input) {
        const entries = input.Entries;
        if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10)
          throw new AwsError('ValidationException', 'Entries must hold 1 to 10 entries');
        return {
          FailedEntryCount: 0,
          Entries: entries.map((entry: unknown) => {
            const e = isObj(entry) ? entry : {};
            const bus = e.EventBusName ?? 'default';
            if (bus !== 'default' && bus !== `arn:aws:events:${region}:${account}:event-bus/default`)
              throw new AwsError('ResourceNotFoundException', `Event bus ${String(bus)} does not exist.`);
            if (
              typeof e.Source !== 'string' ||
              typeof e.DetailType !== 'string' ||
              typeof e.Detail !== 'string'
            )
              throw new AwsError('ValidationException', 'Source, DetailType and Detail are required');
            let detail: unknown;
            try {
              detail = JSON.parse(e.Detail);
            } catch {
              throw new AwsError('ValidationException', 'Detail is malformed.');
            }
            if (!isObj(detail)) throw new AwsError('ValidationException', 'Detail is malformed.');
            const id = randomUUID();
            publish({
              version: '0',
              id,
              'detail-type': e.DetailType,
              source: e.Source,
              account,
              time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
              region,
              resources: Array.isArray(e.Resources) ? e.Resources : [],
              detail,
            });
            return { EventId: id };
          }),
        };
      },
    },
  });

  return {
    url: server.url,
    publish,
    addRule: (rule) => rules.push(rule),
    events: () => structuredClone(seen),
    deadLetters: () => structuredClone(dead),
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    async close() {
      closed = true;
      await Promise.all([...inFlight]);
      await server.close();
    },
  };
}

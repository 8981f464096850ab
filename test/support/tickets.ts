/**
 * Driving the ticket front doors of a local stack as Jira and ServiceNow would: signed deliveries
 * over real HTTP, plus what a test needs to see that nothing happened (executions started, items
 * written to the requests table).
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { hubSignature as signedBy, serviceNowSignature } from '../../lambdas/core/webhook-signatures';
import type { LocalStack } from '../../local/stack';
import { localAws } from './local-aws';

export type Json = Record<string, unknown>;

export interface Answer {
  status: number;
  body: Json | undefined;
  headers: Headers;
}

export const hubSignature = (secret: string, body: string | Buffer) =>
  signedBy(secret, typeof body === 'string' ? Buffer.from(body) : body);

export async function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  let parsed: Json | undefined;
  try {
    parsed = text ? (JSON.parse(text) as Json) : undefined;
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** A Jira admin-webhook delivery of `payload`, signed with the stack's secret unless told otherwise. */
export function sendJira(
  stack: LocalStack,
  payload: Json | string,
  options: { deliveryId?: string; signature?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const signature =
    options.signature === undefined ? hubSignature(stack.webhookSecrets.jira, body) : options.signature;
  return post(`${stack.apiUrl}/webhooks/jira`, body, {
    'X-Atlassian-Webhook-Identifier': options.deliveryId ?? randomUUID(),
    'User-Agent': 'Atlassian Webhook HTTP Client',
    ...(signature === null ? {} : { 'X-Hub-Signature': signature }),
    ...options.headers,
  });
}

/** A delivery of our ServiceNow business rule: `X-SN-Timestamp` + base64 MAC over `<ts>.<body>`. */
export function sendServiceNow(
  stack: LocalStack,
  payload: Json | string,
  options: { timestamp?: number; secret?: string; signature?: string | null } = {},
): Promise<Answer> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const ts = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const signature =
    options.signature === undefined
      ? serviceNowSignature(options.secret ?? stack.webhookSecrets.servicenow, ts, Buffer.from(body))
      : options.signature;
  return post(`${stack.apiUrl}/webhooks/servicenow`, body, {
    'X-SN-Timestamp': ts,
    'User-Agent': 'ServiceNow/1.0',
    ...(signature === null ? {} : { 'X-SN-Signature': signature }),
  });
}

export async function executionCount(stack: LocalStack): Promise<number> {
  const { sfn } = localAws(stack);
  const listed = await sfn.send(
    new ListExecutionsCommand({ stateMachineArn: stack.stateMachines.provision }),
  );
  return listed.executions?.length ?? 0;
}

/** Every item in the requests table (records, locks, deliveries): "nothing written" means this is unchanged. */
export async function tableItems(stack: LocalStack): Promise<Json[]> {
  const { region, credentials, endpoints } = stack.aws;
  const client = new DynamoDBClient({ region, credentials, endpoint: endpoints?.dynamodb });
  try {
    const items: Json[] = [];
    let start: Record<string, never> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: stack.requestsTable, ExclusiveStartKey: start }),
      );
      items.push(...((page.Items ?? []) as Json[]));
      start = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (start);
    return items;
  } finally {
    client.destroy();
  }
}

export function fixture(file: string): Json {
  return JSON.parse(readFileSync(path.join(__dirname, '../fixtures', file), 'utf8')) as Json;
}

/** A Jira fixture about an issue the sandbox holds: the fixture's ids and self links replaced. */
export function jiraFixture(file: string, issue: { key: string; id: string }, fields: Json = {}): Json {
  const payload = fixture(file);
  const target = payload.issue as { key: string; id: string; self: string; fields: Json };
  target.key = issue.key;
  target.id = issue.id;
  target.self = target.self.replace(/\/\d+$/, `/${issue.id}`);
  Object.assign(target.fields, fields);
  return payload;
}

/** The text of an ADF document as a reader sees it: a paragraph's text runs together, blocks on lines. */
export function adfText(node: unknown): string {
  if (typeof node !== 'object' || node === null) return '';
  const n = node as { type?: unknown; text?: unknown; content?: unknown };
  const own = typeof n.text === 'string' ? n.text : '';
  const children = Array.isArray(n.content)
    ? n.content.map(adfText).join(n.type === 'paragraph' ? '' : '\n')
    : '';
  return own + children;
}

/**
 * One webhook delivery, from raw bytes to what happened: authenticated first (nothing is parsed,
 * let alone written, for a delivery that is not signed with this webhook's secret), then read as a
 * ticket event, then taken in. The HTTP answer is the API handler's business; this says what it is.
 */
import type { CachedSecret } from '../clients/cached-secret';
import { logger } from '../clients/logger';
import type { JiraSigning } from '../core/webhook-config';
import { jiraDecision, type JiraMapping } from '../core/jira-webhook';
import { serviceNowDecision, type ServiceNowMapping } from '../core/servicenow-webhook';
import type { TicketChannel, TicketDecision } from '../core/ticket-request';
import {
  verifyHubSignature,
  verifyServiceNowSignature,
  verifySharedSecret,
  type SignatureProblem,
  type SignatureVerdict,
} from '../core/webhook-signatures';
import { takeInTicket, type IntakeDeps, type IntakeOptions, type IntakeOutcome } from './intake';

export interface Delivery {
  rawBody: Buffer;
  /** Header lookup, case-insensitive. */
  header(name: string): string | undefined;
}

export type DeliveryResult =
  | { kind: 'unauthenticated'; problem: SignatureProblem }
  | { kind: 'malformed'; reason: string }
  | { kind: 'ignored'; reason: string }
  | (IntakeOutcome & { ticket: string });

export interface WebhookDeps extends IntakeDeps {
  signingSecret: CachedSecret;
}

export interface JiraWebhookDeps extends WebhookDeps {
  signing: JiraSigning;
  mapping: JiraMapping;
}

export interface ServiceNowWebhookDeps extends WebhookDeps {
  signatureHeader: string;
  timestampHeader: string;
  toleranceSeconds: number;
  mapping: ServiceNowMapping;
}

/**
 * The signing secret may hold several values, one per line, while a secret is rotated: the new one
 * first, the old one until the sender uses the new one (docs/operations.md, "Rotating the webhook
 * secrets"). A delivery signed with any of them is authentic.
 */
async function signingSecrets(deps: WebhookDeps): Promise<string[]> {
  return (await deps.signingSecret.value())
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function anyOf(secrets: string[], verify: (secret: string) => SignatureVerdict): SignatureVerdict {
  let verdict: SignatureVerdict = { ok: false, problem: 'mismatch' };
  for (const secret of secrets) {
    verdict = verify(secret);
    // Missing or malformed does not depend on the secret: no point trying the others.
    if (verdict.ok || verdict.problem !== 'mismatch') return verdict;
  }
  return verdict;
}

function refused(channel: TicketChannel, verdict: SignatureVerdict): DeliveryResult | undefined {
  if (verdict.ok) return undefined;
  // Which check failed is for operators (a rotated secret shows as 'mismatch'), not for callers.
  logger.warn('webhook delivery refused', { channel, problem: verdict.problem });
  return { kind: 'unauthenticated', problem: verdict.problem };
}

function parseJson(raw: Buffer): { ok: true; body: unknown } | { ok: false } {
  try {
    return { ok: true, body: JSON.parse(raw.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

async function decide(
  deps: IntakeDeps,
  decision: TicketDecision,
  options: IntakeOptions,
): Promise<DeliveryResult> {
  if (decision.action === 'malformed') return { kind: 'malformed', reason: decision.reason };
  if (decision.action === 'ignore') {
    logger.info('webhook delivery ignored', { reason: decision.reason });
    return { kind: 'ignored', reason: decision.reason };
  }
  const outcome = await takeInTicket(deps, decision.request, options);
  return { ...outcome, ticket: decision.request.ticket.key };
}

export async function receiveJiraDelivery(
  deps: JiraWebhookDeps,
  delivery: Delivery,
): Promise<DeliveryResult> {
  const { signing } = deps;
  const verdict = anyOf(await signingSecrets(deps), (secret) =>
    signing.mode === 'hmac'
      ? verifyHubSignature(delivery.rawBody, delivery.header('X-Hub-Signature'), secret)
      : verifySharedSecret(delivery.header(signing.header), secret),
  );
  const denied = refused('jira', verdict);
  if (denied) return denied;
  const json = parseJson(delivery.rawBody);
  if (!json.ok) return { kind: 'malformed', reason: 'the body is not JSON' };
  const decision = jiraDecision(json.body, delivery.header('X-Atlassian-Webhook-Identifier'), deps.mapping);
  // Jira retries a delivery (up to ~30 minutes) under the same identifier: answer it as before.
  return decide(deps, decision, { repeatedDelivery: 'answer' });
}

export async function receiveServiceNowDelivery(
  deps: ServiceNowWebhookDeps,
  delivery: Delivery,
): Promise<DeliveryResult> {
  const headers = {
    signature: delivery.header(deps.signatureHeader),
    timestamp: delivery.header(deps.timestampHeader),
  };
  const clock = { nowMs: deps.now().getTime(), toleranceSeconds: deps.toleranceSeconds };
  const verdict = anyOf(await signingSecrets(deps), (secret) =>
    verifyServiceNowSignature(delivery.rawBody, headers, secret, clock),
  );
  const denied = refused('servicenow', verdict);
  if (denied) return denied;
  const json = parseJson(delivery.rawBody);
  if (!json.ok) return { kind: 'malformed', reason: 'the body is not JSON' };
  return decide(deps, serviceNowDecision(json.body, deps.mapping), { repeatedDelivery: 'refuse' });
}

/**
 * What the service says on a ticket, built once and rendered twice: as an Atlassian Document Format
 * document for a Jira comment and as plain text for a ServiceNow work note. An answer is built only
 * from named, secret-free fields (identifiers, URLs, the client secret's Secrets Manager ARN, error
 * summaries that are secret-free by contract): there is no path by which a secret value gets in.
 */
import type { FieldIssue } from './errors';

export interface RunFacts {
  requestId: string;
  workspace: string;
  environment: string;
  /** Where to follow the request (`GET <api>/provisionings/<id>`), when the API's URL is known. */
  statusUrl?: string;
}

export type TicketAnswer =
  | (RunFacts & {
      kind: 'succeeded';
      portalUrl: string;
      issuer: string;
      clientId: string;
      clientSecretArn: string;
    })
  | (RunFacts & { kind: 'failed'; failedStep?: string; reason: string })
  | (RunFacts & { kind: 'cleanup-incomplete'; failedStep?: string; reason: string; leftovers: string[] })
  | { kind: 'rejected'; ticketKey: string; deliveryId: string; issues: FieldIssue[] };

const MAX_REASON = 1_000;
const MAX_ITEMS = 25;

const clip = (text: string, max = MAX_REASON) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

// ---- the content, as blocks both renderers share -----------------------------------------------

type Inline = { text: string; code?: boolean; strong?: boolean; href?: string };

/** Only a real http(s) URL becomes a link (a run whose output lacks one says "(unknown)"). */
const isWebUrl = (text: string) => /^https?:\/\/[^\s]+$/.test(text);
type Block = { paragraph: Inline[] } | { bullets: Inline[][] };

const t = (text: string): Inline => ({ text });
const code = (text: string): Inline => ({ text, code: true });
const strong = (text: string): Inline => ({ text, strong: true });

function footer(facts: RunFacts): Block {
  return {
    paragraph: [
      t('Request '),
      code(facts.requestId),
      ...(facts.statusUrl ? [t(' (status: '), { text: facts.statusUrl, href: facts.statusUrl }, t(')')] : []),
      t(' - kong-portal-provisioner'),
    ],
  };
}

function blocksOf(answer: TicketAnswer): Block[] {
  switch (answer.kind) {
    case 'succeeded':
      return [
        {
          paragraph: [
            strong('Your Kong Dev Portal is ready'),
            t(
              ` (workspace ${answer.workspace}, environment ${answer.environment}). Developers sign in with Okta.`,
            ),
          ],
        },
        {
          bullets: [
            [
              t('Portal: '),
              { text: answer.portalUrl, ...(isWebUrl(answer.portalUrl) ? { href: answer.portalUrl } : {}) },
            ],
            [t('Issuer: '), code(answer.issuer)],
            [t('Client id: '), code(answer.clientId)],
            [t('Client secret: kept in AWS Secrets Manager, '), code(answer.clientSecretArn)],
          ],
        },
        footer(answer),
      ];
    case 'failed':
      return [
        {
          paragraph: [
            strong('The Dev Portal could not be set up'),
            t(` (workspace ${answer.workspace}, environment ${answer.environment}).`),
          ],
        },
        {
          bullets: [
            [t('Failed step: '), code(answer.failedStep ?? 'unknown')],
            [t(`Reason: ${clip(answer.reason)}`)],
            [t('Everything this request had created was rolled back; nothing was left behind.')],
          ],
        },
        footer(answer),
      ];
    case 'cleanup-incomplete':
      return [
        {
          paragraph: [
            strong('The Dev Portal could not be set up, and the clean-up is incomplete'),
            t(
              ` (workspace ${answer.workspace}, environment ${answer.environment}). The platform team has been alerted.`,
            ),
          ],
        },
        {
          bullets: [
            [t('Failed step: '), code(answer.failedStep ?? 'unknown')],
            [t(`Reason: ${clip(answer.reason)}`)],
          ],
        },
        { paragraph: [t('Possibly left behind:')] },
        {
          bullets: (answer.leftovers.length ? answer.leftovers : ['(unknown: see the execution history)'])
            .slice(0, MAX_ITEMS)
            .map((leftover) => [code(leftover)]),
        },
        footer(answer),
      ];
    case 'rejected':
      return [
        {
          paragraph: [
            strong('This request was not started'),
            t(
              `: ${answer.ticketKey} is missing or has invalid details. Fix them, then approve the ticket again.`,
            ),
          ],
        },
        {
          bullets: answer.issues
            .slice(0, MAX_ITEMS)
            .map((issue) => [
              t(issue.field ? `${issue.field}: ${clip(issue.reason, 300)}` : clip(issue.reason, 300)),
            ]),
        },
        { paragraph: [t('Delivery '), code(answer.deliveryId), t(' - kong-portal-provisioner')] },
      ];
  }
}

// ---- Atlassian Document Format -------------------------------------------------------------------

type AdfMark = { type: 'code' } | { type: 'strong' } | { type: 'link'; attrs: { href: string } };
interface AdfText {
  type: 'text';
  text: string;
  marks?: AdfMark[];
}
interface AdfParagraph {
  type: 'paragraph';
  content: AdfText[];
}
interface AdfList {
  type: 'bulletList';
  content: Array<{ type: 'listItem'; content: AdfParagraph[] }>;
}
export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: Array<AdfParagraph | AdfList>;
}

function adfText(inline: Inline): AdfText {
  const marks: AdfMark[] = [];
  // ADF allows `code` only with link-free, unformatted text, so it stands alone.
  if (inline.code) marks.push({ type: 'code' });
  else {
    if (inline.strong) marks.push({ type: 'strong' });
    if (inline.href) marks.push({ type: 'link', attrs: { href: inline.href } });
  }
  return { type: 'text', text: inline.text, ...(marks.length ? { marks } : {}) };
}

/** ADF rejects empty text nodes ("Comment body is not valid!"): they are dropped. */
const paragraph = (inlines: Inline[]): AdfParagraph => ({
  type: 'paragraph',
  content: inlines.filter((i) => i.text.length > 0).map(adfText),
});

export function toAdf(answer: TicketAnswer): AdfDocument {
  return {
    type: 'doc',
    version: 1,
    content: blocksOf(answer).map((block) =>
      'paragraph' in block
        ? paragraph(block.paragraph)
        : {
            type: 'bulletList',
            content: block.bullets.map((item) => ({ type: 'listItem', content: [paragraph(item)] })),
          },
    ),
  };
}

// ---- plain text (ServiceNow work notes) ----------------------------------------------------------

const plain = (inlines: Inline[]) => inlines.map((i) => i.text).join('');

/**
 * Text every answer carries that names what it answers (the request id, or the rejected delivery):
 * how a retry finds out whether an earlier attempt already posted it.
 */
export function answerMarker(answer: TicketAnswer): string {
  return answer.kind === 'rejected' ? answer.deliveryId : answer.requestId;
}

export function toPlainText(answer: TicketAnswer): string {
  return blocksOf(answer)
    .map((block) =>
      'paragraph' in block
        ? plain(block.paragraph)
        : block.bullets.map((item) => `- ${plain(item)}`).join('\n'),
    )
    .join('\n\n');
}

/**
 * POST /webhooks/jira: a Jira Cloud webhook (or JSM automation rule) asking for a portal. No IAM
 * (Jira cannot sign SigV4): every delivery must carry this webhook's HMAC signature, or in
 * shared-secret mode its secret header. 202 with the request id (the run is started, not awaited),
 * 200 REJECTED (answered on the ticket), 204 not for us, 400 malformed, 401 unsigned, 413 too large.
 */
import { receiveJiraDelivery } from '../tickets/webhooks';
import { respond, type ApiEvent, type ApiResult } from './http';
import { jiraDepsFromEnv, type JiraHandlerDeps } from './webhook-deps';
import { deliveryOf, deliveryResponse, rawBodyOf, tooLarge } from './webhook-http';

export async function jiraWebhook(event: ApiEvent, deps: JiraHandlerDeps): Promise<ApiResult> {
  return respond(async () => {
    const raw = rawBodyOf(event);
    return (
      tooLarge(raw, deps.maxBodyBytes) ??
      deliveryResponse(deps, await receiveJiraDelivery(deps, deliveryOf(event, raw)))
    );
  });
}

export const handler = (event: ApiEvent): Promise<ApiResult> => jiraWebhook(event, jiraDepsFromEnv());

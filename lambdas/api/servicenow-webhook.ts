/**
 * POST /webhooks/servicenow: our business rule on sc_req_item asking for a portal. No IAM: every
 * delivery carries a base64 HMAC-SHA256 over `<timestamp>.<raw body>` and a fresh delivery id; a
 * stale timestamp is 401, a repeated delivery id 409. Otherwise answered like the Jira webhook.
 */
import { receiveServiceNowDelivery } from '../tickets/webhooks';
import { respond, type ApiEvent, type ApiResult } from './http';
import { serviceNowDepsFromEnv, type ServiceNowHandlerDeps } from './webhook-deps';
import { deliveryOf, deliveryResponse, rawBodyOf, tooLarge } from './webhook-http';

export async function serviceNowWebhook(event: ApiEvent, deps: ServiceNowHandlerDeps): Promise<ApiResult> {
  return respond(async () => {
    const raw = rawBodyOf(event);
    return (
      tooLarge(raw, deps.maxBodyBytes) ??
      deliveryResponse(deps, await receiveServiceNowDelivery(deps, deliveryOf(event, raw)))
    );
  });
}

export const handler = (event: ApiEvent): Promise<ApiResult> =>
  serviceNowWebhook(event, serviceNowDepsFromEnv());

/**
 * Publishes "Ticket Rejected" events to EventBridge: a webhook handler that refuses a ticket's
 * request hands the answer to the notifier (the run-ended handler), which answers every ticket.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { TransientError } from '../core/errors';
import { PROVISIONER_EVENT_SOURCE, TICKET_REJECTED, type TicketRejectedDetail } from '../core/run-events';
import { mapAwsError } from './aws-errors';

export interface TicketEvents {
  rejected(detail: TicketRejectedDetail): Promise<void>;
}

export class EventBridgeTicketEvents implements TicketEvents {
  constructor(
    private readonly busName: string,
    private readonly client: EventBridgeClient = new EventBridgeClient({}),
  ) {}

  async rejected(detail: TicketRejectedDetail): Promise<void> {
    let failed: number | undefined;
    try {
      const result = await this.client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: this.busName,
              Source: PROVISIONER_EVENT_SOURCE,
              DetailType: TICKET_REJECTED,
              Detail: JSON.stringify(detail),
              Resources: [],
            },
          ],
        }),
      );
      failed = result.FailedEntryCount;
    } catch (err) {
      throw mapAwsError('EventBridge', 'PutEvents', `${this.busName}`, err);
    }
    // PutEvents answers 200 even when an entry was not accepted (e.g. throttled): that is worth retrying.
    if (failed)
      throw new TransientError(`EventBridge PutEvents on '${this.busName}' did not accept the event`);
  }
}

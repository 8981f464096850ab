/** Every client, for local mode: one context serves all the states of its state machines. */
import type { ClientBuilders } from '../context';
import { kong } from './kong';
import { konnect } from './konnect';
import { OKTA_FAMILIES } from '../../clients/okta';
import { oktaWith } from './okta';
import { requests } from './requests';
import { secrets } from './secrets';

export const ALL_CLIENTS: ClientBuilders = {
  secrets,
  okta: oktaWith(OKTA_FAMILIES),
  kong,
  konnect,
  requests,
};

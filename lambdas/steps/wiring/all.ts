/** Every client, for local mode: one context serves all the states of its state machines. */
import type { ClientBuilders } from '../context';
import { kong } from './kong';
import { okta } from './okta';
import { requests } from './requests';
import { secrets } from './secrets';

export const ALL_CLIENTS: ClientBuilders = { secrets, okta, kong, requests };

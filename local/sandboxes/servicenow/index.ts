/**
 * A stateful loopback stand-in for the parts of a ServiceNow instance the provisioner and the
 * sample-ticket CLI use: the Table API on `sc_req_item` (create, read, PATCH with work notes and
 * state) and `sys_journal_field` (read the work notes back), basic auth or OAuth bearer tokens from
 * `/oauth_token.do` (password grant), and ServiceNow's error bodies. Shapes are modeled from the
 * documentation (contracts/servicenow-table-api.modeled.yaml says which page each comes from).
 * It also renders the delivery our business rule sends for an item, for tests.
 */
import { randomBytes } from 'node:crypto';
import { serviceNowContract } from '../../contracts/validator';
import {
  SANDBOX_CATALOG_ITEM,
  SERVICENOW_SANDBOX_OAUTH_CLIENT,
  SERVICENOW_SANDBOX_USER,
} from '../../dev-defaults';
import {
  startHttpSandbox,
  type Route,
  type SandboxControl,
  type SandboxFlavour,
  type SandboxRequest,
} from '../http-sandbox';
import { ServiceNowState, newSysId, type JournalEntry, type SnRecord } from './records';

export { SANDBOX_CATALOG_ITEM, SERVICENOW_SANDBOX_OAUTH_CLIENT, SERVICENOW_SANDBOX_USER };

const snError = (status: number, message: string, detail: string | null = null) => ({
  status,
  body: { error: { message, detail }, status: 'failure' },
});

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ServiceNowSandboxControl {
  /** A requested item as the catalog creates it (state 1 Open), with its catalog variables. */
  addRequestedItem(variables: Record<string, string>, fields?: Record<string, string>): SnRecord;
  /** Sets fields as a person in the UI would (bumps sys_mod_count). */
  updateItem(sysId: string, fields: Record<string, string>): SnRecord;
  /**
   * A business rule on sc_req_item "after update": after every update of an item - through the UI
   * (`updateItem`) or the Table API (our own work-note PATCH included) - it is given the item and
   * its state before the update, and decides whether to send a delivery (its condition). An
   * `after` rule sees `previous` (ServiceNow Business Rules: "previous ... available for before and
   * after rules"); `executeAsync` keeps the update from waiting on the call, so it runs detached here.
   */
  onItemUpdated(rule: (item: SnRecord, previousState: string) => void): () => void;
  reset(): void;
}

export interface ServiceNowSandbox {
  url: string;
  user: typeof SERVICENOW_SANDBOX_USER;
  oauthClient: typeof SERVICENOW_SANDBOX_OAUTH_CLIENT;
  control: SandboxControl & ServiceNowSandboxControl;
  state: {
    item(sysId: string): SnRecord | undefined;
    workNotes(sysId: string): string[];
    journal(): JournalEntry[];
  };
  /**
   * The body docs/servicenow-business-rule.js sends for this item (a fresh delivery id each time),
   * with the state before the update that fired the rule (default: Open, 1).
   */
  deliveryPayload(sysId: string, previousState?: string): Record<string, unknown>;
  close(): Promise<void>;
}

const ITEM = '/api/now/table/{tableName}/{sys_id}';
const TABLE = '/api/now/table/{tableName}';

export async function startServiceNowSandbox(options: { port?: number } = {}): Promise<ServiceNowSandbox> {
  const state = new ServiceNowState();
  const rules: Array<(item: SnRecord, previousState: string) => void> = [];
  const updated = (record: SnRecord, changes: Record<string, unknown>, by: string) => {
    const previousState = String(record.fields.state ?? '');
    state.update(record, changes, by);
    const snapshot = structuredClone(record);
    for (const rule of rules) setImmediate(() => rule(snapshot, previousState));
  };
  const tokens = new Map<string, number>();
  const requester = { sys_id: newSysId(), name: 'Mia Krystof', user_name: 'mia.krystof' };

  const caller = (req: SandboxRequest): string | undefined => {
    const header = req.headers.authorization;
    const value = (Array.isArray(header) ? header[0] : header) ?? '';
    const bearer = /^Bearer (\S+)$/.exec(value)?.[1];
    if (bearer) return (tokens.get(bearer) ?? 0) > Date.now() ? SERVICENOW_SANDBOX_USER.username : undefined;
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(value)?.[1];
    if (!basic) return undefined;
    const [user, ...rest] = Buffer.from(basic, 'base64').toString('utf8').split(':');
    return user === SERVICENOW_SANDBOX_USER.username && rest.join(':') === SERVICENOW_SANDBOX_USER.password
      ? user
      : undefined;
  };

  const tableOnly = (req: SandboxRequest, table: string) =>
    req.params.tableName === table ? undefined : snError(400, `Invalid table ${req.params.tableName}`);

  const routes: Route[] = [
    {
      method: 'POST',
      template: '/oauth_token.do',
      public: true,
      handler: (req) => {
        const form = isObj(req.body) ? req.body : {};
        const ok =
          form.grant_type === 'password' &&
          form.client_id === SERVICENOW_SANDBOX_OAUTH_CLIENT.clientId &&
          form.client_secret === SERVICENOW_SANDBOX_OAUTH_CLIENT.clientSecret &&
          form.username === SERVICENOW_SANDBOX_USER.username &&
          form.password === SERVICENOW_SANDBOX_USER.password;
        if (!ok) return { status: 401, body: { error: 'access_denied', error_description: 'access_denied' } };
        const token = randomBytes(32).toString('base64url');
        tokens.set(token, Date.now() + 1799_000);
        return {
          status: 200,
          body: {
            scope: 'useraccount',
            token_type: 'Bearer',
            expires_in: 1799,
            refresh_token: randomBytes(32).toString('base64url'),
            access_token: token,
          },
        };
      },
    },
    {
      method: 'GET',
      template: TABLE,
      handler: (req) => {
        const wrong =
          req.params.tableName === 'sys_journal_field' || req.params.tableName === 'sc_req_item'
            ? undefined
            : snError(400, `Invalid table ${req.params.tableName}`);
        if (wrong) return wrong;
        // sysparm_query: `field=value` conditions joined by ^ (what the CLI and tests use).
        const conditions = (req.query.get('sysparm_query') ?? '')
          .split('^')
          .filter(Boolean)
          .map((c) => c.split('=') as [string, string]);
        const rows: Obj[] =
          req.params.tableName === 'sys_journal_field'
            ? state.journal.map((j) => ({ ...j }))
            : [...state.items.values()].map((r) => state.render(r, req.baseUrl));
        const matching = rows.filter((row) =>
          conditions.every(([field, value]) => String(row[field]) === value),
        );
        return { status: 200, body: { result: matching } };
      },
    },
    {
      method: 'POST',
      template: TABLE,
      handler: (req) => {
        const wrong = tableOnly(req, 'sc_req_item');
        if (wrong) return wrong;
        const fields = Object.fromEntries(
          Object.entries(isObj(req.body) ? req.body : {}).map(([k, v]) => [k, String(v)]),
        );
        const record = state.createItem(fields, {
          cat_item: ['sc_cat_item', SANDBOX_CATALOG_ITEM.sys_id],
          requested_for: ['sys_user', requester.sys_id],
        });
        return { status: 201, body: { result: state.render(record, req.baseUrl) } };
      },
    },
    {
      method: 'GET',
      template: ITEM,
      handler: (req) => {
        const wrong = tableOnly(req, 'sc_req_item');
        if (wrong) return wrong;
        const record = state.items.get(req.params.sys_id ?? '');
        if (!record)
          return snError(
            404,
            'No Record found',
            "Record doesn't exist or ACL restricts the record retrieval",
          );
        return { status: 200, body: { result: state.render(record, req.baseUrl) } };
      },
    },
    {
      method: 'PATCH',
      template: ITEM,
      handler: (req) => {
        const wrong = tableOnly(req, 'sc_req_item');
        if (wrong) return wrong;
        const record = state.items.get(req.params.sys_id ?? '');
        if (!record)
          return snError(
            404,
            'No Record found',
            "Record doesn't exist or ACL restricts the record retrieval",
          );
        updated(record, isObj(req.body) ? req.body : {}, caller(req) ?? 'unknown');
        const fields = req.query.get('sysparm_fields');
        const rendered = state.render(record, req.baseUrl);
        const result = fields
          ? Object.fromEntries(
              Object.entries(rendered).filter(([k]) => k === 'sys_id' || fields.split(',').includes(k)),
            )
          : rendered;
        return { status: 200, body: { result } };
      },
    },
  ];

  const flavour: SandboxFlavour = {
    authenticate: (req) =>
      caller(req)
        ? undefined
        : snError(401, 'User Not Authenticated', 'Required to provide Auth information'),
    error: (status, message) => snError(status, message),
    invalidRequest: (errors) =>
      snError(
        400,
        'Exception while reading request',
        errors.map((e) => `${e.path} ${e.message}`.trim()).join('; '),
      ),
    // "Inbound REST API rate limiting": 429, Retry-After, X-RateLimit-* and this body.
    rateLimited: (resetEpochSeconds) => ({
      ...snError(429, 'Rate limit exceeded', 'Rate limit of 100 requests per hour for Table API exceeded'),
      headers: {
        'Retry-After': String(Math.max(0, resetEpochSeconds - Math.ceil(Date.now() / 1000))),
        'X-RateLimit-Limit': '100',
        'X-RateLimit-Reset': String(resetEpochSeconds),
      },
    }),
    contract: serviceNowContract(),
  };
  const sandbox = await startHttpSandbox(routes, flavour, { port: options.port });

  const control: ServiceNowSandboxControl = {
    addRequestedItem: (variables, fields = {}) =>
      structuredClone(
        state.createItem(
          { short_description: 'Kong Dev Portal', ...fields },
          {
            cat_item: ['sc_cat_item', SANDBOX_CATALOG_ITEM.sys_id],
            requested_for: ['sys_user', requester.sys_id],
          },
          variables,
        ),
      ),
    updateItem(sysId, fields) {
      const record = state.items.get(sysId);
      if (!record) throw new Error(`no requested item ${sysId}`);
      updated(record, fields, 'admin');
      return structuredClone(record);
    },
    onItemUpdated(rule) {
      rules.push(rule);
      return () => {
        const index = rules.indexOf(rule);
        if (index >= 0) rules.splice(index, 1);
      };
    },
    reset() {
      state.clear();
      rules.length = 0;
      tokens.clear();
      sandbox.control.resetTraffic();
    },
  };

  return {
    url: sandbox.url,
    user: SERVICENOW_SANDBOX_USER,
    oauthClient: SERVICENOW_SANDBOX_OAUTH_CLIENT,
    control: Object.assign(sandbox.control, control),
    state: {
      item: (sysId) => structuredClone(state.items.get(sysId)),
      workNotes: (sysId) =>
        state.journal.filter((j) => j.element_id === sysId && j.element === 'work_notes').map((j) => j.value),
      journal: () => structuredClone(state.journal),
    },
    deliveryPayload(sysId, previousState = '1') {
      const record = state.items.get(sysId);
      if (!record) throw new Error(`no requested item ${sysId}`);
      return {
        delivery_id: randomBytes(16).toString('hex'),
        table: 'sc_req_item',
        sys_id: record.sys_id,
        number: record.fields.number,
        sys_mod_count: record.fields.sys_mod_count,
        state: record.fields.state,
        previous_state: previousState,
        cat_item: { ...SANDBOX_CATALOG_ITEM },
        requested_for: { ...requester },
        variables: { ...record.variables },
      };
    },
    close: () => sandbox.close(),
  };
}

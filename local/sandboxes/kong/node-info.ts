/**
 * The node-wide half of the Kong sandbox: kong.conf values as `GET /` (and `/<workspace>/kong`) render them.
 * The provisioner reads the portal keys to derive the portal GUI URL and the portal API base
 * (redirect URIs), so their shapes follow what Kong EE 3.4 actually prints.
 */
import { randomUUID } from 'node:crypto';

/** One parsed `*_listen` entry, with every flag key Kong's listener parser emits (3.4). */
export interface Listener {
  ip: string;
  port: number;
  ssl: boolean;
  http2: boolean;
  proxy_protocol: boolean;
  deferred: boolean;
  bind: boolean;
  reuseport: boolean;
  'backlog=%d+': boolean;
  'ipv6only=on': boolean;
  'ipv6only=off': boolean;
  'so_keepalive=on': boolean;
  'so_keepalive=off': boolean;
  'so_keepalive=%w*:%w*:%d*': boolean;
  listener: string;
}

export interface NodeConfiguration {
  /** kong.conf `portal = on|off`: without it no workspace may enable its portal. */
  portal: boolean;
  portal_gui_protocol: 'http' | 'https';
  portal_gui_host: string;
  portal_gui_use_subdomains: boolean;
  /** Absent unless set in kong.conf; then clients derive the API base from the listeners. */
  portal_api_url?: string;
  portal_gui_listen: string[];
  portal_api_listen: string[];
  portal_gui_listeners: Listener[];
  portal_api_listeners: Listener[];
  admin_gui_url: string;
  /** Any other kong.conf value, rendered verbatim. */
  [key: string]: unknown;
}

export const KONG_VERSION = '3.4.3.5';

/** Mirrors Kong's `parse_listeners`: "0.0.0.0:8447 ssl http2" -> one record with every flag spelled out. */
export function parseListener(entry: string): Listener {
  const [address = '', ...flags] = entry.trim().split(/\s+/);
  const colon = address.lastIndexOf(':');
  const ip = colon > 0 ? address.slice(0, colon).replace(/^\[|\]$/g, '') : address;
  const port = Number(colon > 0 ? address.slice(colon + 1) : NaN);
  if (!ip || !Number.isInteger(port)) throw new Error(`invalid listener '${entry}'`);
  const has = (flag: string) => flags.includes(flag);
  return {
    ip,
    port,
    ssl: has('ssl'),
    http2: has('http2'),
    proxy_protocol: has('proxy_protocol'),
    deferred: has('deferred'),
    bind: has('bind'),
    reuseport: has('reuseport'),
    'backlog=%d+': flags.some((f) => /^backlog=\d+$/.test(f)),
    'ipv6only=on': has('ipv6only=on'),
    'ipv6only=off': has('ipv6only=off'),
    'so_keepalive=on': has('so_keepalive=on'),
    'so_keepalive=off': has('so_keepalive=off'),
    'so_keepalive=%w*:%w*:%d*': flags.some((f) => /^so_keepalive=\w*:\w*:\d*$/.test(f)),
    listener: [address, ...flags].join(' '),
  };
}

const DEFAULTS: NodeConfiguration = {
  portal: true,
  portal_gui_protocol: 'http',
  portal_gui_host: 'localhost:8003',
  portal_gui_use_subdomains: false,
  portal_gui_listen: ['0.0.0.0:8003', '0.0.0.0:8446 ssl'],
  portal_api_listen: ['0.0.0.0:8004', '0.0.0.0:8447 ssl'],
  portal_gui_listeners: [],
  portal_api_listeners: [],
  admin_gui_url: 'http://localhost:8002',
  admin_listen: ['0.0.0.0:8001', '0.0.0.0:8444 ssl'],
  proxy_listen: ['0.0.0.0:8000', '0.0.0.0:8443 ssl'],
  admin_gui_listen: ['0.0.0.0:8002', '0.0.0.0:8445 ssl'],
  database: 'postgres',
  role: 'traditional',
  enforce_rbac: 'on',
  rbac_auth_header: 'Kong-Admin-Token',
  portal_app_auth: 'kong-oauth2',
  portal_auto_approve: false,
  portal_token_exp: 21600,
  portal_is_legacy: false,
};

/**
 * Builds a complete configuration from defaults plus overrides. Listener records follow the `*_listen`
 * strings unless the caller sets them explicitly, so tests can move a port by changing one value.
 */
export function buildConfiguration(overrides: Partial<NodeConfiguration> = {}): NodeConfiguration {
  const merged: NodeConfiguration = { ...structuredClone(DEFAULTS), ...structuredClone(overrides) };
  if (!overrides.portal_gui_listeners)
    merged.portal_gui_listeners = merged.portal_gui_listen.map(parseListener);
  if (!overrides.portal_api_listeners)
    merged.portal_api_listeners = merged.portal_api_listen.map(parseListener);
  // Unset kong.conf values are simply missing from Kong's rendering, never null.
  for (const [key, value] of Object.entries(merged))
    if (value === undefined || value === null) delete merged[key];
  return merged;
}

/** The body of Kong's node-info operation (`GET /`), shaped by the document's schema for it. */
export function nodeInfo(configuration: NodeConfiguration, nodeId: string): Record<string, unknown> {
  return {
    version: KONG_VERSION,
    edition: 'enterprise',
    tagline: 'Welcome to kong',
    node_id: nodeId,
    hostname: 'kong-sandbox',
    lua_version: 'LuaJIT 2.1.0-20230410',
    timers: { running: 0, pending: 1 },
    pids: { master: 1, workers: [1000, 1001] },
    plugins: {
      available_on_server: { 'openid-connect': { version: KONG_VERSION, priority: 1050 } },
      enabled_in_cluster: [],
    },
    configuration: structuredClone(configuration),
  };
}

export const newNodeId = (): string => randomUUID();

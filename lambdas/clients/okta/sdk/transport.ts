/**
 * The Okta SDK's own machinery, assembled without its Client (whose module loads all 83 API classes,
 * ~4.6 MB bundled): the SDK's request executor, generated configuration, server, error classes and
 * paging Collection. Only the SDK's Http class is not used: besides the SSWS path below it loads
 * OAuth/DPoP signing (node-jose), a response cache (lodash) and multipart uploads, ~820 kB that no
 * call here runs. `send` does what Http.send does for an SSWS token with the cache off (we always
 * turned it off); test/integration/okta-sdk-parity.test.ts compares the two request for request.
 */
import { DefaultRequestExecutor } from '@okta/okta-sdk-nodejs/src/default-request-executor';
import OktaApiError from '@okta/okta-sdk-nodejs/src/api-error';
import HttpError from '@okta/okta-sdk-nodejs/src/http-error';
import { Collection } from '@okta/okta-sdk-nodejs/src/collection';
import { createConfiguration, type Configuration } from '@okta/okta-sdk-nodejs/src/generated/configuration';
import { ServerConfiguration } from '@okta/okta-sdk-nodejs/src/generated/servers';
import {
  ResponseContext,
  wrapHttpLibrary,
  type RequestContext,
} from '@okta/okta-sdk-nodejs/src/generated/http/http';
import sdkPackage from '@okta/okta-sdk-nodejs/package.json';
import createHttpsProxyAgent from 'https-proxy-agent';
import * as os from 'node:os';

export interface TransportConfig {
  orgUrl: string;
  token: string;
  /** Per-request timeout; a timed-out call becomes a TransientError. */
  timeoutMs?: number;
  /** The proxy the SDK would take from HTTPS_PROXY / https_proxy. */
  httpsProxy?: string;
}

/** Management API answers are pages of resources: a few hundred KB at most. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/**
 * The SDK's executor, but a redirect is handed back (and becomes an error) instead of followed:
 * the SSWS token goes to the configured org only. Answers are bounded in size.
 */
export class NoRedirectExecutor extends DefaultRequestExecutor {
  override fetch(request: Parameters<DefaultRequestExecutor['fetch']>[0]) {
    return super.fetch({ ...request, redirect: 'manual', size: MAX_ANSWER_BYTES });
  }
}

/** The SDK's own User-Agent (client.js), so Okta's logs see the same client as before. */
const USER_AGENT = `${sdkPackage.name}/${sdkPackage.version} node/${process.versions.node} ${os.platform()}/${os.release()}`;

type FetchResponse = Awaited<ReturnType<DefaultRequestExecutor['fetch']>>;

/** Http.errorFilter: a JSON answer is an Okta API error, anything else an HTTP error. */
async function errorOf(response: FetchResponse): Promise<Error> {
  const body = await response.text();
  try {
    return new OktaApiError(response.url, response.status, JSON.parse(body), response.headers);
  } catch {
    return new HttpError(response.url, response.status, body, response.headers);
  }
}

export class OktaTransport {
  readonly configuration: Configuration;
  private readonly executor: NoRedirectExecutor;
  private readonly headers: Record<string, string>;
  private readonly agent: ReturnType<typeof createHttpsProxyAgent> | undefined;

  constructor(config: TransportConfig) {
    this.executor = new NoRedirectExecutor({ maxRetries: 0, requestTimeout: config.timeoutMs ?? 10_000 });
    this.headers = { Authorization: `SSWS ${config.token}`, 'User-Agent': USER_AGENT };
    this.agent = config.httpsProxy ? createHttpsProxyAgent(config.httpsProxy) : undefined;
    this.configuration = createConfiguration({
      baseServer: new ServerConfiguration(config.orgUrl, {}),
      httpApi: wrapHttpLibrary({ send: (context) => this.send(context) }),
    });
  }

  /** Http.send + Http.http: the request as the generated factory built it, with the client's headers. */
  private async send(context: RequestContext): Promise<ResponseContext> {
    const response = await this.executor.fetch({
      url: context.getUrl(),
      method: context.getHttpMethod(),
      headers: { ...this.headers, ...context.getHeaders() },
      body: context.getBody(),
      ...(this.agent ? { agent: this.agent } : {}),
    });
    if (response.status < 200 || response.status >= 300) throw await errorOf(response);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return new ResponseContext(response.status, headers, {
      text: () => response.text(),
      binary: () => response.buffer(),
    });
  }

  /** One call: what ObservableAPI does for a single resource (no middleware is configured). */
  async call<T>(
    request: Promise<RequestContext>,
    parse: (response: ResponseContext) => Promise<T>,
  ): Promise<T> {
    return parse(await this.configuration.httpApi.send(await request).toPromise());
  }

  /** A list: what ObservableAPI does for a collection, paged by the SDK's Link-header Collection. */
  async collection<T>(
    request: Promise<RequestContext>,
    parse: (response: ResponseContext) => Promise<T[]>,
  ): Promise<Collection<T>> {
    const context = await request;
    return new Collection<T>(this.configuration.httpApi, context.getUrl(), { parseResponse: parse }, context);
  }
}

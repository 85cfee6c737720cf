/**
 * Every connection the step opens: directly, or through a CONNECT tunnel of the proxy that routeFor() chooses. The
 * SDK clients, the credentials and the ID-token requests all get their sockets here, so one rule decides for all,
 * and a connection that fails says which host, by which route, and why — which the SDKs' own errors lose (MSAL
 * reports any failure to reach the authority as endpoints_resolution_error, and a proxy that refuses a CONNECT
 * would otherwise reach the SDK as an HTTP answer of the host).
 */
import { Agent as HttpAgent, ClientRequestArgs, IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { describeProxy, ProxyServer, ProxySettings, Route, routeFor } from './proxy';

export type FailureKind =
  | 'dns'
  | 'refused'
  | 'timeout'
  | 'reset'
  | 'tls'
  | 'other'
  | 'proxy unreachable'
  | 'proxy authentication'
  | 'proxy refused';

/** A connection that could not be made: nothing was answered by the host. */
export interface NetworkFailure {
  /** host:port */
  target: string;
  host: string;
  route: Route;
  kind: FailureKind;
  /** The error code or the proxy's status line, e.g. "ECONNREFUSED", "HTTP 407 Proxy Authentication Required". */
  cause: string;
}

/** Thrown when a proxy does not open a tunnel: the host itself never saw the request. */
export class ProxyTunnelError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ProxyTunnelError';
  }
}

export interface HttpAnswer {
  status: number;
  body: string;
}

export interface HttpRequestOptions {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** Sends one request through the step's network and reads the whole answer (for the small JSON requests of sign-in). */
export type SendHttp = (url: string, options: HttpRequestOptions) => Promise<HttpAnswer>;

export const NO_PROXY_SETTINGS: ProxySettings = {
  noProxy: [],
  bypassPatterns: [],
  bypassSource: 'NO_PROXY',
};

export class Network {
  /** The latest failure to connect to each host:port, until a connection to it succeeds. */
  private readonly failures = new Map<string, NetworkFailure>();
  private lastFailure: string | undefined;
  readonly httpsAgent: HttpsAgent;
  readonly httpAgent: HttpAgent;

  constructor(
    readonly settings: ProxySettings = NO_PROXY_SETTINGS,
    private readonly debug: (message: string) => void = () => undefined,
    /** How a user behind a proxy configures it, for a direct connection that failed (the platform profile's). */
    readonly setupHint = 'set HTTPS_PROXY (and NO_PROXY) in the environment of the step',
  ) {
    this.httpsAgent = new RoutingHttpsAgent(this);
    this.httpAgent = new RoutingHttpAgent(this);
  }

  /** The agent for a URL's scheme; it chooses the route per connection. */
  agentFor(url: string | URL): HttpAgent {
    return new URL(url).protocol === 'https:' ? this.httpsAgent : this.httpAgent;
  }

  /**
   * Why a request to `url` failed to connect, if its host:port could not be reached and has not been since; without
   * a URL (an SDK error that does not say which request failed), the host that could not be reached last.
   */
  failureFor(url?: string): NetworkFailure | undefined {
    if (url === undefined)
      return this.lastFailure === undefined ? undefined : this.failures.get(this.lastFailure);
    try {
      const { protocol, hostname, port } = new URL(url);
      return this.failures.get(`${hostname}:${port || (protocol === 'https:' ? 443 : 80)}`);
    } catch {
      return undefined;
    }
  }

  readonly send: SendHttp = (url, options) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const body = Buffer.from(options.body ?? '');
      const headers = { ...options.headers, 'content-length': String(body.length) };
      const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
        target,
        { method: options.method, headers, agent: this.agentFor(target), signal: options.signal },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });

  /** Opens the socket for one connection of an agent: direct, or a tunnel through the proxy. */
  connect(
    options: ClientRequestArgs,
    secure: boolean,
    direct: () => Duplex,
    callback: (error: Error | null, socket?: Duplex) => void,
  ): Duplex | undefined {
    const host = String(options.host ?? options.hostname ?? 'localhost').replace(/^\[|\]$/g, '');
    const port = Number(options.port) || (secure ? 443 : 80);
    const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const route = routeFor(this.settings, new URL(`${secure ? 'https' : 'http'}://${target}`));
    const watch = (socket: Duplex) => {
      const failed = (error: NodeJS.ErrnoException) =>
        this.record({ target, host, route, kind: kindOf(error), cause: causeOf(error) });
      socket.once('error', failed);
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        socket.off('error', failed);
        this.succeeded(target);
      });
      return socket;
    };
    if (!route.proxy) {
      this.debug(`Connecting to ${target} directly (${route.direct}).`);
      return watch(direct());
    }
    const proxy = route.proxy;
    this.debug(`Connecting to ${target} through ${describeProxy(proxy)}.`);
    openTunnel(proxy, target).then(
      (tunnel) => {
        if (!secure) {
          this.succeeded(target);
          callback(null, tunnel);
          return;
        }
        const servername = (options as { servername?: string }).servername;
        callback(null, watch(tlsConnect({ ...(options as object), socket: tunnel, servername })));
      },
      (error: NodeJS.ErrnoException) => {
        this.record(
          error instanceof ProxyTunnelError
            ? { target, host, route, kind: tunnelKind(error.code), cause: error.code }
            : { target, host, route, kind: 'proxy unreachable', cause: causeOf(error) },
        );
        callback(
          error instanceof ProxyTunnelError
            ? error
            : Object.assign(
                new Error(
                  `Could not reach ${describeProxy(proxy)} to connect to ${target}: ${error.message}`,
                ),
                { code: error.code },
              ),
        );
      },
    );
    return undefined;
  }

  private record(failure: NetworkFailure): void {
    this.failures.set(failure.target, failure);
    this.lastFailure = failure.target;
  }

  private succeeded(target: string): void {
    this.failures.delete(target);
  }
}

class RoutingHttpsAgent extends HttpsAgent {
  constructor(private readonly network: Network) {
    super({ keepAlive: true });
  }

  /** The SDKs' debug log serialises each request, agent included: its sockets would grow every line. */
  toJSON(): string {
    return 'RoutingHttpsAgent';
  }

  override createConnection(
    options: ClientRequestArgs,
    callback: (error: Error | null, socket: Duplex) => void,
  ): Duplex | undefined {
    return this.network.connect(
      options,
      true,
      () => super.createConnection(options) as Duplex,
      callback as (error: Error | null, socket?: Duplex) => void,
    );
  }
}

class RoutingHttpAgent extends HttpAgent {
  constructor(private readonly network: Network) {
    super({ keepAlive: true });
  }

  /** The SDKs' debug log serialises each request, agent included: its sockets would grow every line. */
  toJSON(): string {
    return 'RoutingHttpAgent';
  }

  override createConnection(
    options: ClientRequestArgs,
    callback: (error: Error | null, socket: Duplex) => void,
  ): Duplex | undefined {
    return this.network.connect(
      options,
      false,
      () => super.createConnection(options) as Duplex,
      callback as (error: Error | null, socket?: Duplex) => void,
    );
  }
}

/** CONNECT host:port through the proxy (over TLS to an https:// proxy); resolves with the open tunnel. */
function openTunnel(proxy: ProxyServer, target: string): Promise<Socket> {
  const proxyUrl = new URL(proxy.url);
  const headers: Record<string, string> = { host: target };
  if (proxy.username !== undefined || proxy.password !== undefined) {
    const credentials = `${proxy.username ?? ''}:${proxy.password ?? ''}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  const secureProxy = proxyUrl.protocol === 'https:';
  const port = Number(proxyUrl.port) || (secureProxy ? 443 : 80);
  const hostname = proxyUrl.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const connectRequest = (secureProxy ? httpsRequest : httpRequest)({
      host: hostname,
      port,
      method: 'CONNECT',
      path: target,
      headers,
      agent: false,
    });
    connectRequest.once('connect', (response: IncomingMessage, socket: Socket, head: Buffer) => {
      if (response.statusCode === 200) {
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
        return;
      }
      socket.destroy();
      reject(tunnelRefused(proxy, target, response));
    });
    // Some proxies answer a refused CONNECT as an ordinary response.
    connectRequest.once('response', (response: IncomingMessage) => {
      response.resume();
      reject(tunnelRefused(proxy, target, response));
    });
    connectRequest.once('error', reject);
    connectRequest.end();
  });
}

function tunnelRefused(proxy: ProxyServer, target: string, response: IncomingMessage): ProxyTunnelError {
  const status = `HTTP ${response.statusCode}${response.statusMessage ? ` ${response.statusMessage}` : ''}`;
  return new ProxyTunnelError(
    `${describeProxy(proxy)} answered ${status} to CONNECT ${target}: the request did not reach ${target}.`,
    status,
  );
}

function tunnelKind(status: string): FailureKind {
  return status.startsWith('HTTP 407') ? 'proxy authentication' : 'proxy refused';
}

function kindOf(error: NodeJS.ErrnoException): FailureKind {
  const code = error.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (code === 'ECONNREFUSED') return 'refused';
  if (['ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH'].includes(code)) return 'timeout';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  if (/CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL|EPROTO/.test(code)) return 'tls';
  return 'other';
}

function causeOf(error: NodeJS.ErrnoException): string {
  if (kindOf(error) === 'tls') return `${error.code}: ${error.message}`;
  return error.code ?? error.message;
}

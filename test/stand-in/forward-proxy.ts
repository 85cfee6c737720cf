/**
 * A forwarding proxy as corporate networks have them, for the step to reach the stand-ins through: it answers
 * CONNECT host:port with a tunnel (HTTP 200 Connection Established), optionally asking for Basic proxy credentials
 * (407 with Proxy-Authenticate) and refusing hosts it does not allow (403). It resolves no name: each host a test
 * uses maps to an address (by default every *.azure.test name to 127.0.0.1), and any other host is answered 502,
 * as a proxy answers a name it cannot resolve. Every CONNECT is recorded with its target, the user it came as and
 * the status answered. Plain requests (absolute-form HTTP proxying) are not offered: 405.
 */
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { FAKE_AZURE_DOMAIN } from './certificate';

export interface ForwardProxyOptions {
  /** Where a host leads; undefined: the proxy cannot resolve it (502). Default: *.azure.test → 127.0.0.1. */
  resolve?: (host: string) => string | undefined;
  /** Require these Basic proxy credentials (else 407). */
  credentials?: { username: string; password: string };
  /** Hosts the proxy refuses to connect to (403), as an allow-list refuses the rest. */
  denied?: string[];
}

export interface ProxyConnect {
  /** host:port as asked for. */
  target: string;
  host: string;
  port: number;
  /** The user of the Proxy-Authorization header, when one came. */
  user?: string;
  status: number;
  at: number;
}

export interface ForwardProxy {
  /** http://127.0.0.1:PORT, without credentials. */
  url: string;
  /** http://user:password@127.0.0.1:PORT when credentials are required. */
  urlWithCredentials: string;
  connects: ProxyConnect[];
  /** The hosts it opened a tunnel to (status 200), sorted, each once. */
  tunnelledHosts(): string[];
  close(): Promise<void>;
}

export const fakeAzureHost = (host: string): boolean =>
  host === FAKE_AZURE_DOMAIN || host.endsWith(`.${FAKE_AZURE_DOMAIN}`);

const STATUS_TEXT: Record<number, string> = {
  403: 'Forbidden',
  407: 'Proxy Authentication Required',
  502: 'Bad Gateway',
};

export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const resolve = options.resolve ?? ((host) => (fakeAzureHost(host) ? '127.0.0.1' : undefined));
  const connects: ProxyConnect[] = [];
  const sockets = new Set<Duplex>();
  const track = (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const server: Server = createServer((_request, response) => {
    response.writeHead(405, { 'content-type': 'text/plain' });
    response.end('This proxy only tunnels (CONNECT).');
  });
  server.on('connect', (request: IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    client.on('error', () => client.destroy());
    const target = request.url ?? '';
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
    const host = (match?.[1] ?? target).toLowerCase();
    const port = Number(match?.[2] ?? 443);
    const user = basicUser(request.headers['proxy-authorization']);
    const record: ProxyConnect = { target, host, port, user: user?.username, status: 0, at: Date.now() };
    connects.push(record);
    const refuse = (status: number, headers: string[] = []) => {
      record.status = status;
      client.end(
        [
          `HTTP/1.1 ${status} ${STATUS_TEXT[status]}`,
          ...headers,
          'Content-Length: 0',
          'Connection: close',
          '',
          '',
        ].join('\r\n'),
      );
    };

    if (
      options.credentials &&
      (user?.username !== options.credentials.username || user?.password !== options.credentials.password)
    ) {
      refuse(407, ['Proxy-Authenticate: Basic realm="stand-in proxy"']);
      return;
    }
    if (options.denied?.includes(host)) {
      refuse(403);
      return;
    }
    const address = match ? resolve(host) : undefined;
    if (!address) {
      refuse(502);
      return;
    }
    const upstream: Socket = connect(port, address);
    track(upstream);
    upstream.once('connect', () => {
      record.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (record.status === 0) refuse(502);
      else client.destroy();
    });
    client.once('close', () => upstream.destroy());
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const origin = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const credentials = options.credentials;
  return {
    url: `http://${origin}`,
    urlWithCredentials: credentials
      ? `http://${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@${origin}`
      : `http://${origin}`,
    connects,
    tunnelledHosts: () =>
      [...new Set(connects.filter((entry) => entry.status === 200).map((entry) => entry.host))].sort(),
    async close() {
      const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}

function basicUser(header: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0
    ? { username: decoded, password: '' }
    : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

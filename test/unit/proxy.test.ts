/**
 * The proxy rules (which route each URL takes, how the environment is read, what is masked), the Network's tunnels
 * and the record of a connection that failed, and how such a failure is told. The Network tests run against a real
 * forwarding proxy and plain http servers on 127.0.0.1; a name is resolved only by the proxy, never looked up here.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Network, NetworkFailure, ProxyTunnelError } from '../../src/core/net/network';
import {
  describeSettings,
  parseProxyUrl,
  proxyFromEnvironment,
  ProxyServer,
  ProxySettings,
  routeFor,
} from '../../src/core/net/proxy';
import { RestError } from '@azure/core-rest-pipeline';
import { AuthenticationError, CredentialUnavailableError } from '@azure/identity';
import { parseJob } from '../../src/core/parse';
import { explainError, explainStorageError } from '../../src/core/report/errors';
import { unreachableError } from '../../src/core/report/network';
import { ForwardProxy, startForwardProxy } from '../stand-in';
import { GITHUB_PROFILE } from './platforms';

const PROXY: ProxyServer = { url: 'http://proxy.contoso.com:3128', source: 'HTTPS_PROXY' };
const settings = (extra: Partial<ProxySettings> = {}): ProxySettings => ({
  https: PROXY,
  noProxy: [],
  bypassPatterns: [],
  bypassSource: 'NO_PROXY',
  ...extra,
});
const route = (url: string, extra: Partial<ProxySettings> = {}) => routeFor(settings(extra), new URL(url));

describe('routeFor', () => {
  it('sends https through the https proxy and http through the http proxy only', () => {
    expect(route('https://management.azure.com/x')).toEqual({ proxy: PROXY });
    expect(route('http://msi.contoso.com/token')).toEqual({ direct: 'no proxy' });
    const http: ProxyServer = { url: 'http://other:8080', source: 'HTTP_PROXY' };
    expect(route('http://msi.contoso.com/token', { http })).toEqual({ proxy: http });
  });

  it.each([
    'https://localhost:8443/',
    'https://app.localhost/',
    'https://127.0.0.1:443/',
    'https://127.10.0.1/',
    'https://[::1]:8443/',
    'http://169.254.169.254/metadata/identity/oauth2/token',
  ])('never proxies a local address: %s', (url) => {
    expect(route(url, { http: PROXY })).toEqual({ direct: 'local address' });
  });

  it.each([
    ['*', 'https://management.azure.com/'],
    ['management.azure.com', 'https://management.azure.com/'],
    ['MANAGEMENT.azure.com', 'https://management.azure.com/'],
    ['.azure.com', 'https://management.azure.com/'],
    ['.azure.com', 'https://azure.com/'],
    ['azure.com', 'https://management.azure.com/'],
    ['*.azure.com', 'https://management.azure.com/'],
    ['management.azure.com:443', 'https://management.azure.com/'],
    ['10.1.2.3', 'https://10.1.2.3:8443/'],
    ['[fd00::1]', 'https://[fd00::1]/'],
    ['example.org, .core.windows.net', 'https://acct.blob.core.windows.net/'],
  ])('NO_PROXY %s exempts %s', (entries, url) => {
    expect(route(url, { noProxy: entries.split(',').map((entry) => entry.trim()) })).toEqual({
      direct: 'bypassed',
    });
  });

  it.each([
    ['management.azure.com', 'https://login.microsoftonline.com/'],
    ['azure.com', 'https://notazure.com/'],
    ['management.azure.com:8443', 'https://management.azure.com/'],
    ['.blob.core.windows.net', 'https://core.windows.net/'],
  ])('NO_PROXY %s leaves %s to the proxy', (entry, url) => {
    expect(route(url, { noProxy: [entry] })).toEqual({ proxy: PROXY });
  });

  it("matches the agent's bypass list against the whole URL, case-insensitively", () => {
    const bypassPatterns = ['\\.blob\\.core\\.windows\\.net', '^https://LOGIN\\.'];
    expect(route('https://acct.blob.core.windows.net/c/b', { bypassPatterns })).toEqual({
      direct: 'bypassed',
    });
    expect(route('https://login.microsoftonline.com/t', { bypassPatterns })).toEqual({ direct: 'bypassed' });
    expect(route('https://management.azure.com/', { bypassPatterns })).toEqual({ proxy: PROXY });
  });
});

describe('parseProxyUrl', () => {
  it('takes the credentials out, decoded, and keeps scheme://host:port', () => {
    expect(parseProxyUrl('http://svc%40corp:p%3Ass@proxy.corp:3128/', 'HTTPS_PROXY')).toEqual({
      url: 'http://proxy.corp:3128',
      username: 'svc@corp',
      password: 'p:ss',
      source: 'HTTPS_PROXY',
    });
  });

  it('reads a value without a scheme as http://, and takes credentials given apart', () => {
    expect(parseProxyUrl('proxy.corp:8080', 'the agent', { username: 'u', password: 'p' })).toEqual({
      url: 'http://proxy.corp:8080',
      username: 'u',
      password: 'p',
      source: 'the agent',
    });
  });

  it('refuses what it cannot use without quoting it', () => {
    const socks = parseProxyUrl('socks5://user:hunter22@proxy:1080', 'ALL_PROXY');
    expect(socks).toEqual({
      problem: 'ALL_PROXY is a socks5 proxy; only http:// and https:// proxies are supported',
    });
    const broken = parseProxyUrl('http://user:hunter22@[bad', 'HTTPS_PROXY');
    expect(broken).toEqual({ problem: 'HTTPS_PROXY is not a URL; expected http://host:port' });
  });
});

describe('proxyFromEnvironment', () => {
  const read = (env: NodeJS.ProcessEnv) => {
    const masked: string[] = [];
    const result = proxyFromEnvironment(env, (value) => masked.push(value));
    return { result, masked };
  };

  it('prefers the lower-case variable, as curl and the GitHub toolkit do', () => {
    const { result } = read({ HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2' });
    expect(result.https).toEqual({ url: 'http://lower:2', source: 'https_proxy' });
  });

  it('https URLs fall back to ALL_PROXY, then HTTP_PROXY; http URLs take HTTP_PROXY, then ALL_PROXY', () => {
    expect(read({ HTTP_PROXY: 'http://h:1' }).result).toMatchObject({
      https: { url: 'http://h:1', source: 'HTTP_PROXY' },
      http: { url: 'http://h:1', source: 'HTTP_PROXY' },
    });
    expect(read({ ALL_PROXY: 'http://a:1', HTTP_PROXY: 'http://h:1' }).result).toMatchObject({
      https: { source: 'ALL_PROXY' },
      http: { source: 'HTTP_PROXY' },
    });
    expect(read({}).result).toMatchObject({ https: undefined, http: undefined, problem: undefined });
  });

  it('masks every proxy password at once, as written and decoded, whichever variable holds it', () => {
    const { masked } = read({
      HTTPS_PROXY: 'http://svc:s%3Acret1@proxy:3128',
      http_proxy: 'http://svc:second-one@proxy:3128',
      ALL_PROXY: 'socks5://svc:third-one@proxy:1080',
    });
    expect(masked).toEqual(expect.arrayContaining(['s%3Acret1', 's:cret1', 'second-one', 'third-one']));
  });

  it('reads NO_PROXY as a list and names the variable it came from', () => {
    const { result } = read({ HTTPS_PROXY: 'http://p:1', no_proxy: 'a.com, .b.com  c.com,,' });
    expect(result.noProxy).toEqual(['a.com', '.b.com', 'c.com']);
    expect(result.bypassSource).toBe('no_proxy');
    expect(describeSettings(result)).toBe(
      'Network: requests through the proxy http://p:1 (HTTPS_PROXY); directly: local addresses and no_proxy (a.com, .b.com, c.com).',
    );
  });

  it('reports a value it cannot use as a problem, and masks it whole', () => {
    const { result, masked } = read({ HTTPS_PROXY: 'http://u:pw-in-garbage@[oops' });
    expect(result.problem).toBe('HTTPS_PROXY is not a URL; expected http://host:port');
    expect(masked).toContain('http://u:pw-in-garbage@[oops');
  });
});

describe('unreachableError', () => {
  const failure = (extra: Partial<NetworkFailure>): NetworkFailure => ({
    target: 'login.microsoftonline.com:443',
    host: 'login.microsoftonline.com',
    route: { proxy: PROXY },
    kind: 'proxy unreachable',
    cause: 'ECONNREFUSED',
    ...extra,
  });
  const tell = (extra: Partial<NetworkFailure>) =>
    unreachableError(
      'Backup of x',
      failure(extra),
      { settings: settings(), setupHint: 'set HTTPS_PROXY' },
      'Microsoft Entra ID',
    ).message;

  it('names the host, the proxy without credentials, what happened and what to check', () => {
    expect(tell({})).toBe(
      'Backup of x failed: could not reach Microsoft Entra ID at login.microsoftonline.com:443 through the proxy http://proxy.contoso.com:3128 (HTTPS_PROXY): the proxy itself could not be reached (ECONNREFUSED). The step got no answer from login.microsoftonline.com.\nWhat to do: Check HTTPS_PROXY: the proxy must be running and reachable from this machine.',
    );
  });

  it.each<[Partial<NetworkFailure>, string, string]>([
    [
      { kind: 'proxy authentication', cause: 'HTTP 407 Proxy Authentication Required' },
      'the proxy asks for a user name and password (HTTP 407',
      'Check the proxy user name and password given with HTTPS_PROXY.',
    ],
    [
      { kind: 'proxy refused', cause: 'HTTP 403 Forbidden' },
      'the proxy refused to connect to it (HTTP 403 Forbidden)',
      'Ask for login.microsoftonline.com to be allowed through the proxy',
    ],
    [
      { kind: 'proxy refused', cause: 'HTTP 502 Bad Gateway' },
      'the proxy could not connect to it (HTTP 502 Bad Gateway)',
      'Check that login.microsoftonline.com is the right host name and that the proxy may reach it',
    ],
    [
      { kind: 'dns', cause: 'ENOTFOUND', route: { direct: 'no proxy' } },
      'directly (no proxy is set): its name does not resolve (ENOTFOUND)',
      'Behind a proxy, set HTTPS_PROXY.',
    ],
    [
      { kind: 'timeout', cause: 'ETIMEDOUT', route: { direct: 'bypassed' } },
      'directly (NO_PROXY exempts it from the proxy): the connection timed out (ETIMEDOUT)',
      'or take it out of NO_PROXY to reach it through the proxy.',
    ],
    [
      { kind: 'tls', cause: 'SELF_SIGNED_CERT_IN_CHAIN: self-signed certificate in certificate chain' },
      'its certificate was not accepted (SELF_SIGNED_CERT_IN_CHAIN',
      'NODE_EXTRA_CA_CERTS',
    ],
  ])('%o', (extra, happened, toDo) => {
    const message = tell(extra);
    expect(message).toContain(happened);
    expect(message).toContain(`What to do: `);
    expect(message.split('What to do: ')[1]).toContain(toDo);
    expect(message).not.toMatch(/tenant/i);
  });
});

describe('explainError and explainStorageError with the network', () => {
  const { config } = parseJob(
    {
      operation: 'backup',
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      clientId: '11111111-2222-3333-4444-555555555555',
      clientSecret: 'unit-test-secret',
      subscriptionId: '0b5c3a8e-1f2d-4c6b-9a7e-2d3f4a5b6c7d',
      resourceGroup: 'rg-apim',
      serviceName: 'contoso-apim',
      storageAccount: 'contosobackups',
      container: 'apim-backups',
    },
    { profile: GITHUB_PROFILE, now: new Date(), idTokenAvailable: false },
  );
  const entra: NetworkFailure = {
    target: 'login.microsoftonline.com:443',
    host: 'login.microsoftonline.com',
    route: { proxy: PROXY },
    kind: 'proxy authentication',
    cause: 'HTTP 407 Proxy Authentication Required',
  };
  /** A network that failed to connect to the hosts of `failures`, the last one last. */
  const networkOf = (...failures: NetworkFailure[]) => ({
    settings: settings(),
    setupHint: 'set HTTPS_PROXY',
    failureFor: (url?: string) =>
      url === undefined
        ? failures.at(-1)
        : failures.find((failure) => new URL(url).hostname === failure.host),
  });
  const action = "Backup of API Management instance 'contoso-apim'";

  it("MSAL's endpoints_resolution_error after a failed connection to Entra is the network failure, not the tenant", () => {
    const error = new CredentialUnavailableError(
      'endpoints_resolution_error: See https://aka.ms/msal.js.errors',
    );
    const explained = explainError(error, { action, config, network: networkOf(entra) });
    expect(explained.code).toBe('ProxyAuthenticationRequired');
    expect(explained.message).toContain(
      `${action} failed: could not reach Microsoft Entra ID at login.microsoftonline.com:443 through the proxy http://proxy.contoso.com:3128 (HTTPS_PROXY)`,
    );
    expect(explained.message).not.toMatch(/tenant/i);
    // Without the record, the same error reads as an unknown tenant: the record is what tells them apart.
    expect(explainError(error, { action, config }).message).toContain("Tenant '72f988bf");
  });

  it('an answer of a server is never re-read as a network failure', () => {
    const answered = new AuthenticationError(400, {
      error: 'invalid_tenant',
      error_description: "AADSTS90002: Tenant 'x' not found.",
    });
    const explained = explainError(answered, { action, config, network: networkOf(entra) });
    expect(explained.code).toBe('AADSTS90002');
    const notFound = new RestError('The Resource was not found.', {
      code: 'ResourceNotFound',
      statusCode: 404,
    });
    expect(explainError(notFound, { action, config, network: networkOf(entra) }).code).toBe(
      'ResourceNotFound',
    );
  });

  it('a pipeline error takes the failure of its own host, not an older one of another host', () => {
    const arm: NetworkFailure = {
      ...entra,
      target: 'management.azure.com:443',
      host: 'management.azure.com',
      kind: 'dns',
      cause: 'ENOTFOUND',
      route: { direct: 'bypassed' },
    };
    const request = { url: 'https://management.azure.com/subscriptions/x?api-version=1' };
    const error = new RestError('getaddrinfo ENOTFOUND management.azure.com', {
      code: 'ENOTFOUND',
      request: request as never,
    });
    const explained = explainError(error, { action, config, network: networkOf(arm, entra) });
    expect(explained.message).toContain(
      'could not reach Azure Resource Manager at management.azure.com:443 directly (NO_PROXY exempts it from the proxy): its name does not resolve (ENOTFOUND)',
    );
    const elsewhere = { url: 'https://other.example/' };
    const unrelated = new RestError('socket hang up', { code: 'ECONNRESET', request: elsewhere as never });
    expect(explainError(unrelated, { action, config, network: networkOf(arm, entra) }).code).toBe(
      'ECONNRESET',
    );
  });

  it('storage: names the account and what the step was doing', () => {
    const blob: NetworkFailure = {
      ...entra,
      target: 'contosobackups.blob.core.windows.net:443',
      host: 'contosobackups.blob.core.windows.net',
      kind: 'proxy refused',
      cause: 'HTTP 403 Forbidden',
    };
    const error = new RestError('refused', {
      code: 'ProxyRefused',
      request: {
        url: 'https://contosobackups.blob.core.windows.net/apim-backups?restype=container',
      } as never,
    });
    const explained = explainStorageError(error, {
      location: config.storage,
      identity: "app '11111111-2222-3333-4444-555555555555'",
      need: 'delete',
      network: networkOf(blob),
    });
    expect(explained.message).toContain(
      "Deleting backups in container 'apim-backups' of storage account 'contosobackups' failed: could not reach storage account 'contosobackups' at contosobackups.blob.core.windows.net:443 through the proxy http://proxy.contoso.com:3128 (HTTPS_PROXY): the proxy refused to connect to it (HTTP 403 Forbidden).",
    );
  });
});

describe('Network', () => {
  const CREDENTIALS = { username: 'svc-build', password: 'proxy-secret-1' };
  let proxy: ForwardProxy;
  let service: Server;
  let servicePort: number;

  beforeAll(async () => {
    proxy = await startForwardProxy({ credentials: CREDENTIALS });
    service = createServer((request, response) => response.end(`hello ${request.method} ${request.url}`));
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', () => resolve()));
    servicePort = (service.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await proxy.close();
    service.closeAllConnections();
    await new Promise((resolve) => service.close(resolve));
  });

  const through = (url: string, credentials: Partial<typeof CREDENTIALS> = CREDENTIALS): ProxySettings =>
    settings({ http: { url, source: 'HTTP_PROXY', ...credentials } });

  it('tunnels through the proxy with its credentials, to a name only the proxy resolves', async () => {
    const network = new Network(through(proxy.url));
    const from = proxy.connects.length;

    const answer = await network.send(`http://svc.azure.test:${servicePort}/token?x=1`, { method: 'POST' });

    expect(answer).toEqual({ status: 200, body: 'hello POST /token?x=1' });
    expect(proxy.connects.slice(from)).toEqual([
      expect.objectContaining({ target: `svc.azure.test:${servicePort}`, user: 'svc-build', status: 200 }),
    ]);
    expect(network.failureFor()).toBeUndefined();
  });

  it('a refused CONNECT fails without reaching the host and is recorded with its status', async () => {
    const network = new Network(through(proxy.url, { password: 'wrong' }));
    const url = `http://svc.azure.test:${servicePort}/`;

    const error = await network.send(url, { method: 'GET' }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ProxyTunnelError);
    expect((error as ProxyTunnelError).code).toBe('HTTP 407 Proxy Authentication Required');
    expect((error as Error).message).not.toContain('wrong');
    expect(network.failureFor(url)).toMatchObject({
      target: `svc.azure.test:${servicePort}`,
      kind: 'proxy authentication',
      route: { proxy: { url: proxy.url } },
    });
    expect(network.failureFor()).toBe(network.failureFor(url));
  });

  /** A port on 127.0.0.1 that nothing listens on (until a test listens there again). */
  async function freePort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    return port;
  }

  it('a proxy that cannot be reached is recorded as unreachable, with the code of the failure', async () => {
    const network = new Network(through(`http://127.0.0.1:${await freePort()}`));
    const url = `http://svc.azure.test:${servicePort}/`;

    await expect(network.send(url, { method: 'GET' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(network.failureFor(url)).toMatchObject({ kind: 'proxy unreachable', cause: 'ECONNREFUSED' });
  });

  it('a refused direct connection is recorded until a connection to the same host succeeds', async () => {
    const port = await freePort();
    const network = new Network(settings());
    const url = `http://127.0.0.1:${port}/`;

    await expect(network.send(url, { method: 'GET' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(network.failureFor(url)).toMatchObject({ kind: 'refused', route: { direct: 'no proxy' } });

    const revived = createServer((_request, response) => response.end('up'));
    await new Promise<void>((resolve) => revived.listen(port, '127.0.0.1', () => resolve()));
    try {
      expect(await network.send(url, { method: 'GET' })).toEqual({ status: 200, body: 'up' });
      expect(network.failureFor(url)).toBeUndefined();
      expect(network.failureFor()).toBeUndefined();
    } finally {
      revived.closeAllConnections();
      await new Promise((resolve) => revived.close(resolve));
    }
  });
});

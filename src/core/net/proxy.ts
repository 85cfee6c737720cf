/**
 * Which requests go through which proxy: the settings an adapter reads (HTTPS_PROXY and NO_PROXY, or the Azure
 * DevOps agent's proxy) as data, and the one rule every request of the step follows.
 *
 * Rules: an https URL takes the `https` proxy, an http URL the `http` one; a host in the bypass lists, and a local
 * address (localhost, 127.0.0.0/8, ::1, and the link-local 169.254.0.0/16 of the Azure instance metadata service,
 * which no proxy can reach for this machine) is reached directly.
 */
import { isIP } from 'node:net';

export interface ProxyServer {
  /** scheme://host:port, without credentials: the only form of the proxy a message shows. */
  url: string;
  username?: string;
  password?: string;
  /** Where it is set, for messages: "HTTPS_PROXY", "the agent's proxy (Agent.ProxyUrl)". */
  source: string;
}

export interface ProxySettings {
  /** For https URLs. */
  https?: ProxyServer;
  /** For http URLs. */
  http?: ProxyServer;
  /** NO_PROXY entries: `*`, a host or IP address, a domain with its subdomains (`.example.com`), each maybe with `:port`. */
  noProxy: string[];
  /** Regular expressions matched, case-insensitively, against the whole URL (the agent's bypass list). */
  bypassPatterns: string[];
  /** Where the bypass list is set, for messages: "NO_PROXY". */
  bypassSource: string;
  /** Set when a setting cannot be used: the step then stops before sending anything. */
  problem?: string;
}

export type Route =
  | { proxy: ProxyServer; direct?: undefined }
  | { proxy?: undefined; direct: 'no proxy' | 'bypassed' | 'local address' };

export function routeFor(settings: ProxySettings, url: URL): Route {
  const proxy = url.protocol === 'https:' ? settings.https : settings.http;
  if (!proxy) return { direct: 'no proxy' };
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLocal(host)) return { direct: 'local address' };
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (settings.noProxy.some((entry) => matchesNoProxy(entry, host, port))) return { direct: 'bypassed' };
  if (settings.bypassPatterns.some((pattern) => new RegExp(pattern, 'i').test(url.href))) {
    return { direct: 'bypassed' };
  }
  return { proxy };
}

function isLocal(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    (isIP(host) === 4 && (host.startsWith('127.') || host.startsWith('169.254.'))) ||
    host === '::1'
  );
}

/** curl's and the GitHub toolkit's reading of a NO_PROXY entry, which also covers the Azure SDK's. */
function matchesNoProxy(entry: string, host: string, port: string): boolean {
  const trimmed = entry.trim().toLowerCase();
  if (trimmed === '*') return true;
  // [v6]:port, [v6], a bare v6 address (more than one colon), or name[:port].
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  const [, name, entryPort] =
    bracketed ??
    (trimmed.split(':').length > 2 ? [trimmed, trimmed] : /^([^:]*)(?::(\d+))?$/.exec(trimmed)) ??
    [];
  if (!name || (entryPort && entryPort !== port)) return false;
  const domain = name.replace(/^\*?\./, '');
  return host === domain || host.endsWith(`.${domain}`);
}

/**
 * A proxy URL as a server: credentials taken out (decoded), a missing scheme read as http://. Returns the problem
 * instead when the value is not an http(s) proxy URL; the value itself is never quoted, as it may hold a password.
 */
export function parseProxyUrl(
  value: string,
  source: string,
  credentials: { username?: string; password?: string } = {},
): ProxyServer | { problem: string } {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    return { problem: `${source} is not a URL; expected http://host:port` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      problem: `${source} is a ${url.protocol.replace(':', '')} proxy; only http:// and https:// proxies are supported`,
    };
  }
  if (!url.hostname) return { problem: `${source} names no host; expected http://host:port` };
  const username = credentials.username || decode(url.username) || undefined;
  const password = credentials.password || decode(url.password) || undefined;
  return { url: `${url.protocol}//${url.host}`, username, password, source };
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The secrets a proxy URL may carry, in every form they can be printed in: the password as written and decoded.
 * A value that is not a URL is a secret as a whole: its parts cannot be told apart.
 */
export function proxySecrets(value: string | undefined): string[] {
  if (!value) return [];
  try {
    const { password } = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
    return password ? [password, decode(password)] : [];
  } catch {
    return [value];
  }
}

const PROXY_VARIABLES = ['HTTPS_PROXY', 'HTTP_PROXY', 'ALL_PROXY'];

/**
 * The conventional variables, lower case first as curl and the GitHub toolkit read them: https URLs take
 * HTTPS_PROXY, else ALL_PROXY, else HTTP_PROXY (as the Azure SDK did for every request); http URLs take HTTP_PROXY,
 * else ALL_PROXY. Every proxy password is handed to maskSecret before anything else sees it.
 */
export function proxyFromEnvironment(
  env: NodeJS.ProcessEnv,
  maskSecret: (value: string) => void,
): ProxySettings {
  const variable = (name: string) => {
    for (const key of [name.toLowerCase(), name]) {
      const value = env[key]?.trim();
      if (value) return { key, value };
    }
    return undefined;
  };
  for (const name of PROXY_VARIABLES) {
    for (const secret of proxySecrets(env[name.toLowerCase()])) maskSecret(secret);
    for (const secret of proxySecrets(env[name])) maskSecret(secret);
  }
  const problems: string[] = [];
  const server = (...names: string[]) => {
    const found = names.map(variable).find((candidate) => candidate !== undefined);
    if (!found) return undefined;
    const parsed = parseProxyUrl(found.value, found.key);
    if ('problem' in parsed) {
      problems.push(parsed.problem);
      return undefined;
    }
    return parsed;
  };
  const https = server('HTTPS_PROXY', 'ALL_PROXY', 'HTTP_PROXY');
  const http = server('HTTP_PROXY', 'ALL_PROXY');
  const noProxy = variable('NO_PROXY');
  return {
    https,
    http,
    noProxy: noProxy ? splitList(noProxy.value) : [],
    bypassPatterns: [],
    bypassSource: noProxy?.key ?? 'NO_PROXY',
    problem: problems.length > 0 ? [...new Set(problems)].join('; ') : undefined,
  };
}

function splitList(value: string): string[] {
  return value
    .split(/[,\s]+/)
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** "the proxy http://host:port (HTTPS_PROXY)" */
export function describeProxy(proxy: ProxyServer): string {
  return `the proxy ${proxy.url} (${proxy.source})`;
}

/** The log line that says how the step reaches Azure, or undefined without a proxy. */
export function describeSettings(settings: ProxySettings): string | undefined {
  const proxies = [settings.https, settings.http].filter(
    (proxy): proxy is ProxyServer => proxy !== undefined,
  );
  if (proxies.length === 0) return undefined;
  const through =
    settings.https && settings.http && settings.https.url !== settings.http.url
      ? `https requests through ${describeProxy(settings.https)}, http requests through ${describeProxy(settings.http)}`
      : `${settings.https ? '' : 'http '}requests through ${describeProxy(proxies[0])}`;
  const bypass = [...settings.noProxy, ...settings.bypassPatterns];
  const except =
    bypass.length > 0
      ? `; directly: local addresses and ${settings.bypassSource} (${bypass.join(', ')})`
      : '; directly: local addresses';
  return `Network: ${through}${except}.`;
}

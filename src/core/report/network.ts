/**
 * A request that never reached its host, told as what it is: which host, by which route (the proxy, without
 * credentials, or directly and why), what happened, and what to check. Never as a wrong tenant or a missing
 * resource: nothing answered.
 */
import type { Network, NetworkFailure } from '../net/network';
import { describeProxy } from '../net/proxy';
import { ActionableError } from './actionable';

/** Whether the error carries an answer of a server (an HTTP status, an Entra error code): then it is no network failure. */
export function answeredByServer(error: unknown): boolean {
  const e = error as { statusCode?: unknown; message?: unknown; errorResponse?: unknown };
  if (typeof e?.statusCode === 'number') return true;
  if (e?.errorResponse !== undefined) return true;
  return typeof e?.message === 'string' && /AADSTS\d+/.test(e.message);
}

/**
 * @param action what failed, e.g. "Backup of API Management instance 'x'"
 * @param service what the host is, e.g. "Microsoft Entra ID": named with the host when known
 */
export function unreachableError(
  action: string,
  failure: NetworkFailure,
  network: Pick<Network, 'settings' | 'setupHint'>,
  service?: string,
): ActionableError {
  const { settings } = network;
  const { route, target, host } = failure;
  const where = service ? `${service} at ${target}` : target;
  const how = route.proxy
    ? `through ${describeProxy(route.proxy)}`
    : route.direct === 'bypassed'
      ? `directly (${settings.bypassSource} exempts it from the proxy)`
      : route.direct === 'local address'
        ? 'directly (a local address is never sent through a proxy)'
        : 'directly (no proxy is set)';
  const message = `${action} failed: could not reach ${where} ${how}: ${whatHappened(failure)}. The step got no answer from ${host}.`;
  return new ActionableError(message, codeOf(failure), whatToDo(failure, network));
}

function whatHappened({ kind, cause, route }: NetworkFailure): string {
  switch (kind) {
    case 'dns':
      return `its name does not resolve (${cause})`;
    case 'refused':
      return `the connection was refused (${cause})`;
    case 'timeout':
      return `the connection timed out (${cause})`;
    case 'reset':
      return `the connection was reset (${cause})`;
    case 'tls':
      return `its certificate was not accepted (${cause})`;
    case 'proxy unreachable':
      return `the proxy itself could not be reached (${cause})`;
    case 'proxy authentication':
      return route.proxy?.username
        ? `the proxy did not accept the proxy user name and password (${cause})`
        : `the proxy asks for a user name and password (${cause})`;
    case 'proxy refused':
      return /HTTP 50[234]/.test(cause)
        ? `the proxy could not connect to it (${cause})`
        : `the proxy refused to connect to it (${cause})`;
    default:
      return cause;
  }
}

function whatToDo(
  { kind, host, route, cause }: NetworkFailure,
  { settings, setupHint }: Pick<Network, 'settings' | 'setupHint'>,
): string {
  const proxy = route.proxy;
  switch (kind) {
    case 'proxy unreachable':
      return `Check ${proxy?.source}: the proxy must be running and reachable from this machine.`;
    case 'proxy authentication':
      return `Check the proxy user name and password given with ${proxy?.source}.`;
    case 'proxy refused':
      return /HTTP 50[234]/.test(cause)
        ? `Check that ${host} is the right host name and that the proxy may reach it; if this machine reaches it directly, add it to ${settings.bypassSource}.`
        : `Ask for ${host} to be allowed through the proxy; or, if this machine reaches it directly, add it to ${settings.bypassSource}.`;
    case 'tls':
      return `If a proxy or firewall inspects TLS, it shows its own certificate: give the step its root certificate in a PEM file named by NODE_EXTRA_CA_CERTS (set before the step starts). Otherwise check that ${host} is the right host name.`;
    default:
      if (route.direct === 'bypassed') {
        return `Check the network and DNS of this machine, and that ${host} is the right host name; or take it out of ${settings.bypassSource} to reach it through the proxy.`;
      }
      return `Check the network and DNS of this machine, and that ${host} is the right host name. Behind a proxy, ${setupHint}.`;
  }
}

function codeOf({ kind }: NetworkFailure): string {
  switch (kind) {
    case 'proxy authentication':
      return 'ProxyAuthenticationRequired';
    case 'proxy refused':
      return 'ProxyRefused';
    case 'proxy unreachable':
      return 'ProxyUnreachable';
    default:
      return 'HostUnreachable';
  }
}

/**
 * Faults a test can inject into the stand-in, by route: hang (accept and never answer), a delay, an error status, a
 * reset connection, or any canned reply, for the next N requests of that route (or all of them). Hanging requests stay
 * open until the stand-in closes, which drops every connection.
 */
import type { RecordedRequest, Reply } from './http';

export type FaultRoute =
  | 'token'
  | 'openid-configuration'
  | 'github-id-token'
  | 'azure-devops-oidc'
  | 'managed-identity'
  | 'service-get'
  | 'service-list'
  | 'start'
  | 'operation-status'
  /** The pre-flight reads: storage accounts, Microsoft.Authorization, an instance's workspace links. */
  | 'preflight';

export type Fault =
  /** Answered as usual: queued before another fault, lets the first N requests through. */
  | { kind: 'pass' }
  /** Answered as usual, after this many milliseconds (a slow Resource Manager). */
  | { kind: 'delay'; ms: number }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'status'; status: number; code?: string; headers?: Record<string, string> }
  /** A canned reply, or one made from the request (e.g. echoing what the client sent). */
  | { kind: 'reply'; reply: Reply | ((request: RecordedRequest) => Reply) };

const SERVICE_LIST =
  /^\/subscriptions\/[^/]+(?:\/resourceGroups\/[^/]+)?\/providers\/Microsoft\.ApiManagement\/service\/?$/i;
const SERVICE =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ApiManagement\/service\/[^/]+/i;

/** Which route a request belongs to, for fault matching. */
export function routeOf(request: RecordedRequest): FaultRoute | undefined {
  const { method } = request;
  const path = request.path.replace(/\/{2,}/g, '/');
  if (/^\/[^/]+\/oauth2\/v2\.0\/token$/.test(path)) return 'token';
  if (/^\/[^/]+\/v2\.0\/\.well-known\/openid-configuration$/.test(path)) return 'openid-configuration';
  if (path === '/github/idtoken') return 'github-id-token';
  if (path === '/ado/oidctoken') return 'azure-devops-oidc';
  if (path === '/msi/token') return 'managed-identity';
  if (method === 'GET' && SERVICE_LIST.test(path)) return 'service-list';
  if (/\/providers\/Microsoft\.(Storage|Authorization)\/|\/workspaceLinks\/?$/i.test(path))
    return 'preflight';
  const service = SERVICE.exec(path);
  if (!service) return undefined;
  const rest = path.slice(service[0].length).toLowerCase();
  if (rest.startsWith('/operationresults/')) return 'operation-status';
  if (method === 'POST' && (rest === '/backup' || rest === '/restore')) return 'start';
  if (method === 'GET' && (rest === '' || rest === '/')) return 'service-get';
  return undefined;
}

export class FaultRegistry {
  private readonly faults: { route: FaultRoute; fault: Fault; left: number; pathContains?: string }[] = [];
  /** Requests that met a fault, by route. */
  readonly hits: Partial<Record<FaultRoute, number>> = {};

  /**
   * The next `times` requests of `route` meet `fault` (all of them by default); later faults queue behind.
   * `pathContains` narrows it to requests whose path contains it (e.g. one instance's name).
   */
  add(route: FaultRoute, fault: Fault, times = Infinity, pathContains?: string): this {
    this.faults.push({ route, fault, left: times, pathContains });
    return this;
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** The fault this request meets, if any (counting it down). */
  take(request: RecordedRequest): Fault | undefined {
    const route = routeOf(request);
    if (!route) return undefined;
    const entry = this.faults.find(
      (candidate) =>
        candidate.route === route &&
        candidate.left > 0 &&
        (candidate.pathContains === undefined || request.path.includes(candidate.pathContains)),
    );
    if (!entry) return undefined;
    entry.left -= 1;
    this.hits[route] = (this.hits[route] ?? 0) + 1;
    return entry.fault;
  }
}

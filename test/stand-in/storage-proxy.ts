/**
 * A proxy in front of Azurite that behaves like the parts of Azure Storage Azurite does not have: latency per
 * request, data-plane roles for bearer-token callers (Azurite checks a token's issuer, audience and lifetime but no
 * role), and a storage firewall. Everything else is forwarded as is, bodies streamed, so Azurite judges Shared Key
 * signatures itself (the string-to-sign covers the path, query and x-ms-* headers, not the Host, which is rewritten
 * to the target's). Every request is recorded, with how many were in flight at once.
 *
 * Refusals are Azure Storage's: 403 with x-ms-error-code and its XML error body (no body for HEAD), after the
 * request body was read, as the service does.
 * - role 'none': every bearer request → AuthorizationPermissionMismatch.
 * - role 'reader' (Storage Blob Data Reader): GET and HEAD pass; PUT (incl. comp=metadata), DELETE, POST (batch)
 *   → AuthorizationPermissionMismatch.
 * - role 'contributor' (Storage Blob Data Contributor, the default): all pass.
 * - firewall: every request, Shared Key or bearer → AuthorizationFailure.
 * - backdate(): a blob's creation time as if it had been uploaded then (see blob-ages.ts).
 * - A wrong Shared Key that an `--oauth basic` Azurite answers 400 InvalidAuthenticationInfo (it passes the request
 *   on to its bearer check) becomes Azure's 403 AuthenticationFailed; `refused` is true on such a record.
 */
import { randomUUID } from 'node:crypto';
import {
  Agent as HttpAgent,
  createServer as createHttpServer,
  IncomingMessage,
  request as httpRequest,
  Server,
  ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { BlobAges, blobTarget } from './blob-ages';
import { decodeJwt } from './jwt';

export type StorageRole = 'none' | 'reader' | 'contributor';

export interface StorageProxyOptions {
  /** Azurite's origin or blob endpoint (http(s)://127.0.0.1:PORT[/account]); only the origin is used. */
  target: string;
  /** PEM of the CA that signed an https target's certificate (the proxy trusts only it). */
  targetCa?: string;
  /** Serve https with this certificate (needed for bearer tokens: clients send them only over https). */
  certificate?: { certPem: string; keyPem: string };
  /** Added before each request is forwarded or refused; default 0. */
  latencyMs?: number;
  /** The role of every bearer caller without one of its own in `roles`; default 'contributor'. */
  role?: StorageRole;
  /** Roles per principal: the token's appid (client id of an app or managed identity) or its oid. */
  roles?: Record<string, StorageRole>;
  /** Refuse everything as a storage firewall does. */
  firewall?: boolean;
}

export interface ProxiedRequest {
  method: string;
  /** Path without the query, as sent. */
  path: string;
  /** Decoded query parameters; a repeated name keeps its last value. */
  query: Record<string, string>;
  /** Lower-case names, as received. */
  headers: Record<string, string>;
  /** 'bearer', 'sharedKey', 'sas' or 'anonymous', from the Authorization header / sig query parameter. */
  auth: 'bearer' | 'sharedKey' | 'sas' | 'anonymous';
  /** The status answered (once answered), and whether the proxy refused it itself. */
  status?: number;
  refused?: boolean;
  /** Date.now() at arrival and when the answer was complete. */
  start: number;
  end?: number;
}

export interface StorageProxy {
  /** The proxy with the target's path shape, e.g. https://127.0.0.1:PORT/devstoreaccount1. */
  url: string;
  /** https://127.0.0.1:PORT */
  origin: string;
  requests: ProxiedRequest[];
  /** The highest number of requests in flight at once so far. */
  readonly maxInFlight: number;
  readonly inFlight: number;
  /** Sets the default role, or one principal's (appid or oid) when given. */
  setRole(role: StorageRole, principal?: string): void;
  setFirewall(on: boolean): void;
  setLatency(ms: number): void;
  /**
   * The blob reads as created (and last modified) at `createdOn` in listings and its own answers, as a blob made
   * that long ago by another tool would (Azurite cannot backdate; `apimcreated` metadata is the step's own stamp).
   */
  backdate(container: string, blob: string, createdOn: Date): void;
  /** Forgets the recorded requests and the in-flight high-water mark. */
  reset(): void;
  close(): Promise<void>;
}

const PERMISSION_MISMATCH = {
  code: 'AuthorizationPermissionMismatch',
  message: 'This request is not authorized to perform this operation using this permission.',
};
const FIREWALL = {
  code: 'AuthorizationFailure',
  message: 'This request is not authorized to perform this operation.',
};
const WRONG_KEY = {
  code: 'AuthenticationFailed',
  message:
    'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
};
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'te', 'trailer']);

/** Azure Storage's error body: the message, then the request id and time on their own lines. */
export function storageErrorXml(code: string, message: string, requestId: string, time = new Date()): string {
  return `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${requestId}\nTime:${entraStyleTime(time)}</Message></Error>`;
}

// Storage quotes times like 2024-05-10T15:36:43.0363479Z.
function entraStyleTime(time: Date): string {
  return time.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

function refuse(
  recorded: ProxiedRequest,
  headers: Record<string, string>,
  response: ServerResponse,
  refusal: { code: string; message: string },
): void {
  const requestId = randomUUID();
  const body = recorded.method === 'HEAD' ? '' : storageErrorXml(refusal.code, refusal.message, requestId);
  recorded.status = 403;
  recorded.refused = true;
  response.writeHead(403, refusal.message, {
    'content-length': Buffer.byteLength(body),
    'content-type': 'application/xml',
    server: 'Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0',
    'x-ms-request-id': requestId,
    'x-ms-client-request-id': headers['x-ms-client-request-id'] ?? '',
    'x-ms-version': headers['x-ms-version'] ?? '2025-11-05',
    'x-ms-error-code': refusal.code,
    date: new Date().toUTCString(),
  });
  response.end(body);
}

export async function startStorageProxy(options: StorageProxyOptions): Promise<StorageProxy> {
  const target = new URL(options.target);
  const targetHttps = target.protocol === 'https:';
  const agent = targetHttps
    ? new HttpsAgent({ keepAlive: true, maxSockets: Infinity, ca: options.targetCa })
    : new HttpAgent({ keepAlive: true, maxSockets: Infinity });
  const send = targetHttps ? httpsRequest : httpRequest;
  let latencyMs = options.latencyMs ?? 0;
  let role: StorageRole = options.role ?? 'contributor';
  const roles = new Map(Object.entries(options.roles ?? {}));
  let firewall = options.firewall ?? false;
  const requests: ProxiedRequest[] = [];
  const ages = new BlobAges();
  const accountPath = target.pathname === '/' ? '' : target.pathname.replace(/\/+$/, '');
  let inFlight = 0;
  let maxInFlight = 0;

  const roleOf = (authorization: string): StorageRole => {
    const jwt = decodeJwt(authorization.replace(/^Bearer\s+/i, ''));
    for (const claim of ['appid', 'oid']) {
      const principal = jwt?.claims[claim];
      if (typeof principal === 'string' && roles.has(principal)) return roles.get(principal)!;
    }
    return role;
  };

  const refusal = (recorded: ProxiedRequest, authorization: string) => {
    if (firewall) return FIREWALL;
    if (recorded.auth !== 'bearer') return undefined;
    const granted = roleOf(authorization);
    if (granted === 'contributor') return undefined;
    if (granted === 'reader' && (recorded.method === 'GET' || recorded.method === 'HEAD')) return undefined;
    return PERMISSION_MISMATCH;
  };

  const handle = async (message: IncomingMessage, response: ServerResponse) => {
    const url = new URL(message.url ?? '/', 'http://proxy');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(message.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const authorization = headers.authorization ?? '';
    const recorded: ProxiedRequest = {
      method: message.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      auth: /^Bearer\s/i.test(authorization)
        ? 'bearer'
        : /^SharedKey(Lite)?\s/i.test(authorization)
          ? 'sharedKey'
          : url.searchParams.has('sig')
            ? 'sas'
            : 'anonymous',
      start: Date.now(),
    };
    requests.push(recorded);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      inFlight -= 1;
      recorded.end = Date.now();
    };
    response.once('close', done);
    response.once('finish', done);

    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));

    const refused = refusal(recorded, authorization);
    if (refused) {
      // Read the whole body first, as the service does, so the client is not cut off mid-upload.
      message.resume();
      await new Promise<void>((resolve) => {
        if (message.readableEnded) resolve();
        else message.once('end', () => resolve()).once('error', () => resolve());
      });
      refuse(recorded, headers, response, refused);
      return;
    }

    const forwarded: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (!HOP_BY_HOP.has(name)) forwarded[name] = value;
    }
    forwarded.host = target.host;
    const upstream = send(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: recorded.method,
        path: message.url,
        headers: forwarded,
        agent,
      },
      (answer) => {
        if (
          recorded.auth === 'sharedKey' &&
          answer.statusCode === 400 &&
          answer.headers['x-ms-error-code'] === 'InvalidAuthenticationInfo'
        ) {
          // Azurite with --oauth basic hands a Shared Key it refused on to its bearer check, which answers 400
          // InvalidAuthenticationInfo; Azure Storage answers a wrong key 403 AuthenticationFailed.
          answer.resume();
          refuse(recorded, headers, response, WRONG_KEY);
          return;
        }
        recorded.status = answer.statusCode;
        let answerHeaders = { ...answer.headers };
        for (const name of HOP_BY_HOP) delete answerHeaders[name];
        const named = blobTarget(url.pathname, accountPath);
        if (named && ages.has(named.container) && !answer.headers['content-encoding']) {
          if (named.blob !== undefined) {
            answerHeaders = ages.rewriteHeaders(named.container, named.blob, answerHeaders);
          } else if (recorded.query.comp === 'list' && answer.statusCode === 200) {
            // A listing is small here: read it whole, rewrite the times, and send it with its new length.
            const chunks: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => chunks.push(chunk));
            answer.on('end', () => {
              const body = ages.rewriteListing(named.container, Buffer.concat(chunks).toString('utf8'));
              delete answerHeaders['transfer-encoding'];
              answerHeaders['content-length'] = String(Buffer.byteLength(body));
              response.writeHead(200, answer.statusMessage, answerHeaders);
              response.end(body);
            });
            return;
          }
        }
        response.writeHead(answer.statusCode ?? 502, answer.statusMessage, answerHeaders);
        answer.pipe(response);
      },
    );
    upstream.on('error', (error) => {
      recorded.status = 502;
      if (!response.headersSent) {
        const body = storageErrorXml(
          'ProxyError',
          `The storage proxy could not reach ${target.origin}: ${error.message}`,
          randomUUID(),
        );
        response.writeHead(502, {
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(body),
        });
        response.end(body);
      } else {
        response.destroy(error);
      }
    });
    message.pipe(upstream);
  };

  const listener = (message: IncomingMessage, response: ServerResponse) => {
    handle(message, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  };
  const server: Server = options.certificate
    ? createHttpsServer({ cert: options.certificate.certPem, key: options.certificate.keyPem }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `${options.certificate ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}${accountPath}`,
    origin,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    get inFlight() {
      return inFlight;
    },
    setRole(next, principal) {
      if (principal === undefined) role = next;
      else roles.set(principal, next);
    },
    setFirewall(on) {
      firewall = on;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    backdate(container, blob, createdOn) {
      ages.set(container, blob, createdOn);
    },
    reset() {
      requests.length = 0;
      maxInFlight = inFlight;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      agent.destroy();
    },
  };
}

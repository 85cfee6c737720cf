/** The little HTTP plumbing every route shares: reading and recording a request, writing a reply. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RecordedRequest {
  method: string;
  /** Path without the query string, as sent (not decoded, not lower-cased). */
  path: string;
  /** Decoded query parameters; a repeated name keeps its last value. */
  query: Record<string, string>;
  /** The query string as sent, with its '?' ('' for none). */
  search: string;
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /**
   * https://{Host header}: the name the client used (a name a proxy mapped to 127.0.0.1, say), from which the
   * stand-in builds the URLs it answers with, as a real service answers with its own host name.
   */
  origin?: string;
  body: string;
  /** Date.now() when the request arrived. */
  at: number;
  /** The status answered, once answered. */
  status?: number;
  /** Date.now() when the answer was sent (the final status of a backup waits for the backup blob to be written). */
  answeredAt?: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is; undefined as an empty body. */
  body?: unknown;
}

/** A route answers the requests it owns and returns undefined for the rest. */
export type Route = (request: RecordedRequest) => Reply | undefined | Promise<Reply | undefined>;

export async function readRequest(message: IncomingMessage): Promise<RecordedRequest> {
  const at = Date.now();
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  const url = new URL(message.url ?? '/', 'https://stand-in');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: message.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    search: url.search,
    headers,
    origin: headers.host ? `https://${headers.host}` : undefined,
    body: Buffer.concat(chunks).toString('utf8'),
    at,
  };
}

export function writeReply(response: ServerResponse, reply: Reply): void {
  const isJson = reply.body !== undefined && typeof reply.body !== 'string';
  const payload = reply.body === undefined ? '' : isJson ? JSON.stringify(reply.body) : String(reply.body);
  const headers: Record<string, string | number> = {
    ...reply.headers,
    'content-length': Buffer.byteLength(payload),
  };
  if (isJson) headers['content-type'] ??= 'application/json; charset=utf-8';
  response.writeHead(reply.status, headers);
  response.end(payload);
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body, headers };
}

/** The bearer token of an Authorization header, or undefined. */
export function bearerToken(request: RecordedRequest): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

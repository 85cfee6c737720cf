/**
 * The rules of waiting on a long-running operation (the loop itself is ApimInstance.waitFor): which faults are
 * worth another try, how long to back off, and how soon Azure may ask us to come back.
 */

/** No poll comes sooner than this after the last, whatever Retry-After says (`Retry-After: 0` would busy-poll). */
export const MIN_POLL_MS = 1_000;
/** Backoff between tries after a fault never grows past this. */
const MAX_BACKOFF_MS = 30_000;

/** An error answer of Azure, with the code and status explainError reads. */
export class AzureError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly statusCode?: number,
    /** The operation-status URL that gave this answer, when it was the answer to a poll. */
    readonly operationUrl?: string,
  ) {
    super(message);
    this.name = 'AzureError';
  }
}

/** Answers that say "not now" rather than "no": the operation runs on in Azure meanwhile. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** A request that never got an answer (reset, refused, DNS, timeout) — not a sign-in or abort error. */
export function isTransientError(error: unknown): boolean {
  const e = error as { name?: string; code?: string; statusCode?: number };
  if (e?.name === 'AbortError') return false;
  return e?.name === 'RestError' && e.statusCode === undefined;
}

/** Doubles from a second up to the poll interval (at least a second) or 30 s, whichever is larger. */
export function nextBackoff(previousMs: number, pollIntervalMs: number): number {
  const cap = Math.max(MIN_POLL_MS, Math.min(MAX_BACKOFF_MS, Math.max(pollIntervalMs, 4 * MIN_POLL_MS)));
  return previousMs <= 0 ? MIN_POLL_MS : Math.min(cap, previousMs * 2);
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Otherwise only an HTTP date (it has a weekday or month name): "1.5" or "-5" must not parse as a year.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

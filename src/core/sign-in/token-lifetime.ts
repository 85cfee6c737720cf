/**
 * When to replace a token: half its lifetime before expiry, but never more than two minutes early. Real tokens
 * (an hour) are renewed two minutes ahead, which covers clock skew and a slow exchange; short-lived ones (runner ID
 * tokens, test tokens of seconds) are still used for half their life rather than fetched on every request.
 */
const MAX_MARGIN_MS = 120_000;

export function refreshTime(issuedAtMs: number, expiresAtMs: number): number {
  const margin = Math.min(MAX_MARGIN_MS, Math.max(0, expiresAtMs - issuedAtMs) / 2);
  return expiresAtMs - margin;
}

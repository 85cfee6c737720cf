/**
 * Keeps one OIDC ID token from the runner and fetches another only when it is near expiry. @azure/identity asks
 * for the assertion on every token request, twice; runner ID tokens are short-lived, and Entra rejects a stale one
 * (AADSTS700024) — so neither "fetch every time" nor "fetch once" works through a two-hour restore.
 */
import { SecretRegistry } from '../report/secrets';
import { refreshTime } from './token-lifetime';

export interface IdTokenClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  iat?: number;
}

export function decodeJwtClaims(token: string): IdTokenClaims {
  try {
    const payload = token.split('.')[1] ?? '';
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as IdTokenClaims;
  } catch {
    return {};
  }
}

export interface IdTokenCache {
  get(): Promise<string>;
  /** Claims of the last token fetched: the subject tells users which federated credential to register. */
  readonly claims: IdTokenClaims | undefined;
  readonly fetches: number;
}

export function cacheIdToken(
  fetchToken: () => Promise<string>,
  secrets: SecretRegistry,
  now: () => number = Date.now,
): IdTokenCache {
  let token: string | undefined;
  let claims: IdTokenClaims | undefined;
  let refreshAt = 0;
  let fetches = 0;
  let pending: Promise<string> | undefined;

  const fetchFresh = async () => {
    const fresh = await fetchToken();
    secrets.add(fresh);
    fetches += 1;
    token = fresh;
    claims = decodeJwtClaims(fresh);
    refreshAt = refreshTime((claims.iat ?? now() / 1000) * 1000, (claims.exp ?? 0) * 1000);
    return fresh;
  };

  return {
    get() {
      if (token && now() < refreshAt) return Promise.resolve(token);
      pending ??= fetchFresh().finally(() => (pending = undefined));
      return pending;
    },
    get claims() {
      return claims;
    },
    get fetches() {
      return fetches;
    },
  };
}

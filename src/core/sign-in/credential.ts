/** Builds the @azure/identity credential for the chosen sign-in method; every token it yields is masked. */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import {
  AzureCliCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import { Cloud } from '../inputs/clouds';
import type { SignIn } from '../inputs/config';
import { IdTokenCache } from './id-token';
import { SecretRegistry } from '../report/secrets';
import { refreshTime } from './token-lifetime';
import type { Deadline } from '../base/deadline';
import type { Network } from '../net/network';
import { sdkHttpClient } from '../net/sdk-http';

export function createCredential(
  signIn: SignIn,
  cloud: Cloud,
  secrets: SecretRegistry,
  idTokens?: IdTokenCache,
  deadline?: Deadline,
  network?: Network,
): TokenCredential {
  // Every credential's requests (Entra, the managed-identity endpoint) go through the step's network.
  const transport = network ? { httpClient: sdkHttpClient(network) } : {};
  const options = {
    authorityHost: cloud.authorityHost,
    disableInstanceDiscovery: cloud.customAuthority,
    ...transport,
  };
  let credential: TokenCredential;
  switch (signIn.method) {
    case 'client-secret':
      credential = new ClientSecretCredential(signIn.tenantId, signIn.clientId, signIn.clientSecret, options);
      break;
    case 'client-certificate':
      credential = new ClientCertificateCredential(
        signIn.tenantId,
        signIn.clientId,
        { certificate: signIn.certificatePem },
        options,
      );
      break;
    case 'oidc':
      if (!idTokens) throw new Error('OIDC sign-in needs an ID token source');
      credential = new ClientAssertionCredential(
        signIn.tenantId,
        signIn.clientId,
        () => idTokens.get(),
        options,
      );
      break;
    case 'managed-identity':
      credential = signIn.clientId
        ? new ManagedIdentityCredential({ clientId: signIn.clientId, ...transport })
        : new ManagedIdentityCredential({ ...transport });
      break;
    case 'azure-cli':
      credential = new AzureCliCredential({ tenantId: signIn.tenantId });
      break;
  }
  return cacheAndMask(
    credential,
    secrets,
    Date.now,
    deadline && { deadline, source: tokenSource(signIn, cloud) },
  );
}

/** Where a token comes from, for the message when the deadline passes during a token request. */
function tokenSource(signIn: SignIn, cloud: Cloud): string {
  switch (signIn.method) {
    case 'managed-identity':
      return 'the managed identity endpoint';
    case 'azure-cli':
      return 'the Azure CLI (az account get-access-token)';
    default:
      return `Microsoft Entra ID (${cloud.authorityHost})`;
  }
}

/**
 * Masks every access token, and keeps each one for half its life (see token-lifetime.ts). The ARM pipeline asks
 * for a token on every request once it is within two minutes of expiry, and MSAL treats anything within five
 * minutes as expired: without this, short-lived tokens would mean one sign-in per poll. Callers asking for the same
 * scopes while a request is out (a token fetched ahead of the first request, the two instances of a copy) share it.
 */
export function cacheAndMask(
  credential: TokenCredential,
  secrets: SecretRegistry,
  now: () => number = Date.now,
  bounded?: { deadline: Deadline; source: string },
): TokenCredential {
  const cache = new Map<string, { token: AccessToken; refreshAt: number }>();
  const inFlight = new Map<string, Promise<AccessToken | null>>();
  const fetchToken = async (key: string, scopes: string | string[], options?: GetTokenOptions) => {
    const fetchedAt = now();
    // A shared request ends with the deadline, not with the first caller's own signal.
    const abortSignal = bounded ? bounded.deadline.signal : options?.abortSignal;
    const token = await credential.getToken(scopes, { ...options, abortSignal });
    if (token) {
      secrets.add(token.token);
      cache.set(key, { token, refreshAt: refreshTime(fetchedAt, token.expiresOnTimestamp) });
    }
    return token;
  };
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const key = [scopes].flat().join(' ');
      const cached = cache.get(key);
      // A claims challenge (continuous access evaluation) needs a new token whatever the cache holds.
      if (cached && !options?.claims && now() < cached.refreshAt) return cached.token;
      const pending = options?.claims ? undefined : inFlight.get(key);
      // Joining a request already out: it is named while out (a blocking activity) and ends at the deadline.
      if (pending) return untilAborted(pending, options?.abortSignal);
      // MSAL's own requests do not all honour the abort signal: the race ends a hanging one at the deadline.
      const started = bounded
        ? bounded.deadline.race(
            `requesting an access token for ${key} from ${bounded.source}`,
            () => fetchToken(key, scopes, options),
            { blocking: true },
          )
        : fetchToken(key, scopes, options);
      if (!options?.claims) {
        inFlight.set(key, started);
        const settled = () => {
          if (inFlight.get(key) === started) inFlight.delete(key);
        };
        started.then(settled, settled);
      }
      return untilAborted(started, options?.abortSignal);
    },
  };
}

/** The promise, or an AbortError as soon as this caller's own signal aborts (the shared request goes on). */
function untilAborted<T>(promise: Promise<T>, signal: GetTokenOptions['abortSignal']): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the rejection passes on as it came
        reject(error);
      },
    );
  });
}

function abortError(): Error {
  const error = new Error('The token request was abandoned by its caller.');
  error.name = 'AbortError';
  return error;
}

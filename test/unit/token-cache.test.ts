/**
 * The token cache every credential is wrapped in: one request for callers asking at once (the Resource Manager
 * token is fetched ahead of the first request, and that request then asks too), masking, and a caller's own abort
 * leaving the shared request alone.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { Deadline } from '../../src/core/base/deadline';
import { SecretRegistry } from '../../src/core/report/secrets';
import { cacheAndMask } from '../../src/core/sign-in/credential';

const SCOPE = 'https://management.azure.com/.default';

/** A credential whose requests the test answers by hand. */
function manualCredential() {
  const requests: { options?: GetTokenOptions; answer(token: string | Error): void }[] = [];
  const credential: TokenCredential = {
    getToken: (_scopes, options) =>
      new Promise<AccessToken>((resolve, reject) => {
        requests.push({
          options,
          answer: (token) =>
            token instanceof Error
              ? reject(token)
              : resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
        });
      }),
  };
  return { credential, requests };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

let deadline: Deadline;

beforeEach(() => {
  deadline = new Deadline(60_000);
});

afterEach(() => {
  deadline.clear();
});

it('callers asking while a request is out share it; the token is masked and then kept', async () => {
  const { credential, requests } = manualCredential();
  const masked: string[] = [];
  const cached = cacheAndMask(credential, new SecretRegistry((value) => masked.push(value)), Date.now, {
    deadline,
    source: 'Microsoft Entra ID',
  });

  const ahead = cached.getToken(SCOPE);
  const first = cached.getToken(SCOPE);
  await flush();
  expect(requests).toHaveLength(1);
  requests[0].answer('token-for-arm');

  await expect(ahead).resolves.toMatchObject({ token: 'token-for-arm' });
  await expect(first).resolves.toMatchObject({ token: 'token-for-arm' });
  await expect(cached.getToken(SCOPE)).resolves.toMatchObject({ token: 'token-for-arm' });
  expect(requests).toHaveLength(1);
  expect(masked).toEqual(['token-for-arm']);
});

it('a caller that gives up (its own signal) leaves the shared request to the others', async () => {
  const { credential, requests } = manualCredential();
  const cached = cacheAndMask(credential, new SecretRegistry(() => undefined), Date.now, {
    deadline,
    source: 'Microsoft Entra ID',
  });
  const impatient = new AbortController();

  const gaveUp = cached.getToken(SCOPE, { abortSignal: impatient.signal });
  const waits = cached.getToken(SCOPE);
  await flush();
  impatient.abort();

  await expect(gaveUp).rejects.toMatchObject({ name: 'AbortError' });
  // The request itself runs on under the deadline's signal, not the first caller's.
  expect(requests).toHaveLength(1);
  expect(requests[0].options?.abortSignal).toBe(deadline.signal);
  requests[0].answer('token-for-arm');
  await expect(waits).resolves.toMatchObject({ token: 'token-for-arm' });
});

it('a failed request is not kept: the next caller asks again and meets its own answer', async () => {
  const { credential, requests } = manualCredential();
  const cached = cacheAndMask(credential, new SecretRegistry(() => undefined));

  const ahead = cached.getToken(SCOPE).catch((error: Error) => error);
  await flush();
  requests[0].answer(new Error('AADSTS7000215: Invalid client secret provided.'));
  await expect(ahead).resolves.toMatchObject({ message: expect.stringContaining('AADSTS7000215') });

  const again = cached.getToken(SCOPE);
  await flush();
  expect(requests).toHaveLength(2);
  requests[1].answer('token-after-all');
  await expect(again).resolves.toMatchObject({ token: 'token-after-all' });
});

it('a claims challenge gets a request of its own', async () => {
  const { credential, requests } = manualCredential();
  const cached = cacheAndMask(credential, new SecretRegistry(() => undefined));

  const plain = cached.getToken(SCOPE);
  const challenged = cached.getToken(SCOPE, { claims: '{"access_token":{"nbf":{"essential":true}}}' });
  await flush();
  expect(requests).toHaveLength(2);
  requests[0].answer('plain');
  requests[1].answer('with-claims');
  await expect(plain).resolves.toMatchObject({ token: 'plain' });
  await expect(challenged).resolves.toMatchObject({ token: 'with-claims' });
});

/** cacheIdToken: one runner ID token, reused until near expiry, with a fake clock and a counting fetch. */
import { cacheIdToken, decodeJwtClaims, IdTokenClaims } from '../../src/core/sign-in/id-token';
import { SecretRegistry } from '../../src/core/report/secrets';

const START_MS = Date.UTC(2024, 2, 5, 7, 0, 0);

/**
 * A JWT-shaped token whose header is not `eyJ…`, so SecretRegistry's generic JWT scrubbing cannot hide it:
 * redact() masks it only if the cache registered it.
 */
function token(claims: IdTokenClaims): string {
  return `opaque.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
}

/** A fake clock, a fetch that counts and issues tokens living `lifetimeS` seconds, and a secret registry. */
function setUp(lifetimeS: number) {
  const clock = { ms: START_MS };
  const masked: string[] = [];
  const secrets = new SecretRegistry((value) => masked.push(value));
  const issued: string[] = [];
  const fetchToken = jest.fn(async () => {
    const iat = Math.floor(clock.ms / 1000);
    const fresh = token({
      iss: 'https://token.actions.githubusercontent.com',
      sub: `repo:owner/name:run-${issued.length + 1}`,
      iat,
      exp: iat + lifetimeS,
    });
    issued.push(fresh);
    return fresh;
  });
  const cache = cacheIdToken(fetchToken, secrets, () => clock.ms);
  return { clock, masked, secrets, issued, fetchToken, cache };
}

describe('cacheIdToken', () => {
  it('fetches once and reuses the token', async () => {
    const { clock, fetchToken, cache, issued } = setUp(600);
    expect(cache.fetches).toBe(0);
    expect(cache.claims).toBeUndefined();
    const first = await cache.get();
    clock.ms += 60_000;
    const second = await cache.get();
    expect(second).toBe(first);
    expect(first).toBe(issued[0]);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(cache.fetches).toBe(1);
    expect(cache.claims).toMatchObject({
      sub: 'repo:owner/name:run-1',
      iss: 'https://token.actions.githubusercontent.com',
    });
  });

  // margin = min(2 minutes, half the lifetime)
  it.each([
    [10, 5],
    [60, 30],
    [200, 100],
    [240, 120],
    [300, 120],
    [600, 120],
    [3600, 120],
  ])(
    'a token living %ds is reused until %ds before it expires, then replaced',
    async (lifetimeS, marginS) => {
      const { clock, fetchToken, cache, issued } = setUp(lifetimeS);
      await cache.get();
      const refreshAt = START_MS + (lifetimeS - marginS) * 1000;

      clock.ms = refreshAt - 1;
      expect(await cache.get()).toBe(issued[0]);
      expect(fetchToken).toHaveBeenCalledTimes(1);

      clock.ms = refreshAt;
      expect(await cache.get()).toBe(issued[1]);
      expect(fetchToken).toHaveBeenCalledTimes(2);
      expect(cache.fetches).toBe(2);
      expect(cache.claims?.sub).toBe('repo:owner/name:run-2');

      // The new token is reused in turn.
      clock.ms = refreshAt + (lifetimeS - marginS) * 1000 - 1;
      expect(await cache.get()).toBe(issued[1]);
      expect(fetchToken).toHaveBeenCalledTimes(2);
    },
  );

  it('refetches a token that is already expired', async () => {
    const { clock, fetchToken, cache } = setUp(300);
    await cache.get();
    clock.ms += 3_600_000;
    await cache.get();
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('shares one fetch between concurrent callers', async () => {
    const secrets = new SecretRegistry(() => undefined);
    const fresh = token({ iat: START_MS / 1000, exp: START_MS / 1000 + 600 });
    let release: (value: string) => void = () => undefined;
    const fetchToken = jest.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const cache = cacheIdToken(fetchToken, secrets, () => START_MS);

    const calls = [cache.get(), cache.get(), cache.get()];
    expect(fetchToken).toHaveBeenCalledTimes(1);
    release(fresh);
    expect(await Promise.all(calls)).toEqual([fresh, fresh, fresh]);
    expect(cache.fetches).toBe(1);
    expect(await cache.get()).toBe(fresh);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('concurrent callers near expiry also share one refetch', async () => {
    const { clock, fetchToken, cache, issued } = setUp(600);
    await cache.get();
    clock.ms += 600_000;
    const results = await Promise.all([cache.get(), cache.get()]);
    expect(results).toEqual([issued[1], issued[1]]);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('tries again after a failed fetch', async () => {
    const secrets = new SecretRegistry(() => undefined);
    const fresh = token({ iat: START_MS / 1000, exp: START_MS / 1000 + 600 });
    const fetchToken = jest
      .fn<Promise<string>, []>()
      .mockRejectedValueOnce(new Error('runner said no'))
      .mockResolvedValueOnce(fresh);
    const cache = cacheIdToken(fetchToken, secrets, () => START_MS);
    await expect(cache.get()).rejects.toThrow('runner said no');
    expect(cache.fetches).toBe(0);
    await expect(cache.get()).resolves.toBe(fresh);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('fetches every time when a token carries no expiry', async () => {
    const secrets = new SecretRegistry(() => undefined);
    const fetchToken = jest.fn(async () => token({ sub: 'no-exp' }));
    const cache = cacheIdToken(fetchToken, secrets, () => START_MS);
    await cache.get();
    await cache.get();
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('registers every fetched token as a secret', async () => {
    const { clock, masked, secrets, issued, cache } = setUp(60);
    await cache.get();
    clock.ms += 60_000;
    await cache.get();
    clock.ms += 60_000;
    await cache.get();
    expect(issued).toHaveLength(3);
    expect(new Set(issued).size).toBe(3);
    expect(masked).toEqual(issued);
    const log = `first ${issued[0]} second ${issued[1]} third ${issued[2]}`;
    expect(secrets.redact(log)).toBe('first *** second *** third ***');
  });
});

describe('decodeJwtClaims', () => {
  it('reads the payload of a JWT', () => {
    expect(decodeJwtClaims(token({ sub: 'repo:o/n:environment:prod', exp: 5 }))).toEqual({
      sub: 'repo:o/n:environment:prod',
      exp: 5,
    });
  });

  it.each(['', 'not-a-jwt', 'a.%%%.c', `a.${Buffer.from('not json').toString('base64url')}.c`])(
    'returns no claims for %p',
    (text) => {
      expect(decodeJwtClaims(text)).toEqual({});
    },
  );
});

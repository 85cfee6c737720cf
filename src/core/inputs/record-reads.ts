/**
 * Which inputs a configuration read: the raw inputs seen through a proxy that notes every key asked for, so a test
 * can compare what each operation reads with what the input table declares. Values pass through unchanged; only
 * parseJob's callers that ask for the record pay for the proxy.
 */
export function recordReads<T extends object>(raw: T, reads: Set<string>): T {
  return new Proxy(raw, {
    get(target, key, receiver) {
      if (typeof key === 'string') reads.add(key);
      return Reflect.get(target, key, receiver) as unknown;
    },
    has(target, key) {
      if (typeof key === 'string') reads.add(key);
      return Reflect.has(target, key);
    },
  });
}

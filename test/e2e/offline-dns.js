/**
 * Preloaded into the step's process by the proxy tests (NODE_OPTIONS=--require <this file>): no host name is looked
 * up, ever. A name listed in OFFLINE_DNS_HOSTS ("name=address,name=address") resolves to its address, as from a
 * hosts file; localhost resolves as usual; every other name fails at once with ENOTFOUND, as a name this machine
 * cannot resolve. So a request that should have gone through the proxy but went directly fails, and no DNS query
 * leaves the machine.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a --require preload is CommonJS
const dns = require('node:dns');

const hosts = new Map(
  (process.env.OFFLINE_DNS_HOSTS || '')
    .split(',')
    .filter(Boolean)
    .map((entry) => entry.split('=').map((part) => part.trim().toLowerCase())),
);
const systemLookup = dns.lookup;

function notFound(hostname) {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
    code: 'ENOTFOUND',
    errno: -3008,
    syscall: 'getaddrinfo',
    hostname,
  });
}

dns.lookup = function lookup(hostname, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  const name = String(hostname).toLowerCase();
  if (name === 'localhost') return systemLookup.call(dns, hostname, options, callback);
  const address = hosts.get(name);
  const all = typeof options === 'object' && options !== null && options.all;
  process.nextTick(() => {
    if (!address) callback(notFound(hostname));
    else if (all) callback(null, [{ address, family: 4 }]);
    else callback(null, address, 4);
  });
  return {};
};

dns.promises.lookup = (hostname, options) =>
  new Promise((resolve, reject) =>
    dns.lookup(hostname, options || {}, (error, address, family) =>
      error ? reject(error) : resolve(Array.isArray(address) ? address : { address, family }),
    ),
  );

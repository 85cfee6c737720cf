// Bundles each adapter with its dependencies into dist/<adapter>/ (committed: dist/ is what the runners execute).
//
// Start-up is most of what a short step costs, and Node spends it reading and compiling JavaScript, so:
// - ES modules split into chunks: the entry holds the core and the runner's library; each Azure SDK (identity,
//   Resource Manager, storage) is a chunk of its own, read and compiled only when an operation first uses it.
//   A package.json beside the entry makes Node load it as a module; chunks/ holds the rest.
// - Minified, with names kept: stack traces in debug logs still name every function and class.
// - @actions/http-client imports undici (~420 KB minified) only for getAgentDispatcher, which fetch-based clients
//   call; @actions/core (inputs, outputs, the OIDC request through a proxy too) never does. A stub stands in for it.
// - What the step does not use before its first request is not loaded for it (see each plugin below): Node's fetch
//   library (undici), which a FormData check would load; jsonwebtoken, until a certificate sign-in signs with it.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const undiciStub = {
  name: 'undici-stub',
  setup(builder) {
    builder.onResolve({ filter: /^undici$/ }, (args) =>
      /[\\/]@actions[\\/]http-client[\\/]/.test(args.importer)
        ? { path: 'undici', namespace: 'undici-stub' }
        : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'undici-stub' }, () => ({
      contents:
        "export class ProxyAgent { constructor() { throw new Error('undici is not bundled: HttpClient.getAgentDispatcher is not available in this action'); } }",
      loader: 'js',
    }));
  },
};

/**
 * The pipeline of every Azure SDK asks `typeof FormData` of each request's body, and FormData is one of Node's lazy
 * globals: the first read loads its fetch library (undici, ~15 ms of start-up) for a check no request of this step
 * needs (bodies are strings or absent). Asking first whether the body is an object at all decides the same for
 * every body, and reads FormData only for an object body.
 */
const formDataCheckLast = {
  name: 'form-data-check-last',
  setup(builder) {
    builder.onLoad(
      { filter: /[\\/]@typespec[\\/]ts-http-runtime[\\/]dist[\\/]esm[\\/]formData\.js$/ },
      (args) => {
        const source = readFileSync(args.path, 'utf8');
        const check = 'typeof FormData !== "undefined" && body instanceof FormData';
        if (!source.includes(check))
          throw new Error(`${args.path}: the FormData check changed; review this plugin`);
        return {
          contents: source.replace(check, `typeof body === "object" && body !== null && ${check}`),
          loader: 'js',
        };
      },
    );
  },
};

/**
 * MSAL imports jsonwebtoken (with jws, jwa and semver, whose ranges it parses on load: ~10 ms) for one call,
 * `jwt.sign`, which signs the assertion of a certificate sign-in. MSAL gets a `sign` that loads it on first use.
 */
const jsonwebtokenOnFirstUse = {
  name: 'jsonwebtoken-on-first-use',
  setup(builder) {
    builder.onResolve({ filter: /^jsonwebtoken$/ }, (args) =>
      args.namespace === 'file' && /[\\/]@azure[\\/]msal-node[\\/]/.test(args.importer)
        ? { path: args.importer, namespace: 'jsonwebtoken-on-first-use' }
        : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'jsonwebtoken-on-first-use' }, (args) => {
      const uses = readFileSync(args.path, 'utf8').match(/\bjwt\.\w+/g) ?? [];
      if (uses.some((use) => use !== 'jwt.sign')) {
        throw new Error(
          `${args.path} uses ${[...new Set(uses)].join(', ')} of jsonwebtoken; review this plugin`,
        );
      }
      return {
        contents: 'export default { sign: (...args) => require("jsonwebtoken").sign(...args) };',
        loader: 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [undiciStub, formDataCheckLast, jsonwebtokenOnFirstUse],
  // CommonJS packages inside an ES module bundle still call require() for Node's built-in modules.
  banner: {
    js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);",
  },
};

await Promise.all(
  [
    ['src/github/main.ts', 'dist/github'],
    ['src/azure-devops/main.ts', 'dist/azure-devops'],
  ].map(async ([entry, outdir]) => {
    // Chunk names carry a hash of their content: a fresh folder leaves no stale chunk behind.
    rmSync(outdir, { recursive: true, force: true });
    mkdirSync(outdir, { recursive: true });
    writeFileSync(`${outdir}/package.json`, '{ "type": "module" }\n');
    await build({ ...common, entryPoints: { index: entry }, outdir });
  }),
);

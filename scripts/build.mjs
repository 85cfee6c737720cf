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
//   library (undici), which a FormData check would load; jsonwebtoken, until a certificate sign-in signs with it;
//   the SDK pipeline's proxy agents, until a proxy applies; the parts of task-lib the task never calls into; and
//   the Resource Manager client's operation groups but the one the step calls.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';

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
        ? // A path of this namespace goes into the chunk's hash: relative, so every checkout builds the same names.
          {
            path: relative(process.cwd(), args.importer),
            namespace: 'jsonwebtoken-on-first-use',
            pluginData: args.importer,
          }
        : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'jsonwebtoken-on-first-use' }, (args) => {
      const importer = args.pluginData;
      const uses = readFileSync(importer, 'utf8').match(/\bjwt\.\w+/g) ?? [];
      if (uses.some((use) => use !== 'jwt.sign')) {
        throw new Error(
          `${importer} uses ${[...new Set(uses)].join(', ')} of jsonwebtoken; review this plugin`,
        );
      }
      return {
        contents: 'export default { sign: (...args) => require("jsonwebtoken").sign(...args) };',
        loader: 'js',
        resolveDir: dirname(importer),
      };
    });
  },
};

/**
 * The SDK pipeline's proxy policy imports https-proxy-agent and http-proxy-agent (with agent-base, debug and
 * supports-color) to build an agent only when a proxy applies; the step's own agents take over from it even then.
 * The policy gets classes that load them when first constructed.
 */
const proxyAgentsOnFirstUse = {
  name: 'proxy-agents-on-first-use',
  setup(builder) {
    const agents = { 'https-proxy-agent': 'HttpsProxyAgent', 'http-proxy-agent': 'HttpProxyAgent' };
    builder.onResolve({ filter: /^https?-proxy-agent$/ }, (args) =>
      args.namespace === 'file' &&
      /[\\/]@typespec[\\/]ts-http-runtime[\\/]dist[\\/]esm[\\/]policies[\\/]proxyPolicy\.js$/.test(
        args.importer,
      )
        ? { path: args.path, namespace: 'proxy-agents-on-first-use', pluginData: args.importer }
        : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'proxy-agents-on-first-use' }, (args) => {
      const name = agents[args.path];
      const importer = args.pluginData;
      const rest = readFileSync(importer, 'utf8').replace(`import { ${name} } from "${args.path}";`, '');
      const count = (pattern) => rest.match(new RegExp(pattern, 'g'))?.length ?? 0;
      if (count(`\\b${name}\\b`) !== count(`\\bnew ${name}\\(`)) {
        throw new Error(`${importer} uses ${name} other than to construct it; review this plugin`);
      }
      return {
        contents: `export class ${name} { constructor(...args) { return new (require(${JSON.stringify(args.path)}).${name})(...args); } }`,
        loader: 'js',
        resolveDir: dirname(importer),
      };
    });
  },
};

/**
 * azure-pipelines-task-lib loads, on load, modules the step never calls into: the tool runner (with q), the
 * external-output filter and minimatch. Each is loaded when one of its members is first read instead (task-lib
 * only ever reads members of them; the build fails otherwise), and the two values task.js re-exports from them
 * become getters. The runner protocol (inputs, the vault, commands) is task-lib's own code, run as before.
 */
const TASK_LIB_ON_FIRST_USE = {
  'task.js': {
    requires: [
      'var minimatch = require("minimatch");',
      'var trm = require("./toolrunner");',
      'var eom = require("./externaloutput");',
    ],
    exports: [
      'exports.ToolRunner = trm.ToolRunner;',
      'exports.defaultAllowedVsoCommands = eom.defaultAllowedVsoCommands;',
    ],
  },
  'internal.js': {
    requires: ['var minimatch = require("minimatch");'],
    exports: [],
  },
};
const taskLibOnFirstUse = {
  name: 'task-lib-on-first-use',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]azure-pipelines-task-lib[\\/](task|internal)\.js$/ }, (args) => {
      const { requires, exports } = TASK_LIB_ON_FIRST_USE[basename(args.path)];
      let source = readFileSync(args.path, 'utf8');
      const replace = (from, to) => {
        if (!source.includes(from)) throw new Error(`${args.path} has no '${from}'; review this plugin`);
        source = source.replace(from, to);
      };
      for (const line of requires) {
        const [, name, load] = /^var (\w+) = (require\(.*\));$/.exec(line);
        const lazy = `var ${name} = onFirstUse(function () { return ${load}; });`;
        replace(line, lazy);
        const uses = source
          .replace(lazy, '')
          .replace(/\/\/.*$/gm, '')
          .match(new RegExp(`\\b${name}\\b.?`, 'g'));
        if (uses.some((use) => use !== `${name}.`)) {
          throw new Error(`${args.path} uses ${name} other than by reading its members; review this plugin`);
        }
      }
      for (const line of exports) {
        const [, name, value] = /^exports\.(\w+) = (.*);$/.exec(line);
        replace(
          line,
          `Object.defineProperty(exports, "${name}", { enumerable: true, get: function () { return ${value}; } });`,
        );
      }
      const onFirstUse =
        'function onFirstUse(load) { var loaded; return new Proxy({}, { get: function (_, key) { return (loaded || (loaded = load()))[key]; } }); }';
      return { contents: `${source}\n${onFirstUse}\n`, loader: 'js' };
    });
  },
};

/**
 * ApiManagementClient builds all of its ~135 operation groups (0.5 MB of the Resource Manager chunk, ~30 ms to
 * compile and run) though the step calls one: `apiManagementService` (get, list, listByResourceGroup; backup and
 * restore go through the client's own sendRequest). The client, that group, the models and the pipeline stay as
 * the SDK has them; every other group is a stand-in that says so the moment anything uses it.
 */
const APIM_OPERATION_GROUPS_USED = ['apiManagementService.js'];
const apimOperationGroupsUsed = {
  name: 'apim-operation-groups-used',
  setup(builder) {
    builder.onLoad(
      { filter: /[\\/]@azure[\\/]arm-apimanagement[\\/]dist[\\/]esm[\\/]operations[\\/]index\.js$/ },
      (args) => {
        const folder = dirname(args.path);
        const index = readFileSync(args.path, 'utf8');
        const client = readFileSync(join(folder, '..', 'apiManagementClient.js'), 'utf8');
        const imported = /import \{([^}]*)\} from "\.\/operations\/index\.js"/.exec(client);
        if (!imported)
          throw new Error(`${args.path}: the client's operation imports changed; review this plugin`);
        const kept = APIM_OPERATION_GROUPS_USED.flatMap((file) => {
          if (!index.includes(`export * from "./${file}";`))
            throw new Error(`${args.path} exports no ./${file}`);
          return [...readFileSync(join(folder, file), 'utf8').matchAll(/^export class (\w+)/gm)].map(
            (m) => m[1],
          );
        });
        const unused = imported[1]
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name && !kept.includes(name));
        return {
          contents: [
            ...APIM_OPERATION_GROUPS_USED.map((file) => `export * from "./${file}";`),
            'const notBundled = (name) => class {',
            '  constructor() {',
            '    return new Proxy(this, {',
            '      get(target, key) {',
            "        if (typeof key === 'symbol' || key in target) return Reflect.get(target, key);",
            '        throw new Error(`@azure/arm-apimanagement: ${name} is not bundled (scripts/build.mjs, APIM_OPERATION_GROUPS_USED)`);',
            '      },',
            '    });',
            '  }',
            '};',
            ...unused.map((name) => `export const ${name} = notBundled(${JSON.stringify(name)});`),
          ].join('\n'),
          loader: 'js',
          resolveDir: folder,
        };
      },
    );
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
  plugins: [
    undiciStub,
    formDataCheckLast,
    jsonwebtokenOnFirstUse,
    proxyAgentsOnFirstUse,
    taskLibOnFirstUse,
    apimOperationGroupsUsed,
  ],
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

import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, top to bottom. A file imports only from its own layer or lower ones, `import type` included
 * (import-x/no-restricted-paths below), and no import closes a cycle (import-x/no-cycle, which follows value imports:
 * types alone are erased from the bundle, and between layers the first rule already forbids them). A lower layer
 * that needs something of a higher one takes it as a parameter, or names a narrow type of what it reads.
 * README.md (Development) says the same in words.
 */
const LAYERS = [
  // The two pipeline systems' entry points; they import the core through src/core/index.ts.
  { name: 'the adapters', paths: ['src/github', 'src/azure-devops'] },
  // index: what the adapters import; run: the whole job; parse: the inputs into the chosen operation's
  // configuration; job: the Job an operation gets; exit: ending the step once its output is out.
  {
    name: 'the entry (index, run, parse, job, exit)',
    paths: [
      'src/core/index.ts',
      'src/core/run.ts',
      'src/core/parse.ts',
      'src/core/job.ts',
      'src/core/exit.ts',
    ],
  },
  // One operation over several instances, each run as a single run would be.
  { name: 'fleet/', paths: ['src/core/fleet'] },
  // One module per operation, the Job and Operation types, and the steps and plans they share.
  { name: 'operations/', paths: ['src/core/operations'] },
  // The pre-flight checks: Resource Manager reads, judged by pure rules.
  { name: 'preflight/', paths: ['src/core/preflight'] },
  // Azure's clients (the instance, its list, the wait loop, the backups in storage) and the credentials.
  { name: 'azure/ and sign-in/', paths: ['src/core/azure', 'src/core/sign-in'] },
  // Errors a user can act on, the summary, secrets, outputs that fit.
  { name: 'report/', paths: ['src/core/report'] },
  // The input table, its validation and the configuration types; ports.ts: what the core needs of a pipeline system.
  { name: 'inputs/ and ports.ts', paths: ['src/core/inputs', 'src/core/ports.ts'] },
  // The proxy rules and every connection.
  { name: 'net/', paths: ['src/core/net'] },
  // The ground floor, importing nothing of the core: durations, the step's deadline, bounded concurrency.
  { name: 'base/', paths: ['src/core/base'] },
];

// A file or folder new in src/core must be given its layer, else nothing would hold it to one.
const unplaced = readdirSync(`${import.meta.dirname}/src/core`)
  .map((entry) => `src/core/${entry}`)
  .filter((path) => !LAYERS.some((layer) => layer.paths.includes(path)));
if (unplaced.length > 0) throw new Error(`eslint.config.mjs: give ${unplaced.join(', ')} a place in LAYERS`);

/** One zone per pair of layers: the lower one may not import the higher one. */
const upwardImports = LAYERS.flatMap((lower, below) =>
  LAYERS.slice(0, below).map((higher) => ({
    target: lower.paths,
    from: higher.paths,
    message: `${lower.name} sits below ${higher.name} (the layers are listed in eslint.config.mjs).`,
  })),
);

/** The pipeline systems' names, as the input and output tables' columns spell them (an esquery regex). */
const PLATFORM_NAMES = '/^(github|azureDevOps)$/';
const PLATFORM_BRANCH_MESSAGE =
  'The core does not branch on the pipeline system: put what differs in the PlatformProfile (src/core/ports.ts) that each adapter builds and passes in.';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
      },
    },
  },
  {
    // Type-aware rules: the product is asynchronous through and through, so a promise nobody awaits is a bug.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
    },
  },
  {
    // The product's own code takes the whole type-checked set.
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // no-cycle parses the files it follows: the TypeScript parser for .ts; relative imports resolve to .ts files.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: upwardImports }],
      // A cycle through a package is not ours to break; skipping them keeps the rule quick.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // The core must stay free of either pipeline system (the layers above also catch a relative path to an adapter).
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@actions/*',
            'azure-pipelines-task-lib',
            'azure-pipelines-task-lib/*',
            '**/github/*',
            '**/azure-devops/*',
          ],
        },
      ],
      // Nor may it ask which one it runs on: what differs is data in the adapter's platform profile.
      'no-restricted-syntax': [
        'error',
        ...[
          `BinaryExpression[operator=/^[!=]==?$/]:matches([left.value=${PLATFORM_NAMES}], [right.value=${PLATFORM_NAMES}])`,
          `SwitchCase[test.value=${PLATFORM_NAMES}]`,
        ].map((selector) => ({ selector, message: PLATFORM_BRANCH_MESSAGE })),
      ],
    },
  },
  {
    // The adapters see the core only through its public surface (src/core/index.ts), so its inside can move freely.
    files: ['src/github/**/*.ts', 'src/azure-devops/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/core/*'], message: 'Import the core from ../core (src/core/index.ts).' }],
        },
      ],
    },
  },
);

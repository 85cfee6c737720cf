/**
 * Every YAML example in the README (and overview.md, the Marketplace page) and every workflow of this repository:
 * each step that uses the action (`<owner>/<repo>@v1` in the docs, `./` in workflows) or the task
 * (`ApimBackupRestore@1`) names only known inputs, gives every required one, and passes the core's own validation.
 * Placeholders (`${{ ... }}`, `$(...)`) stand for a valid value of their input.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { InputError } from '../src/core/inputs/config';
import { parseJob } from '../src/core/parse';
import { readInputs } from '../src/core/inputs/read';
import { Input, INPUTS, InputKey, OperationName, Platform, requiredFor } from '../src/core/inputs/table';
import { withEnvFallback } from '../src/github/profile';
import { connectionOf, PROFILES } from './unit/platforms';

/**
 * The one place that knows the core's API: validates the inputs of one step as the action or the task reads
 * them, and returns the problems (missing required inputs, and what the core's validation rejects).
 * `inputs` are keyed by the platform's input name (task.json `name` on Azure DevOps, aliases resolved).
 */
function coreProblems(
  platform: Platform,
  inputs: Record<string, string>,
  options: { env?: NodeJS.ProcessEnv; idTokenAvailable?: boolean } = {},
): string[] {
  const operation = (inputs.operation ?? '') as OperationName;
  const missing = (INPUTS as readonly Input[])
    .filter((input) => input[platform] !== undefined && requiredFor(input, operation))
    .map((input) => input[platform] as string)
    .filter((name) => !inputs[name])
    .map((name) => `${name} is required`);
  const given = (name: string) => inputs[name] ?? '';
  const raw = readInputs(
    platform,
    platform === 'github' ? withEnvFallback(given, options.env ?? {}) : given,
    () => {},
  );
  // Azure DevOps: the service connection stands in as a service principal with a secret.
  const connection = raw.serviceConnection
    ? connectionOf('client-secret', {
        tenantId: GUID,
        clientId: GUID,
        clientSecret: PLACEHOLDERS.clientSecret,
        subscriptionId: GUID,
      })
    : undefined;
  try {
    parseJob(raw, {
      profile: PROFILES[platform],
      connection,
      now: new Date(),
      runId: '42',
      idTokenAvailable: options.idTokenAvailable ?? false,
      azureCliSignedIn: true,
    });
    return missing;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return [...missing, ...error.problems.filter((problem) => !missing.includes(problem))];
  }
}

const GUID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
/** A valid value for each input, used where an example has a placeholder. */
const PLACEHOLDERS: Record<InputKey, string> = {
  operation: 'backup',
  auth: 'auto',
  tenantId: GUID,
  clientId: GUID,
  clientSecret: 'placeholder-client-secret',
  audience: 'api://AzureADTokenExchange',
  serviceConnection: 'placeholder-connection',
  subscriptionId: GUID,
  resourceGroup: 'rg-placeholder',
  serviceName: 'apim-placeholder',
  storageAccount: 'stplaceholder',
  container: 'placeholder',
  backupName: 'placeholder.apimbackup',
  storageAccess: 'auto',
  storageKey: Buffer.alloc(64, 7).toString('base64'),
  storageIdentityClientId: GUID,
  timeout: '45m',
  pollInterval: '5s',
  environment: 'AzureCloud',
  resourceManagerEndpoint: 'https://management.azure.com',
  authorityHost: 'https://login.microsoftonline.com',
  sourceServiceName: 'apim-placeholder',
  blobEndpoint: 'https://stplaceholder.blob.core.windows.net',
  maxAge: '24h',
  retentionDays: '30',
  keepLast: '1',
  dryRun: 'false',
  listLimit: '100',
  sourceResourceGroup: 'rg-placeholder',
  sourceSubscriptionId: GUID,
  safetyBackup: 'true',
  safetyBackupName: 'placeholder-pre-restore.apimbackup',
  wait: 'true',
  storageResourceGroup: 'rg-placeholder',
  storageSubscriptionId: GUID,
  preflight: 'true',
  operationUrl: `https://management.azure.com/subscriptions/${GUID}/resourceGroups/rg-placeholder/providers/Microsoft.ApiManagement/service/apim-placeholder/operationresults/b3AtMQ?api-version=2024-05-01`,
  maxParallel: '5',
  instanceTags: 'env=prod',
};
const isPlaceholder = (value: string) => /\$\{\{.*\}\}|\$\(.*\)/.test(value);

const ROOT = join(__dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const action = parse(read('action.yml')) as { inputs: Record<string, unknown> };
const task = JSON.parse(read('task.json')) as { inputs: { name: string; aliases?: string[] }[] };
const TASK_REF = 'ApimBackupRestore@1';
const DOCS_ACTION_REF = /^<owner>\/<repo>@v\d+$/;
/** What `npm run stand-in` puts in $GITHUB_ENV that the action reads as input fallbacks. */
const STAND_IN_ENV = { AZURE_TENANT_ID: GUID, AZURE_CLIENT_ID: GUID, AZURE_SUBSCRIPTION_ID: GUID };

interface Example {
  source: string;
  platform: Platform;
  /** As written: names as the user wrote them (aliases included). */
  inputs: Record<string, string>;
  env: NodeJS.ProcessEnv;
  idTokenAvailable: boolean;
}

type Node = unknown;
const isObject = (node: Node): node is Record<string, Node> =>
  typeof node === 'object' && node !== null && !Array.isArray(node);

/** Walks a parsed YAML document, collecting the steps that use the action or the task. */
function stepsOf(document: Node, source: string, fromWorkflow: boolean): Example[] {
  const text = JSON.stringify(document);
  const idTokenAvailable = /"id-token":"write"/.test(text);
  const env = fromWorkflow && text.includes('npm run stand-in') ? STAND_IN_ENV : {};
  const found: Example[] = [];
  const visit = (node: Node) => {
    if (Array.isArray(node)) node.forEach(visit);
    if (!isObject(node)) return;
    const uses = typeof node.uses === 'string' ? node.uses : undefined;
    const isAction = uses !== undefined && (fromWorkflow ? uses === './' : DOCS_ACTION_REF.test(uses));
    const isTask = node.task === TASK_REF;
    if (isAction || isTask) {
      const given = (isAction ? node.with : node.inputs) ?? {};
      if (!isObject(given))
        throw new Error(`${source}: ${uses ?? TASK_REF} has inputs that are not a mapping`);
      found.push({
        source,
        platform: isAction ? 'github' : 'azureDevOps',
        inputs: Object.fromEntries(Object.entries(given).map(([key, value]) => [key, String(value)])),
        env,
        idTokenAvailable,
      });
    }
    Object.values(node).forEach(visit);
  };
  visit(document);
  return found;
}

function yamlBlocks(file: string): { source: string; text: string }[] {
  const blocks: { source: string; text: string }[] = [];
  const lines = read(file).split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ya?ml\s*$/.test(lines[i])) continue;
    const start = i + 1;
    while (++i < lines.length && !lines[i].startsWith('```'));
    blocks.push({ source: `${file}:${start}`, text: lines.slice(start, i).join('\n') });
  }
  return blocks;
}

function parseStrict(text: string, source: string): Node {
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents) || documents.length !== 1)
    throw new Error(`${source}: not one YAML document`);
  if (documents[0].errors.length) throw new Error(`${source}: ${documents[0].errors[0].message}`);
  return documents[0].toJS();
}

const docBlocks = ['README.md', 'overview.md'].flatMap(yamlBlocks);
const workflows = readdirSync(join(ROOT, '.github', 'workflows')).map((name) => `.github/workflows/${name}`);
const examples = [
  ...docBlocks.flatMap((block) => stepsOf(parseStrict(block.text, block.source), block.source, false)),
  ...workflows.flatMap((file) => stepsOf(parseStrict(read(file), file), file, true)),
];

/** The problems of one example: unknown names, then what the core says of its values. */
function problemsOf(example: Example): string[] {
  const known =
    example.platform === 'github'
      ? new Map(Object.keys(action.inputs).map((name) => [name, name]))
      : new Map(
          task.inputs.flatMap((input) =>
            [input.name, ...(input.aliases ?? [])].map((name) => [name, input.name]),
          ),
        );
  const unknown = Object.keys(example.inputs)
    .filter((name) => !known.has(name))
    .map((name) => `unknown input ${name}`);
  const byName: Record<string, string> = {};
  for (const [name, value] of Object.entries(example.inputs)) {
    const inputName = known.get(name);
    if (!inputName) continue;
    const key = (INPUTS as readonly Input[]).find((input) => input[example.platform] === inputName)?.key;
    byName[inputName] = key && isPlaceholder(value) ? PLACEHOLDERS[key] : value;
  }
  return [
    ...unknown,
    ...coreProblems(example.platform, byName, {
      env: example.env,
      idTokenAvailable: example.idTokenAvailable,
    }),
  ];
}

it('finds the examples: every YAML block that names the action or the task yields its steps', () => {
  for (const block of docBlocks) {
    const mentions = block.text
      .split('\n')
      .filter((line) => /uses: <owner>\/<repo>@v\d|task: ApimBackupRestore@1/.test(line)).length;
    expect([block.source, examples.filter((e) => e.source === block.source).length]).toEqual([
      block.source,
      mentions,
    ]);
  }
  const platforms = (source: RegExp) =>
    [...new Set(examples.filter((e) => source.test(e.source)).map((e) => e.platform))].sort();
  expect(platforms(/^README/)).toEqual(['azureDevOps', 'github']);
  expect(examples.filter((e) => e.source.endsWith('try-action.yml'))).toHaveLength(3);
});

it.each(examples.map((example, index) => [`${example.source} #${index}`, example] as const))(
  '%s: known inputs, the required ones, values the core accepts',
  (_name, example) => {
    expect(problemsOf(example)).toEqual([]);
  },
);

/**
 * Runs the committed bundles the way the runners do: a child `node dist/...` with INPUT_* (and, for Azure DevOps,
 * ENDPOINT_*) env, the manifest defaults filled in as the runners fill them, and the results read back from the
 * files and `##vso` lines the runners read.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { OutputDefinition, OUTPUTS } from '../../src/core/inputs/outputs';

/** The repository root: the nearest folder up with action.yml (this file also runs bundled, from the demo). */
function findRoot(dir: string): string {
  if (existsSync(join(dir, 'action.yml'))) return dir;
  const parent = dirname(dir);
  if (parent === dir) throw new Error('action.yml not found above ' + __dirname);
  return findRoot(parent);
}
const ROOT = findRoot(__dirname);
export const GITHUB_BUNDLE = join(ROOT, 'dist', 'github', 'index.js');
export const AZURE_DEVOPS_BUNDLE = join(ROOT, 'dist', 'azure-devops', 'index.js');

export interface BundleRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Outputs as the runner reads them (GITHUB_OUTPUT file, or task.setvariable isOutput=true lines). */
  outputs: Record<string, string>;
  summary: string;
  /** All output, for secret scans. */
  all: string;
  /** Azure DevOps: the task.complete result; GitHub: 'Succeeded' or 'Failed' from the exit code. */
  result: string;
  /** The failure message as the runner shows it (`::error::` / `task.complete`), decoded. */
  errorMessage: string;
  /** Milliseconds from the step's first line of output (it is printed as the deadline starts) to its exit. */
  elapsedMs: number;
}

/** The minimal environment of a runner's step, plus what the test adds. NODE_EXTRA_CA_CERTS trusts the stand-in. */
function baseEnv(caCertPath: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: mkdtempSync(join(tmpdir(), 'home-')),
    NODE_EXTRA_CA_CERTS: caCertPath,
  };
}

function actionDefaults(): Record<string, string> {
  const action = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
  };
  return Object.fromEntries(
    Object.entries(action.inputs)
      .filter(([, input]) => input.default !== undefined)
      .map(([name, input]) => [name, String(input.default)]),
  );
}

interface TaskManifest {
  inputs: { name: string; defaultValue?: string }[];
  execution: Record<string, { target: string }>;
}

function taskDefaults(task: TaskManifest): Record<string, string> {
  return Object.fromEntries(
    task.inputs
      .filter((input) => input.defaultValue !== undefined)
      .map((input) => [input.name, input.defaultValue!]),
  );
}

export interface GitHubRunOptions {
  inputs: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  caCertPath: string;
  /** Called with the child as soon as it is spawned (e.g. to signal it), and on each chunk of its stdout. */
  onSpawn?: (child: ChildProcess) => void;
}

/**
 * Every operation but status reads or writes the backups in storage; without blob-endpoint the step would look up
 * the account's public blob endpoint, and a test must reach nothing beyond 127.0.0.1.
 */
function requireLocalStorage(operation: string | undefined, blobEndpoint: string | undefined): void {
  if (operation && operation !== 'status' && blobEndpoint === undefined) {
    throw new Error(`a test run of '${operation}' needs a blob endpoint on 127.0.0.1 (startLocalAzure's)`);
  }
}

export async function runGitHubAction(options: GitHubRunOptions): Promise<BundleRun> {
  requireLocalStorage(options.inputs.operation, options.inputs['blob-endpoint']);
  const dir = mkdtempSync(join(tmpdir(), 'gh-step-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(options.caCertPath),
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_RUN_ID: '4242',
    RUNNER_TEMP: dir,
    ...options.env,
  };
  // The runner passes every input that has a default, and keeps hyphens in the variable name.
  for (const [name, value] of Object.entries({ ...actionDefaults(), ...options.inputs })) {
    env[`INPUT_${name.toUpperCase()}`] = value;
  }
  const run = await spawnNode(GITHUB_BUNDLE, env, dir, options.onSpawn);
  const outputs = parseGitHubOutputFile(readFileSync(outputFile, 'utf8'));
  requireDeclaredOutputs(options.inputs.operation, 'github', outputs);
  const errorLine = run.stdout.split('\n').find((line) => line.startsWith('::error::'));
  return {
    ...run,
    outputs,
    summary: readFileSync(summaryFile, 'utf8'),
    result: run.exitCode === 0 ? 'Succeeded' : 'Failed',
    errorMessage: decodeGitHubCommand(errorLine?.slice('::error::'.length) ?? ''),
  };
}

/** Parses `name<<delimiter\nvalue\ndelimiter` blocks written by @actions/core. */
export function parseGitHubOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1]] = match[3];
  return outputs;
}

function decodeGitHubCommand(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

export interface ServiceConnection {
  id: string;
  url: string;
  scheme: 'ServicePrincipal' | 'WorkloadIdentityFederation' | 'ManagedServiceIdentity';
  authParameters: Record<string, string>;
  data: Record<string, string>;
}

export interface AzureDevOpsRunOptions {
  inputs: Record<string, string>;
  connection?: ServiceConnection;
  env?: NodeJS.ProcessEnv;
  caCertPath: string;
  /**
   * A task folder (task.json and what its `execution` targets name), e.g. one unpacked from the .vsix: its
   * task.json gives the defaults and its Node24 target is run. Default: the repository's task.json and bundle.
   */
  taskDir?: string;
  /** Called with the child as soon as it is spawned (e.g. to signal it). */
  onSpawn?: (child: ChildProcess) => void;
}

export async function runAzureDevOpsTask(options: AzureDevOpsRunOptions): Promise<BundleRun> {
  requireLocalStorage(options.inputs.operation, options.inputs.blobEndpoint);
  const dir = mkdtempSync(join(tmpdir(), 'ado-task-'));
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(options.caCertPath),
    AGENT_TEMPDIRECTORY: dir,
    BUILD_BUILDID: '777',
    ...options.env,
  };
  const taskDir = options.taskDir ?? ROOT;
  const task = JSON.parse(readFileSync(join(taskDir, 'task.json'), 'utf8')) as TaskManifest;
  const bundle = options.taskDir ? join(taskDir, task.execution.Node24.target) : AZURE_DEVOPS_BUNDLE;
  const inputs: Record<string, string> = { ...taskDefaults(task), ...options.inputs };
  const connection = options.connection;
  if (connection) {
    inputs.ConnectedServiceName = connection.id;
    env[`ENDPOINT_URL_${connection.id}`] = connection.url;
    env[`ENDPOINT_AUTH_SCHEME_${connection.id}`] = connection.scheme;
    env[`ENDPOINT_AUTH_${connection.id}`] = JSON.stringify({
      scheme: connection.scheme,
      parameters: connection.authParameters,
    });
    for (const [key, value] of Object.entries(connection.authParameters)) {
      env[`ENDPOINT_AUTH_PARAMETER_${connection.id}_${key.toUpperCase()}`] = value;
    }
    for (const [key, value] of Object.entries(connection.data)) {
      env[`ENDPOINT_DATA_${connection.id}_${key.toUpperCase()}`] = value;
    }
  }
  // The agent upper-cases input names and replaces '.' and ' ' with '_'.
  for (const [name, value] of Object.entries(inputs))
    env[`INPUT_${name.replace(/[. ]/g, '_').toUpperCase()}`] = value;

  const run = await spawnNode(bundle, env, dir, options.onSpawn);
  const commands = parseVsoCommands(run.stdout);
  const outputs: Record<string, string> = {};
  let result = '';
  let errorMessage = '';
  let summary = '';
  for (const command of commands) {
    if (command.name === 'task.setvariable' && command.properties.isOutput === 'true') {
      outputs[command.properties.variable] = command.value;
    } else if (command.name === 'task.complete') {
      result = command.properties.result;
      errorMessage = command.value;
    } else if (command.name === 'task.uploadsummary' && existsSync(command.value)) {
      summary = readFileSync(command.value, 'utf8');
    }
  }
  requireDeclaredOutputs(inputs.operation, 'azureDevOps', outputs);
  return { ...run, outputs, result, errorMessage, summary };
}

/**
 * Every output a step set is one the outputs table (src/core/inputs/outputs.ts) declares for its operation, so
 * every end-to-end run, on either platform, checks the declaration against what the code sets.
 */
function requireDeclaredOutputs(
  operation: string | undefined,
  platform: 'github' | 'azureDevOps',
  outputs: Record<string, string>,
): void {
  const name = operation?.toLowerCase() ?? '';
  const undeclared = Object.keys(outputs).filter(
    (output) =>
      !(OUTPUTS as readonly OutputDefinition[]).some(
        (declared) =>
          declared[platform] === output && (declared.operations as readonly string[]).includes(name),
      ),
  );
  if (undeclared.length > 0) {
    throw new Error(
      `operation '${operation}' set ${undeclared.join(', ')} on ${platform}, which src/core/inputs/outputs.ts does not declare for it`,
    );
  }
}

export interface VsoCommand {
  name: string;
  properties: Record<string, string>;
  value: string;
}

/** Parses `##vso[name key=value;...]message` lines, unescaping as the agent does. */
export function parseVsoCommands(stdout: string): VsoCommand[] {
  const unescape = (text: string) =>
    text
      .replace(/%3B/g, ';')
      .replace(/%0D/g, '\r')
      .replace(/%0A/g, '\n')
      .replace(/%5D/g, ']')
      .replace(/%25/g, '%');
  const commands: VsoCommand[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^##vso\[([\w.]+)\s*([^\]]*)\](.*)$/.exec(line);
    if (!match) continue;
    const properties: Record<string, string> = {};
    for (const pair of match[2].split(';')) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq).trim()] = unescape(pair.slice(eq + 1));
    }
    commands.push({ name: match[1], properties, value: unescape(match[3]) });
  }
  return commands;
}

/** Runs in the step's own folder, as runners do: task-lib writes a .taskkey file into its working directory. */
function spawnNode(
  bundle: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  onSpawn?: (child: ChildProcess) => void,
): Promise<{ exitCode: number | null; stdout: string; stderr: string; all: string; elapsedMs: number }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bundle], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let firstOutputAt: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      firstOutputAt ??= Date.now();
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      const exitedAt = Date.now();
      child.on('close', (exitCode) =>
        resolvePromise({
          exitCode,
          stdout,
          stderr,
          all: stdout + stderr,
          elapsedMs: exitedAt - (firstOutputAt ?? exitedAt),
        }),
      );
    });
    onSpawn?.(child);
  });
}

/**
 * Output with the masking protocol's own lines removed: `::add-mask::` and `##vso[task.setsecret]` carry the secret
 * to the runner by design (the runner consumes them and never shows them).
 */
export function visibleOutput(run: BundleRun): string {
  return run.all
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::') && !line.startsWith('##vso[task.setsecret]'))
    .join('\n');
}

/** Every place a secret could leak to: the visible log, the outputs and the summary. */
export function leakedSecrets(run: BundleRun, secrets: string[]): string[] {
  const haystack = [visibleOutput(run), JSON.stringify(run.outputs), run.summary].join('\n');
  return secrets.filter((secret) => haystack.includes(secret));
}

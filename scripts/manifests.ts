/**
 * action.yml, task.json and the README's input and output tables, generated from the one input table
 * (src/core/inputs/table.ts) and output table. `npm run manifests` writes them; test/manifests.test.ts fails when a
 * committed file differs from what this renders.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parse, stringify } from 'yaml';
import { OutputDefinition, OUTPUTS as OUTPUT_TABLE } from '../src/core/inputs/outputs';
import {
  GROUPS,
  Input,
  INPUTS,
  inputsOf,
  OPERATIONS,
  DEFAULT_BACKUP_NAME,
  usedBy,
} from '../src/core/inputs/table';

const OUTPUTS: readonly OutputDefinition[] = OUTPUT_TABLE;

/** The repository root: the nearest folder up with action.yml (this file also runs bundled, from a cache folder). */
function findRoot(dir: string): string {
  if (existsSync(join(dir, 'action.yml'))) return dir;
  const parent = dirname(dir);
  if (parent === dir) throw new Error(`action.yml not found above ${__dirname}`);
  return findRoot(parent);
}
export const ROOT = findRoot(__dirname);

export interface Rendered {
  path: string;
  content: string;
}

/** Every generated file, formatted as Prettier would leave it. */
export function renderAll(): Rendered[] {
  return [
    { path: 'action.yml', content: pretty(renderActionYml(), 'action.yml') },
    { path: 'task.json', content: pretty(renderTaskJson(), 'task.json') },
    { path: 'README.md', content: pretty(renderReadme(), 'README.md') },
  ];
}

/** Formatted by the Prettier CLI with the project's settings (its API needs ESM loading, which jest lacks). */
function pretty(text: string, path: string): string {
  const cli = require.resolve('prettier/bin/prettier.cjs', { paths: [ROOT] });
  return execFileSync(process.execPath, [cli, '--stdin-filepath', join(ROOT, path)], {
    input: text,
    encoding: 'utf8',
  });
}

function read(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** Task editor sections shown folded: settings most pipelines leave at their defaults. */
const COLLAPSED_GROUPS = ['retention', 'outputs'];

/** Required on GitHub only when every operation needs it: action.yml cannot say "required for backup". */
function requiredEverywhere(input: Input): boolean {
  return input.required === true && input.operations === undefined && input.notFor === undefined;
}

export function renderActionYml(): string {
  const current = parse(read('action.yml')) as Record<string, unknown>;
  const inputs = Object.fromEntries(
    inputsOf('github').map((input) => [
      input.github,
      {
        description: input.description,
        required: requiredEverywhere(input),
        ...(input.default ? { default: input.default } : {}),
      },
    ]),
  );
  const outputs = Object.fromEntries(
    OUTPUTS.filter((output) => output.github).map((output) => [
      output.github,
      { description: output.description },
    ]),
  );
  const action = {
    name: current.name,
    description: current.description,
    author: current.author,
    branding: current.branding,
    inputs,
    outputs,
    runs: current.runs,
  };
  return stringify(action, { lineWidth: 0, defaultStringType: 'QUOTE_SINGLE', defaultKeyType: 'PLAIN' });
}

/** Shown for every operation that may read the input (with one instance or several). */
function visibleRule(input: Input): string | undefined {
  const operations = OPERATIONS.filter(
    (operation) => usedBy(input, operation) || usedBy(input, operation, true),
  );
  if (operations.length === OPERATIONS.length) return undefined;
  if (input.notFor && !input.operations)
    return input.notFor.map((operation) => `operation != ${operation}`).join(' && ');
  return operations.map((operation) => `operation = ${operation}`).join(' || ');
}

export function renderTaskJson(): string {
  const current = JSON.parse(read('task.json')) as Record<string, unknown>;
  const [major, minor, patch] = (JSON.parse(read('package.json')) as { version: string }).version
    .split('.')
    .map(Number);
  const inputs = inputsOf('azureDevOps');
  const usedGroups = new Set(inputs.map((input) => input.group).filter(Boolean));
  const task = {
    ...current,
    version: { Major: major, Minor: minor, Patch: patch },
    groups: Object.entries(GROUPS)
      .filter(([name]) => usedGroups.has(name as keyof typeof GROUPS))
      .map(([name, displayName]) => ({ name, displayName, isExpanded: !COLLAPSED_GROUPS.includes(name) })),
    inputs: inputs.map((input) => ({
      name: input.azureDevOps,
      ...(input.azureDevOpsAlias ? { aliases: [input.azureDevOpsAlias] } : {}),
      type:
        input.key === 'serviceConnection'
          ? 'connectedService:AzureRM'
          : input.options
            ? 'pickList'
            : input.boolean
              ? 'boolean'
              : 'string',
      label: input.label,
      ...(input.default ? { defaultValue: input.default } : {}),
      // The editor demands a required input; one that an operation may leave empty is checked by the core.
      required: input.required === true && input.optionalFor === undefined,
      ...(input.group ? { groupName: input.group } : {}),
      ...(visibleRule(input) ? { visibleRule: visibleRule(input) } : {}),
      helpMarkDown: input.azureDevOpsDescription ?? input.description,
      ...(input.options
        ? { options: Object.fromEntries(input.options.map((option) => [option, option])) }
        : {}),
    })),
    outputVariables: OUTPUTS.map((output) => ({ name: output.azureDevOps, description: output.description })),
  };
  return JSON.stringify(task, null, 2);
}

const INPUTS_START = '<!-- inputs table: generated from src/core/inputs/table.ts by npm run manifests -->';
const OUTPUTS_START =
  '<!-- outputs table: generated from src/core/inputs/outputs.ts by npm run manifests -->';
const END = '<!-- end of generated table -->';

export function renderReadme(): string {
  let readme = read('README.md');
  readme = replaceBetween(readme, INPUTS_START, inputsTable());
  readme = replaceBetween(readme, OUTPUTS_START, outputsTable());
  return readme;
}

function replaceBetween(text: string, start: string, content: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(END, from);
  if (from < 0 || to < 0) throw new Error(`README.md lacks the markers '${start}' … '${END}'`);
  return `${text.slice(0, from + start.length)}\n\n${content}\n\n${text.slice(to)}`;
}

const code = (name: string | undefined) => (name ? `\`${name}\`` : '');

function defaultCell(input: Input): string {
  if (input.key === 'backupName') return `backup: ${code(DEFAULT_BACKUP_NAME)}; restore: required`;
  const parts: string[] = [];
  if (input.required)
    parts.push(
      input.operations
        ? `(required for ${input.operations.join(', ')})`
        : input.notFor
          ? `(required, except for ${[...input.notFor, ...(input.optionalFor ?? [])].join(', ')})`
          : '(required)',
    );
  if (input.default) parts.push(code(input.default));
  if (input.githubEnvFallback) parts.push(`env \`${input.githubEnvFallback}\` (GitHub)`);
  return parts.join(' ');
}

function inputsTable(): string {
  const rows = (INPUTS as readonly Input[]).map((input) => [
    code(input.github),
    input.azureDevOps ? code(input.azureDevOpsAlias ?? input.azureDevOps) : 'from the connection',
    defaultCell(input),
    usedByCell(input),
    input.description.replace(/\|/g, '\\|'),
  ]);
  return table(['GitHub', 'Azure DevOps', 'Default', 'Used by', 'Meaning'], rows);
}

function usedByCell(input: Input): string {
  const parts = [
    input.operations
      ? input.operations.join(', ')
      : input.notFor
        ? `all but ${input.notFor.join(', ')}`
        : 'all',
    input.fleetOnly ? `${input.fleetOnly.join(', ')} with several instances` : '',
    input.refusedWithSeveral ? 'not with several instances' : '',
  ];
  return parts.filter(Boolean).join('; ');
}

function outputsTable(): string {
  return table(
    ['GitHub', 'Azure DevOps', 'Set by', 'Meaning'],
    OUTPUTS.map((output) => [
      code(output.github),
      code(output.azureDevOps),
      output.operations.join(', '),
      output.description,
    ]),
  );
}

function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

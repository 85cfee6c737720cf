/**
 * action.yml, task.json and the README tables are what scripts/manifests.ts renders from the input and output
 * tables in src/core, and they make sense to the runners.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderAll, ROOT } from '../scripts/manifests';
import { OutputDefinition, OUTPUTS } from '../src/core/inputs/outputs';
import { Input, INPUTS, inputsOf, OPERATIONS } from '../src/core/inputs/table';

interface TaskInput {
  name: string;
  type: string;
  required: boolean;
  defaultValue?: string;
  aliases?: string[];
  visibleRule?: string;
  groupName?: string;
}
interface Task {
  inputs: TaskInput[];
  groups: { name: string }[];
  execution: Record<string, { target: string }>;
  instanceNameFormat: string;
}

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const action = parse(read('action.yml')) as {
  inputs: Record<string, { required: boolean; default?: string }>;
  runs: { using: string; main: string };
};
const task = JSON.parse(read('task.json')) as Task;
const taskInput = (name: string) => task.inputs.find((input) => input.name === name);

describe('generated files', () => {
  const rendered = renderAll();
  it.each(rendered.map((file) => [file.path, file.content]))(
    '%s is what npm run manifests renders from the tables',
    (path, content) => expect(read(path)).toBe(content),
  );
});

describe('action.yml', () => {
  it('marks required only what every operation needs', () => {
    const required = Object.entries(action.inputs).filter(([, input]) => input.required);
    // service-name, storage-account and container: every operation but status (which takes operation-url).
    expect(required.map(([name]) => name)).toEqual(['operation']);
  });

  it('gives secret inputs no default', () => {
    const secrets = inputsOf('github').filter((input) => input.secret);
    expect(secrets.map((input) => input.github)).toEqual(['client-secret', 'storage-key']);
    for (const input of secrets) expect(action.inputs[input.github!]).not.toHaveProperty('default');
  });

  it('runs dist/github/index.js on node24, and the bundle exists', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/github/index.js' });
    expect(existsSync(join(ROOT, action.runs.main))).toBe(true);
  });
});

describe('task.json', () => {
  it('takes the service connection as ConnectedServiceName, alias azureSubscription, of type AzureRM', () => {
    expect(taskInput('ConnectedServiceName')).toMatchObject({
      aliases: ['azureSubscription'],
      type: 'connectedService:AzureRM',
    });
  });

  it('shows each input only for the operations that use it', () => {
    expect(taskInput('maxAge')?.visibleRule).toBe('operation = verify');
    expect(taskInput('retentionDays')?.visibleRule).toBe('operation = prune');
    // list and prune read it with several instances in serviceName.
    expect(taskInput('resourceGroupName')?.visibleRule).toBe(
      'operation = backup || operation = restore || operation = copy || operation = list || operation = verify || operation = prune || operation = discover || operation = check',
    );
    expect(taskInput('preflight')?.visibleRule).toBe(
      'operation = backup || operation = restore || operation = copy',
    );
    expect(taskInput('storageResourceGroup')?.visibleRule).toBe(
      'operation = backup || operation = restore || operation = copy || operation = check',
    );
    expect(taskInput('serviceName')?.visibleRule).toBe('operation != status');
    expect(taskInput('operationUrl')?.visibleRule).toBe('operation = status');
    expect(taskInput('timeout')).not.toHaveProperty('visibleRule');
  });

  it('refers only to its own inputs, groups and operations', () => {
    const names = new Set(task.inputs.map((input) => input.name));
    const groups = new Set(task.groups.map((group) => group.name));
    for (const [, name] of task.instanceNameFormat.matchAll(/\$\((\w+)\)/g)) expect(names).toContain(name);
    for (const input of task.inputs) {
      if (input.groupName) expect(groups).toContain(input.groupName);
      for (const [, name, value] of (input.visibleRule ?? '').matchAll(/(\w+) = (\w+)/g)) {
        expect(names).toContain(name);
        expect(OPERATIONS).toContain(value);
      }
    }
  });

  it('gives secret inputs no default', () => {
    for (const input of inputsOf('azureDevOps').filter((definition) => definition.secret)) {
      expect(taskInput(input.azureDevOps!)).not.toHaveProperty('defaultValue');
    }
  });

  it('runs dist/azure-devops/index.js on Node20_1 and Node24, and the bundle exists', () => {
    expect(Object.keys(task.execution).sort()).toEqual(['Node20_1', 'Node24']);
    for (const handler of Object.values(task.execution))
      expect(handler.target).toBe('dist/azure-devops/index.js');
    expect(existsSync(join(ROOT, 'dist/azure-devops/index.js'))).toBe(true);
  });
});

describe('the input and output tables', () => {
  it('name every input on at least one platform, and each name once', () => {
    for (const input of INPUTS as readonly Input[]) expect(input.github ?? input.azureDevOps).toBeDefined();
    for (const platform of ['github', 'azureDevOps'] as const) {
      const names = inputsOf(platform).map((input) => input[platform]);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('use kebab-case on GitHub and camelCase on Azure DevOps', () => {
    for (const input of inputsOf('github')) expect(input.github).toMatch(/^[a-z]+(-[a-z]+)*$/);
    for (const input of inputsOf('azureDevOps')) {
      if (input.key !== 'serviceConnection') expect(input.azureDevOps).toMatch(/^[a-z]+([A-Z][a-z]*)*$/);
    }
    for (const output of OUTPUTS as readonly OutputDefinition[]) {
      if (output.github !== undefined) expect(output.github).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(output.azureDevOps).toMatch(/^[a-z]+([A-Z][a-z]*)*$/);
    }
  });

  it('keep each default among its options, and label every Azure DevOps input', () => {
    for (const input of INPUTS) {
      const definition = input as { default?: string; options?: readonly string[]; label?: string };
      if (definition.default && definition.options) expect(definition.options).toContain(definition.default);
      if ('azureDevOps' in input) expect(definition.label).toBeTruthy();
    }
  });
});

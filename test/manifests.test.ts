/** action.yml and task.json agree exactly with the input and output tables in src/core. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { INPUTS, inputsOf } from '../src/core/inputs';
import { OUTPUTS } from '../src/core/outputs';

const ROOT = join(__dirname, '..');

interface ActionInput {
  description?: string;
  required?: boolean;
  default?: string;
}
interface Action {
  inputs: Record<string, ActionInput>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string };
}
interface TaskInput {
  name: string;
  type: string;
  label?: string;
  required?: boolean;
  defaultValue?: string;
  helpMarkDown?: string;
  aliases?: string[];
  options?: Record<string, string>;
  visibleRule?: string;
}
interface Task {
  inputs: TaskInput[];
  outputVariables: { name: string; description: string }[];
  execution: Record<string, { target: string }>;
  instanceNameFormat: string;
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;
const task = JSON.parse(readFileSync(join(ROOT, 'task.json'), 'utf8')) as Task;

const githubInputs = inputsOf('github');
const azureDevOpsInputs = inputsOf('azureDevOps');
const taskInput = (name: string) => task.inputs.find((input) => input.name === name);

describe('action.yml', () => {
  it('has exactly the GitHub inputs of the table, in its order', () => {
    expect(Object.keys(action.inputs)).toEqual(githubInputs.map((input) => input.github));
  });

  it.each(githubInputs.map((input) => [input.github as string, input] as const))(
    '%s: required, default and description match the table',
    (name, input) => {
      const manifest = action.inputs[name];
      expect(manifest.required).toBe(input.required === true);
      expect(manifest.description).toBe(input.description);
      if (input.default) expect(manifest.default).toBe(input.default);
      else expect(manifest).not.toHaveProperty('default');
    },
  );

  it('gives secret inputs no default', () => {
    const secrets = githubInputs.filter((input) => input.secret);
    expect(secrets.map((input) => input.github)).toEqual(['client-secret', 'storage-key']);
    for (const input of secrets) {
      expect(input.default).toBeUndefined();
      expect(action.inputs[input.github as string]).not.toHaveProperty('default');
    }
  });

  it('has exactly the outputs of the table, with their descriptions', () => {
    expect(Object.entries(action.outputs).map(([name, output]) => [name, output.description])).toEqual(
      OUTPUTS.map((output) => [output.github, output.description]),
    );
  });

  it('runs dist/github/index.js on node24, and the bundle exists', () => {
    expect(action.runs.using).toBe('node24');
    expect(action.runs.main).toBe('dist/github/index.js');
    expect(existsSync(join(ROOT, action.runs.main))).toBe(true);
  });
});

describe('task.json', () => {
  it('has exactly the Azure DevOps inputs of the table, in its order', () => {
    expect(task.inputs.map((input) => input.name)).toEqual(
      azureDevOpsInputs.map((input) => input.azureDevOps),
    );
  });

  it.each(azureDevOpsInputs.map((input) => [input.azureDevOps as string, input] as const))(
    '%s: required, default, options and help match the table',
    (name, input) => {
      const manifest = taskInput(name);
      expect(manifest).toBeDefined();
      if (!manifest) return;
      expect(manifest.required).toBe(input.required === true);
      if (input.default) expect(manifest.defaultValue).toBe(input.default);
      else expect(manifest).not.toHaveProperty('defaultValue');
      expect(manifest).not.toHaveProperty('default');
      if (input.options) {
        expect(manifest.type).toBe('pickList');
        expect(manifest.options).toEqual(Object.fromEntries(input.options.map((option) => [option, option])));
      } else {
        expect(manifest.type).not.toBe('pickList');
        expect(manifest).not.toHaveProperty('options');
      }
      if (input.azureDevOpsAlias) expect(manifest.aliases).toEqual([input.azureDevOpsAlias]);
      else expect(manifest).not.toHaveProperty('aliases');
      // Help may say where a platform differs, but starts like the table's description.
      const firstSentence = input.description.split(/(?<=\.) /)[0];
      expect(manifest.helpMarkDown?.startsWith(firstSentence)).toBe(true);
      expect(manifest.label).toBeTruthy();
    },
  );

  it('gives secret inputs no default', () => {
    const secrets = azureDevOpsInputs.filter((input) => input.secret);
    expect(secrets.map((input) => input.azureDevOps)).toEqual(['storageKey']);
    for (const input of secrets)
      expect(taskInput(input.azureDevOps as string)).not.toHaveProperty('defaultValue');
  });

  it('takes the service connection as ConnectedServiceName, alias azureSubscription, of type AzureRM', () => {
    expect(taskInput('ConnectedServiceName')).toMatchObject({
      aliases: ['azureSubscription'],
      type: 'connectedService:AzureRM',
      required: true,
    });
  });

  it('has exactly the output variables of the table, with their descriptions', () => {
    expect(task.outputVariables).toEqual(
      OUTPUTS.map((output) => ({ name: output.azureDevOps, description: output.description })),
    );
  });

  it('runs dist/azure-devops/index.js on Node20_1 and Node24, and the bundle exists', () => {
    expect(Object.keys(task.execution).sort()).toEqual(['Node20_1', 'Node24']);
    for (const handler of ['Node20_1', 'Node24']) {
      expect(task.execution[handler].target).toBe('dist/azure-devops/index.js');
    }
    expect(existsSync(join(ROOT, 'dist/azure-devops/index.js'))).toBe(true);
  });

  it('refers only to its own inputs in instanceNameFormat and visibleRule', () => {
    const names = new Set(task.inputs.map((input) => input.name));
    const referenced = [...task.instanceNameFormat.matchAll(/\$\((\w+)\)/g)].map((match) => match[1]);
    for (const input of task.inputs) {
      if (input.visibleRule)
        referenced.push(...[...input.visibleRule.matchAll(/(\w+) [=!]/g)].map((m) => m[1]));
    }
    expect(referenced.length).toBeGreaterThan(0);
    for (const name of referenced) expect(names).toContain(name);
  });
});

describe('the input table', () => {
  it('names every input on at least one platform, and each name once', () => {
    for (const input of INPUTS) expect(input.github ?? input.azureDevOps).toBeDefined();
    const github = githubInputs.map((input) => input.github);
    const azureDevOps = azureDevOpsInputs.map((input) => input.azureDevOps);
    expect(new Set(github).size).toBe(github.length);
    expect(new Set(azureDevOps).size).toBe(azureDevOps.length);
  });

  it('uses kebab-case on GitHub and camelCase on Azure DevOps', () => {
    for (const input of githubInputs) expect(input.github).toMatch(/^[a-z]+(-[a-z]+)*$/);
    for (const input of azureDevOpsInputs) {
      if (input.key !== 'serviceConnection') expect(input.azureDevOps).toMatch(/^[a-z]+([A-Z][a-z]*)*$/);
    }
  });

  it('keeps each default among its options', () => {
    for (const input of INPUTS) {
      if (input.default && input.options) expect(input.options).toContain(input.default);
    }
  });
});

/** The README's inputs and outputs tables agree with the one input definition in src/core. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_BACKUP_NAME, INPUTS } from '../src/core/inputs';
import { OUTPUTS } from '../src/core/outputs';

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

function tableRows(heading: string): string[][] {
  const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[\s:|-]+\|$/.test(line))
    .slice(1) // header
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

const code = (name: string | undefined) => (name ? `\`${name}\`` : '');

describe('README inputs table', () => {
  const rows = tableRows('Inputs');

  it('has one row per input, in the table order', () => {
    expect(rows).toHaveLength(INPUTS.length);
  });

  it.each(INPUTS.map((input, index) => [input.key, input, index] as const))(
    '%s: names and default match the definition',
    (_key, input, index) => {
      const [github, azureDevOps, defaultCell] = rows[index];
      expect(github).toBe(code(input.github));
      if (input.azureDevOps) expect(azureDevOps).toBe(code(input.azureDevOpsAlias ?? input.azureDevOps));
      else expect(azureDevOps === '' || azureDevOps === 'from the connection').toBe(true);
      if (input.default) expect(defaultCell).toContain(code(input.default));
      if (input.required) expect(defaultCell).toBe('(required)');
      if (input.githubEnvFallback) expect(defaultCell).toContain(input.githubEnvFallback);
    },
  );

  it('documents the backup default name', () => {
    const row = rows[INPUTS.findIndex((input) => input.key === 'backupName')];
    expect(row[2]).toContain(code(DEFAULT_BACKUP_NAME));
  });
});

describe('README outputs table', () => {
  it('lists every output under both names', () => {
    const rows = tableRows('Outputs');
    expect(rows.map(([github, azureDevOps]) => [github, azureDevOps])).toEqual(
      OUTPUTS.map((output) => [code(output.github), code(output.azureDevOps)]),
    );
  });
});

/** One version everywhere: package.json's version is the task's and the extension's. */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const read = (root: string, file: string) => JSON.parse(readFileSync(join(root, file), 'utf8'));
const STAMP = join(ROOT, 'scripts', 'stamp-version.mjs');

/** A scratch copy of the three files that carry the version. */
function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stamp-'));
  for (const file of ['package.json', 'task.json', 'vss-extension.json', '.prettierrc.json'])
    cpSync(join(ROOT, file), join(dir, file));
  return dir;
}

it("task.json and vss-extension.json carry package.json's version", () => {
  const version: string = read(ROOT, 'package.json').version;
  const { Major, Minor, Patch } = read(ROOT, 'task.json').version;
  expect(`${Major}.${Minor}.${Patch}`).toBe(version);
  expect(read(ROOT, 'vss-extension.json').version).toBe(version);
});

it('stamp-version --check names each file whose version disagrees, and stamping makes them agree', () => {
  const dir = scratchCopy();
  const pkg = read(dir, 'package.json');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, version: '1.4.2' }));

  const check = spawnSync(process.execPath, [STAMP, '--check', '--root', dir], { encoding: 'utf8' });
  expect(check.status).toBe(1);
  expect(check.stderr).toContain('task.json: version');
  expect(check.stderr).toContain('vss-extension.json: version');
  expect(check.stderr).toContain('package.json says 1.4.2');

  execFileSync(process.execPath, [STAMP, '--root', dir]);
  expect(read(dir, 'task.json').version).toEqual({ Major: 1, Minor: 4, Patch: 2 });
  expect(read(dir, 'vss-extension.json').version).toBe('1.4.2');
  // Only the version changed: everything else is as it was.
  expect({ ...read(dir, 'task.json'), version: undefined }).toEqual({
    ...read(ROOT, 'task.json'),
    version: undefined,
  });
  expect(spawnSync(process.execPath, [STAMP, '--check', '--root', dir]).status).toBe(0);
});

// `npm run package`: builds the Azure DevOps extension, dist/<publisher>.<id>-<version>.vsix (ignored by git), with
// tfx-cli from a staged folder holding only what the Marketplace needs:
//   vss-extension.json, overview.md, LICENSE, images/icon.png,
//   ApimBackupRestore/task.json (the root one) and the bundle folder(s) its `execution` targets name (the entry,
//   the package.json that makes it an ES module, and its chunks).
// The publisher is vss-extension.json's `publisher`; the version is package.json's, stamped everywhere beforehand
// (`npm run stamp-version`): this fails when the files disagree rather than change tracked files.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { disagreements, packageVersion } from './stamp-version.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TASK_FOLDER = 'ApimBackupRestore';

/** The .vsix path for the current manifests. */
export function vsixPath(root = ROOT) {
  const manifest = JSON.parse(readFileSync(join(root, 'vss-extension.json'), 'utf8'));
  return join(root, 'dist', `${manifest.publisher}.${manifest.id}-${packageVersion(root).text}.vsix`);
}

/** Copies what the extension needs into `stage` (emptied first). Returns the files staged, relative to it. */
export function stageExtension(stage, root = ROOT) {
  const wrong = disagreements(root);
  if (wrong.length > 0) {
    throw new Error(
      `versions disagree with package.json (${wrong.map((w) => `${w.file}: ${w.found}`).join(', ')}): run \`npm run stamp-version\``,
    );
  }
  const task = JSON.parse(readFileSync(join(root, 'task.json'), 'utf8'));
  if (task.name !== TASK_FOLDER) throw new Error(`task.json: name '${task.name}', expected '${TASK_FOLDER}'`);
  const targets = [...new Set(Object.values(task.execution ?? {}).map((handler) => handler.target))];
  if (targets.length === 0) throw new Error('task.json: no execution target');

  for (const target of targets) {
    if (!existsSync(join(root, target))) throw new Error(`${target} is missing: run \`npm run build\``);
  }
  const bundleFiles = [...new Set(targets.map((target) => dirname(target)))].flatMap((folder) =>
    filesIn(join(root, folder)).map((file) => `${folder}/${file}`),
  );
  const files = [
    ['vss-extension.json', 'vss-extension.json'],
    ['overview.md', 'overview.md'],
    ['LICENSE', 'LICENSE'],
    ['images/icon.png', 'images/icon.png'],
    ['task.json', `${TASK_FOLDER}/task.json`],
    ...bundleFiles.map((file) => [file, `${TASK_FOLDER}/${file}`]),
  ];
  rmSync(stage, { recursive: true, force: true });
  for (const [from, to] of files) {
    const source = join(root, from);
    if (!existsSync(source))
      throw new Error(`${from} is missing${from.startsWith('dist/') ? ': run `npm run build`' : ''}`);
    mkdirSync(dirname(join(stage, to)), { recursive: true });
    copyFileSync(source, join(stage, to));
  }
  return files.map(([, to]) => to);
}

/** The files under `dir`, relative to it, with / separators. */
function filesIn(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) =>
      relative(dir, join(entry.parentPath ?? entry.path, entry.name))
        .split('\\')
        .join('/'),
    )
    .sort();
}

/** Stages the extension and runs `tfx extension create` on it; returns the .vsix path. Works offline. */
export function packageExtension(root = ROOT) {
  const stage = join(root, '.tmp', 'vsix-stage');
  stageExtension(stage, root);
  const output = vsixPath(root);
  mkdirSync(dirname(output), { recursive: true });
  rmSync(output, { force: true });
  const tfx = join(
    dirname(createRequire(import.meta.url).resolve('tfx-cli/package.json')),
    '_build',
    'tfx-cli.js',
  );
  const run = spawnSync(
    process.execPath,
    [
      tfx,
      'extension',
      'create',
      '--root',
      stage,
      '--manifest-globs',
      'vss-extension.json',
      '--output-path',
      output,
      '--no-prompt',
      '--no-color',
    ],
    { cwd: root, encoding: 'utf8' },
  );
  if (run.status !== 0 || !existsSync(output)) {
    throw new Error(`tfx extension create failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  return output;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    console.log(`built ${relative(process.cwd(), packageExtension())}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

// One version everywhere: package.json's version is stamped into task.json (version Major/Minor/Patch) and
// vss-extension.json (version). `--check` changes nothing and exits 1 naming each file that disagrees.
// Kept apart from any generator of task.json so that one can call stampedTask() too.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export function packageVersion(root = ROOT) {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version ?? '');
  if (!match) throw new Error(`package.json: version '${version}' is not Major.Minor.Patch`);
  return { text: version, major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/** The files that carry the version: how to read it from each, and how to write it into each. */
const FILES = [
  {
    file: 'task.json',
    read: (json) => `${json.version?.Major}.${json.version?.Minor}.${json.version?.Patch}`,
    write: (json, v) => ({ ...json, version: { Major: v.major, Minor: v.minor, Patch: v.patch } }),
  },
  {
    file: 'vss-extension.json',
    read: (json) => String(json.version),
    write: (json, v) => ({ ...json, version: v.text }),
  },
];

/** [{ file, found }] for each file whose version is not package.json's. */
export function disagreements(root = ROOT) {
  const version = packageVersion(root);
  return FILES.map(({ file, read }) => ({
    file,
    found: read(JSON.parse(readFileSync(join(root, file), 'utf8'))),
  })).filter(({ found }) => found !== version.text);
}

/** Writes package.json's version into each file, formatted as `npm run format` would leave it. */
export async function stamp(root = ROOT) {
  const version = packageVersion(root);
  for (const { file, write } of FILES) {
    const path = join(root, file);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    const options = { ...(await prettier.resolveConfig(path)), filepath: path };
    writeFileSync(path, await prettier.format(JSON.stringify(write(json, version), null, 2), options));
  }
  return version.text;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // `--root DIR` works on another copy of the repository (the tests use it on a scratch copy).
  const rootIndex = process.argv.indexOf('--root');
  const root = rootIndex > 0 ? process.argv[rootIndex + 1] : ROOT;
  const names = FILES.map((f) => f.file).join(', ');
  if (process.argv.includes('--check')) {
    const { text } = packageVersion(root);
    const wrong = disagreements(root);
    for (const { file, found } of wrong) {
      console.error(
        `${file}: version ${found}, but package.json says ${text}: run \`npm run stamp-version\``,
      );
    }
    if (wrong.length > 0) process.exit(1);
    console.log(`version ${text} in package.json, ${names}`);
  } else {
    console.log(`stamped ${await stamp(root)} into ${names}`);
  }
}

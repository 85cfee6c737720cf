// Runs a TypeScript script of this repo (demo, benchmark) by bundling it with esbuild first: no ts-node needed.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';

const entry = resolve(process.argv[2]);
// Inside the repository (git ignores .tmp/), not under node_modules: scripts find the repository from their own
// folder, and a node_modules that is a symlink (one install shared by several checkouts) resolves to another one.
const outDir = resolve('.tmp', 'scripts');
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, `${basename(entry, '.ts')}.cjs`);
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  logLevel: 'warning',
});
createRequire(import.meta.url)(outfile);

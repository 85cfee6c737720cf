// Runs a TypeScript script of this repo (demo, benchmark) by bundling it with esbuild first: no ts-node needed.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';

const entry = resolve(process.argv[2]);
// Under this checkout, not node_modules/.cache: a worktree's node_modules may be a link to another checkout's, and
// the scripts find the repository (action.yml, dist/) from where they run.
const outDir = resolve('.tmp', 'apim-scripts');
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

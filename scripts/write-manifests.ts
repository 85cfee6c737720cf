/** `npm run manifests`: rewrites action.yml, task.json and the README tables from the input and output tables. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAll, ROOT } from './manifests';

for (const { path, content } of renderAll()) {
  writeFileSync(join(ROOT, path), content);
  console.log(`wrote ${path}`);
}

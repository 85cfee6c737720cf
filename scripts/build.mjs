// Bundles each adapter with its dependencies into one committed file: dist/ is what the runners execute.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  legalComments: 'none',
  logLevel: 'warning',
  // ESM builds of some SDK packages (storage-common's CRC64) read import.meta.url, which a CJS bundle lacks.
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__importMetaUrl' },
};

await Promise.all([
  build({ ...common, entryPoints: ['src/github/main.ts'], outfile: 'dist/github/index.js' }),
  build({ ...common, entryPoints: ['src/azure-devops/main.ts'], outfile: 'dist/azure-devops/index.js' }),
]);

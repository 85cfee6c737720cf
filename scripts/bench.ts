/**
 * `npm run bench`: start-up and run figures of the bundles, side by side in one run, with bare Node as the floor
 * and, when installed, the Azure CLI (`az`, the tool users script today) as a peer. Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import {
  azureRmConnection,
  CLIENT_ID,
  CLIENT_SECRET,
  CONTAINER,
  RESOURCE_GROUP,
  startRegisteredStandIn,
  STORAGE_ACCOUNT,
  STORAGE_KEY,
  SUBSCRIPTION_ID,
  TENANT_ID,
} from '../test/e2e/fixtures';
import { BundleRun, runAzureDevOpsTask, runGitHubAction } from '../test/e2e/harness';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

interface Figure {
  name: string;
  samples: number[];
}

async function measure(name: string, runs: number, once: () => Promise<unknown> | unknown): Promise<Figure> {
  await once(); // warm the file cache
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await once();
    samples.push(performance.now() - start);
  }
  return { name, samples };
}

function expectResult(run: BundleRun, result: 'Succeeded' | 'Failed'): void {
  if (run.result !== result) throw new Error(`expected ${result}, got ${run.result}: ${run.errorMessage}`);
}

function print(figures: Figure[]): void {
  const ms = (value: number) => `${value.toFixed(0).padStart(6)} ms`;
  console.log(`${'what'.padEnd(62)} ${'median'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}  runs`);
  for (const { name, samples } of figures) {
    const sorted = [...samples].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(
      `${name.padEnd(62)} ${ms(median)} ${ms(sorted[0])} ${ms(sorted[sorted.length - 1])}  ${samples.length}`,
    );
  }
}

async function main(): Promise<void> {
  const standIn = await startRegisteredStandIn();
  try {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-bench',
    });
    const github = {
      operation: 'backup',
      'tenant-id': TENANT_ID,
      'client-id': CLIENT_ID,
      'client-secret': CLIENT_SECRET,
      'subscription-id': SUBSCRIPTION_ID,
      'resource-group': RESOURCE_GROUP,
      'service-name': 'apim-bench',
      'storage-account': STORAGE_ACCOUNT,
      container: CONTAINER,
      'storage-key': STORAGE_KEY,
      'poll-interval': '1s',
      'resource-manager-endpoint': standIn.url,
      'authority-host': standIn.url,
    };
    const azureDevOps = {
      operation: 'backup',
      resourceGroupName: RESOURCE_GROUP,
      serviceName: 'apim_bad name',
      storageAccount: STORAGE_ACCOUNT,
      containerName: CONTAINER,
      storageKey: STORAGE_KEY,
    };
    const connection = azureRmConnection(standIn, 'ServicePrincipal', {
      authenticationType: 'spnKey',
      serviceprincipalkey: CLIENT_SECRET,
    });
    const caCertPath = standIn.caCertPath;

    const figures: Figure[] = [];
    figures.push(
      await measure('node -e 0 (the floor: starting Node itself)', RUNS, () =>
        spawnSync(process.execPath, ['-e', '0']),
      ),
    );
    figures.push(
      await measure('GitHub bundle: start and reject a bad input', RUNS, async () =>
        expectResult(
          await runGitHubAction({ inputs: { ...github, 'service-name': 'apim_bad name' }, caCertPath }),
          'Failed',
        ),
      ),
    );
    figures.push(
      await measure('Azure DevOps bundle: start and reject a bad input', RUNS, async () =>
        expectResult(await runAzureDevOpsTask({ inputs: azureDevOps, connection, caCertPath }), 'Failed'),
      ),
    );
    figures.push(
      await measure('GitHub bundle: full backup against the stand-in (1s polls)', 5, async () =>
        expectResult(await runGitHubAction({ inputs: github, caCertPath }), 'Succeeded'),
      ),
    );
    const az = spawnSync('az', ['version'], { encoding: 'utf8' });
    if (az.status === 0) {
      figures.push(
        await measure('peer: az version (Azure CLI start-up)', 5, () => spawnSync('az', ['version'])),
      );
      figures.push(
        await measure('peer: az apim backup --help (loading the command)', 5, () =>
          spawnSync('az', ['apim', 'backup', '--help']),
        ),
      );
    } else {
      console.log('Azure CLI not installed: `apt-get install azure-cli` to add it as a peer.\n');
    }
    print(figures);
  } finally {
    await standIn.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * `npm run bench`: start-up and run figures of the bundles, side by side in one run, with bare Node as the floor
 * and, when installed, the Azure CLI (`az`, the tool users script today) as a peer. Prints figures; asserts nothing.
 *
 * The catalog section measures the operations that read backups in storage (list, verify, prune) on a container of
 * 10,000 blobs in Azurite behind a proxy adding 20 ms a request, as real Azure Storage takes milliseconds.
 * The pre-flight section measures what the checks add to a backup against the stand-in with ARM_LATENCY_MS added to
 * each Resource Manager answer: one round of parallel reads costs about one latency, one read per check would cost
 * one latency each.
 * BENCH_ONLY=startup, BENCH_ONLY=catalog or BENCH_ONLY=preflight runs one section.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  azureRmConnection,
  CLIENT_ID,
  CLIENT_SECRET,
  CONTAINER,
  RESOURCE_GROUP,
  startLocalAzure,
  startRegisteredStandIn,
  STORAGE_ACCOUNT,
  STORAGE_KEY,
  SUBSCRIPTION_ID,
  TENANT_ID,
} from '../test/e2e/fixtures';
import { BundleRun, runAzureDevOpsTask, runGitHubAction } from '../test/e2e/harness';
import {
  Azurite,
  backupSeeds,
  listBlobsWithMetadata,
  SeedBlob,
  seedBlobs,
  startAzurite,
  startStorageProxy,
  storageClient,
  StorageProxy,
} from '../test/stand-in';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const CATALOG_RUNS = Number(process.env.BENCH_CATALOG_RUNS ?? 3);
const ONLY = process.env.BENCH_ONLY;
const LATENCY_MS = 20;
const ARM_LATENCY_MS = 50;
const PREFLIGHT_RUNS = Number(process.env.BENCH_PREFLIGHT_RUNS ?? 7);
const DAY_MS = 86_400_000;

interface Figure {
  name: string;
  samples: number[];
  /** Printed after the figure, e.g. why the bundle failed. */
  note?: string;
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
  for (const { name, samples, note } of figures) {
    const sorted = [...samples].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(
      `${name.padEnd(62)} ${ms(median)} ${ms(sorted[0])} ${ms(sorted[sorted.length - 1])}  ${samples.length}`,
    );
    if (note) console.log(`${''.padEnd(4)}${note}`);
  }
}

/** Times a bundle run; a failed run still yields its time, with the failure as the figure's note. */
async function measureBundle(name: string, runs: number, once: () => Promise<BundleRun>): Promise<Figure> {
  let note: string | undefined;
  const figure = await measure(name, runs, async () => {
    const run = await once();
    if (run.result !== 'Succeeded') {
      note = `FAILED (${run.result}): ${run.errorMessage.replace(/\s*\n\s*/g, ' ') || run.stderr.trim().split('\n').pop()}`;
    }
  });
  return { ...figure, note };
}

async function main(): Promise<void> {
  if (!ONLY || ONLY === 'startup') await startup();
  if (!ONLY || ONLY === 'catalog') await catalog();
  if (!ONLY || ONLY === 'preflight') await preflight();
}

/**
 * A backup with the system-assigned identity (every check: identity, workspace gateways, firewall, CORS, data role)
 * with and without pre-flight, ARM answering after ARM_LATENCY_MS. The step's own timing of the checks comes from
 * its debug line; the end-to-end difference of the medians says the same from outside.
 */
async function preflight(): Promise<void> {
  console.log(
    `\nPre-flight: a backup against the stand-in, ${ARM_LATENCY_MS} ms added to every ARM answer\n`,
  );
  const standIn = await startLocalAzure({ armLatencyMs: ARM_LATENCY_MS });
  try {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-bench-pf',
    });
    const inputs = (checks: boolean) => ({
      operation: 'backup',
      'tenant-id': TENANT_ID,
      'client-id': CLIENT_ID,
      'client-secret': CLIENT_SECRET,
      'subscription-id': SUBSCRIPTION_ID,
      'resource-group': RESOURCE_GROUP,
      'service-name': 'apim-bench-pf',
      'storage-account': STORAGE_ACCOUNT,
      container: CONTAINER,
      'storage-access': 'system-assigned-identity',
      'blob-endpoint': standIn.blobEndpoint,
      'poll-interval': '1s',
      'resource-manager-endpoint': standIn.url,
      'authority-host': standIn.url,
      preflight: String(checks),
    });
    const inStep: number[] = [];
    let requests = '';
    const run = async (checks: boolean) => {
      const result = await runGitHubAction({
        inputs: inputs(checks),
        env: { RUNNER_DEBUG: '1' },
        caCertPath: standIn.caCertPath,
      });
      expectResult(result, 'Succeeded');
      const line = /Pre-flight: (\d+ requests in \d+ rounds?), (\d+) ms\./.exec(result.stdout);
      if (checks && line) {
        requests = line[1];
        inStep.push(Number(line[2]));
      }
    };
    const without = await measure('GitHub bundle: backup, preflight: false', PREFLIGHT_RUNS, () =>
      run(false),
    );
    const withChecks = await measure('GitHub bundle: backup, preflight: true', PREFLIGHT_RUNS, () =>
      run(true),
    );
    const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
    print([
      without,
      withChecks,
      {
        name: 'pre-flight inside the step (its debug line)',
        samples: inStep,
        note: `${requests}; end to end the medians differ by ${(median(withChecks.samples) - median(without.samples)).toFixed(0)} ms; one ARM answer takes at least ${ARM_LATENCY_MS} ms`,
      },
    ]);
  } finally {
    await standIn.close();
  }
}

async function startup(): Promise<void> {
  const standIn = await startLocalAzure();
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
      'blob-endpoint': standIn.blobEndpoint,
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
      blobEndpoint: standIn.blobEndpoint,
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

/** An Azurite (http, Shared Key) behind a proxy adding LATENCY_MS to each request. */
async function storageBehindProxy(): Promise<{
  azurite: Azurite;
  proxy: StorageProxy;
  close(): Promise<void>;
}> {
  const azurite = await startAzurite();
  const proxy = await startStorageProxy({ target: azurite.blobEndpoint, latencyMs: LATENCY_MS });
  return {
    azurite,
    proxy,
    async close() {
      await proxy.close();
      await azurite.close();
    },
  };
}

function catalogBlobs(now: number): SeedBlob[] {
  const bench = backupSeeds({ service: 'apim-bench', count: 1_000, newest: new Date(now), spreadDays: 60 });
  // A name-prefix trap (apim-bench-staging-…), other instances, and blobs that are no backups at all.
  const staging = backupSeeds({
    service: 'apim-bench-staging',
    count: 1_000,
    newest: new Date(now),
    spreadDays: 60,
  });
  const others = ['apim-prod', 'apim-test', 'apim-dev'].flatMap((service) =>
    backupSeeds({
      service,
      count: 1_000,
      newest: new Date(now),
      spreadDays: 60,
      sku: 'Premium',
      content: 'empty',
    }),
  );
  const unrelated = Array.from({ length: 5_000 }, (_, i) => ({
    name: `logs/2026/${String(i % 12).padStart(2, '0')}/run-${i}.json`,
    content: '{}',
  }));
  return [...bench, ...staging, ...others, ...unrelated];
}

async function catalog(): Promise<void> {
  console.log(
    `\nCatalog: a container of 10,000 blobs (1,000 backups of apim-bench), Azurite behind ${LATENCY_MS} ms a request\n`,
  );
  const storage = await storageBehindProxy();
  const standIn = await startRegisteredStandIn();
  const azConfig = mkdtempSync(join(tmpdir(), 'az-bench-'));
  try {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-bench',
    });
    const { azurite, proxy } = storage;
    const direct = storageClient(azurite.blobEndpoint, azurite, { maxTries: 3 });
    // Seeded straight into Azurite: the latency is for what is measured.
    const seeded = await seedBlobs(direct.getContainerClient(CONTAINER), catalogBlobs(Date.now()), {
      concurrency: 64,
    });
    console.log(`seeded ${seeded.uploaded} blobs with ${seeded.maxInFlight} in flight in ${seeded.ms} ms\n`);

    const storageInputs = {
      'service-name': 'apim-bench',
      'storage-account': azurite.accountName,
      container: CONTAINER,
      'storage-key': azurite.accountKey,
      'blob-endpoint': proxy.url,
    };
    const armInputs = {
      'tenant-id': TENANT_ID,
      'client-id': CLIENT_ID,
      'client-secret': CLIENT_SECRET,
      'subscription-id': SUBSCRIPTION_ID,
      'resource-group': RESOURCE_GROUP,
      'resource-manager-endpoint': standIn.url,
      'authority-host': standIn.url,
    };
    const caCertPath = standIn.caCertPath;
    const figures: Figure[] = [];
    const requestsOf = async (figure: Promise<Figure>) => {
      proxy.reset();
      const result = await figure;
      const runs = CATALOG_RUNS + 1;
      const extra = `${Math.round(proxy.requests.length / runs)} storage requests a run, ${proxy.maxInFlight} at most in flight`;
      figures.push({ ...result, note: result.note ? `${result.note}; ${extra}` : extra });
    };
    await requestsOf(
      measureBundle('GitHub bundle: list (1,000 of 10,000 blobs)', CATALOG_RUNS, () =>
        runGitHubAction({ inputs: { operation: 'list', ...storageInputs }, caCertPath }),
      ),
    );
    await requestsOf(
      measureBundle('GitHub bundle: verify (max-age 30d, ARM stand-in)', CATALOG_RUNS, () =>
        runGitHubAction({
          inputs: { operation: 'verify', ...storageInputs, ...armInputs, 'max-age': '30d' },
          caCertPath,
        }),
      ),
    );
    const az = spawnSync('az', ['version'], { encoding: 'utf8', env: azEnv(azConfig) });
    if (az.status === 0) {
      const connection = `DefaultEndpointsProtocol=http;AccountName=${azurite.accountName};AccountKey=${azurite.accountKey};BlobEndpoint=${proxy.url}`;
      const args = [
        'storage',
        'blob',
        'list',
        '--container-name',
        CONTAINER,
        '--connection-string',
        connection,
      ];
      let note: string | undefined;
      proxy.reset();
      const figure = await measure(
        'peer: az storage blob list --include m (all 10,000)',
        CATALOG_RUNS,
        // Not spawnSync: the proxy runs in this process and must answer while az runs.
        async () => {
          const listArgs = [...args, '--include', 'm', '--num-results', '*', '-o', 'none'];
          const run = await spawnAsync('az', listArgs, azEnv(azConfig));
          if (run.status !== 0) note = `FAILED (exit ${run.status}): ${run.stderr.trim().split('\n').pop()}`;
        },
      );
      const extra = `${Math.round(proxy.requests.length / (CATALOG_RUNS + 1))} storage requests a run, ${proxy.maxInFlight} at most in flight`;
      figures.push({ ...figure, note: note ? `${note}; ${extra}` : extra });
    } else {
      console.log('Azure CLI not installed: `apt-get install azure-cli` to add it as a peer.\n');
    }
    print(figures);
  } finally {
    rmSync(azConfig, { recursive: true, force: true });
    await standIn.close();
    await storage.close();
  }
  await prune();
}

function spawnAsync(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

/** The env of an az run: its own config folder, no telemetry, no update checks. */
function azEnv(configDir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: configDir,
    AZURE_CONFIG_DIR: configDir,
    AZURE_CORE_COLLECT_TELEMETRY: 'false',
    AZURE_CORE_NO_COLOR: 'true',
    AZURE_CORE_SURVEY_MESSAGE: 'false',
  };
}

/** Prune on its own Azurite: 1,000 backups of apim-bench, 900 of them older than 30 days; one run, it deletes. */
async function prune(): Promise<void> {
  console.log(
    `\nPrune: 1,000 backups of apim-bench, 900 older than 30 days, own Azurite behind ${LATENCY_MS} ms\n`,
  );
  const storage = await storageBehindProxy();
  const standIn = await startRegisteredStandIn();
  try {
    const { azurite, proxy } = storage;
    const now = Date.now();
    const container = storageClient(azurite.blobEndpoint, azurite, { maxTries: 3 }).getContainerClient(
      CONTAINER,
    );
    await seedBlobs(container, [
      ...backupSeeds({ service: 'apim-bench', count: 100, newest: new Date(now), spreadDays: 29 }),
      ...backupSeeds({
        service: 'apim-bench',
        count: 900,
        newest: new Date(now - 31 * DAY_MS),
        spreadDays: 89,
      }),
    ]);
    proxy.reset();
    const start = performance.now();
    const run = await runGitHubAction({
      inputs: {
        operation: 'prune',
        'service-name': 'apim-bench',
        'storage-account': azurite.accountName,
        container: CONTAINER,
        'storage-key': azurite.accountKey,
        'blob-endpoint': proxy.url,
        'retention-days': '30',
        'keep-last': '1',
      },
      caCertPath: standIn.caCertPath,
    });
    const ms = performance.now() - start;
    const left = (await listBlobsWithMetadata(container)).length;
    const deletes = proxy.requests.filter((request) => request.method === 'DELETE').length;
    const batches = proxy.requests.filter((request) => request.method === 'POST').length;
    print([
      {
        name: 'GitHub bundle: prune (retention-days 30, keep-last 1)',
        samples: [ms],
        note:
          (run.result === 'Succeeded'
            ? ''
            : `FAILED (${run.result}): ${run.errorMessage.replace(/\s*\n\s*/g, ' ')}; `) +
          `${left} blobs left (expect 100); ${proxy.requests.length} storage requests (${deletes} DELETE, ${batches} batch POST), ${proxy.maxInFlight} at most in flight`,
      },
    ]);
  } finally {
    await standIn.close();
    await storage.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

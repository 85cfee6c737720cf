/**
 * `npm run bench`: start-up and run figures of the bundles, side by side in one run, with bare Node as the floor
 * and, when installed, the Azure CLI (`az`, the tool users script today) as a peer. Prints figures; asserts nothing.
 *
 * The catalog section measures the operations that read backups in storage (list, verify, prune) on a container of
 * 10,000 blobs in Azurite behind a proxy adding 20 ms a request, as real Azure Storage takes milliseconds.
 *
 * The first-request section times each bundle from its spawn to the first request the stand-in receives, paired
 * with bare `node -e 0` run by run. The completion section runs backups beside `az apim backup` on the same
 * stand-in (storage reachable: Azurite behind 20 ms a request): a 4 s backup whose 202s ask for Retry-After: 20,
 * and one with Retry-After: 1 for the time beyond the operation (the step's includes the provenance stamp). `az`
 * reaches the stand-in as a custom cloud; a sitecustomize on its PYTHONPATH refuses any name but 127.0.0.1 and
 * lets MSAL take the stand-in's authority as known (as it takes login.microsoftonline.com).
 *
 * The fleet section backs up 20 instances with 3-second operations in one step (max-parallel 5), beside `az apim
 * backup` run for each instance one after another against the same stand-in, and against the floor of
 * ceil(20 / 5) × 3 s. The pre-flight section measures what the checks add to a backup against the stand-in with
 * ARM_LATENCY_MS added to each Resource Manager answer: one round of parallel reads costs about one latency, one
 * read per check would cost one latency each.
 *
 * BENCH_ONLY=startup, first-request, completion, catalog, sizes, fleet or preflight runs one section.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  azureRmConnection,
  CLIENT_ID,
  CLIENT_SECRET,
  CONTAINER,
  githubInputs,
  RESOURCE_GROUP,
  startLocalAzure,
  startRegisteredStandIn,
  STORAGE_ACCOUNT,
  STORAGE_KEY,
  SUBSCRIPTION_ID,
  TENANT_ID,
} from '../test/e2e/fixtures';
import {
  AZURE_DEVOPS_BUNDLE,
  BundleRun,
  GITHUB_BUNDLE,
  runAzureDevOpsTask,
  runGitHubAction,
} from '../test/e2e/harness';
import {
  Azurite,
  backupSeeds,
  createAzuriteBlobStore,
  StandIn,
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
const DAY_MS = 86_400_000;
const ARM_LATENCY_MS = 50;
const PREFLIGHT_RUNS = Number(process.env.BENCH_PREFLIGHT_RUNS ?? 7);

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

const SECTIONS: Record<string, () => Promise<void>> = {
  startup,
  'first-request': firstRequest,
  completion,
  catalog,
  sizes,
  fleet,
  preflight,
};

async function main(): Promise<void> {
  if (ONLY && !SECTIONS[ONLY]) throw new Error(`BENCH_ONLY: one of ${Object.keys(SECTIONS).join(', ')}`);
  for (const [name, section] of Object.entries(SECTIONS)) if (!ONLY || ONLY === name) await section();
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Spawn to exit of `node -e 0`: the floor every Node program pays. */
function bareNode(): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - start));
  });
}

/**
 * Spawn to the first request the stand-in receives (the sign-in's), for each bundle, each run paired with a bare
 * `node -e 0` run just before it, and the ratio taken pair by pair (the machine's speed drifts between runs).
 */
async function firstRequest(): Promise<void> {
  console.log(
    '\nTime to the first request: spawn to the first request the stand-in receives, against node -e 0\n',
  );
  const standIn = await startLocalAzure();
  try {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-first',
    });
    // Timed from the spawn itself: what the harness does before it (reading the manifest) is not the bundle's.
    const bundles: [string, (onSpawn: () => void) => Promise<BundleRun>][] = [
      [
        'GitHub bundle',
        (onSpawn) =>
          runGitHubAction({
            inputs: githubInputs(standIn, {
              operation: 'backup',
              'service-name': 'apim-first',
            }),
            caCertPath: standIn.caCertPath,
            onSpawn,
          }),
      ],
      [
        'Azure DevOps bundle',
        (onSpawn) =>
          runAzureDevOpsTask({
            onSpawn,
            inputs: {
              operation: 'backup',
              resourceGroupName: RESOURCE_GROUP,
              serviceName: 'apim-first',
              storageAccount: STORAGE_ACCOUNT,
              containerName: CONTAINER,
              storageKey: STORAGE_KEY,
              blobEndpoint: standIn.blobEndpoint,
              pollInterval: '1s',
            },
            connection: azureRmConnection(standIn, 'ServicePrincipal', {
              authenticationType: 'spnKey',
              serviceprincipalkey: CLIENT_SECRET,
            }),
            caCertPath: standIn.caCertPath,
          }),
      ],
    ];
    const rows: string[][] = [];
    for (const [name, run] of bundles) {
      const nodeMs: number[] = [];
      const firstMs: number[] = [];
      const ratios: number[] = [];
      for (let i = 0; i <= RUNS; i++) {
        const node = await bareNode();
        const since = standIn.requests.length;
        let spawnedAt = 0;
        const result = await run(() => (spawnedAt ||= Date.now()));
        if (result.result !== 'Succeeded') throw new Error(`${name}: ${result.errorMessage}`);
        const first = standIn.requests[since].at - spawnedAt;
        if (i === 0) continue; // warm the file cache
        nodeMs.push(node);
        firstMs.push(first);
        ratios.push(first / node);
      }
      rows.push([
        name,
        `${median(firstMs).toFixed(0)} ms`,
        `${median(nodeMs).toFixed(0)} ms`,
        `${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
      ]);
    }
    table(['bundle', 'first request', 'node -e 0', 'ratio (median of pairs, min–max)'], rows);
    console.log(`(${RUNS} pairs each; goal: ≤ 2×)`);
  } finally {
    await standIn.close();
  }
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

/** Bytes of each bundle folder, its entry, and how many files. */
async function sizes(): Promise<void> {
  console.log('\nBundles\n');
  const rows = [
    ['GitHub', GITHUB_BUNDLE],
    ['Azure DevOps', AZURE_DEVOPS_BUNDLE],
  ].map(([name, entry]) => {
    const folder = dirname(entry);
    const files = readdirSync(folder, { recursive: true, withFileTypes: true }).filter((file) =>
      file.isFile(),
    );
    const total = files.reduce((sum, file) => sum + statSync(join(file.parentPath, file.name)).size, 0);
    const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
    return [name, megabytes(total), megabytes(statSync(entry).size), String(files.length)];
  });
  table(['bundle', 'all files', 'entry (read at start)', 'files'], rows);
}

/**
 * A backup through the GitHub bundle and through `az apim backup`, one after the other, on the same stand-in
 * instance; storage is Azurite behind 20 ms a request (the stand-in's APIM writes the blob, the step stamps it).
 */
async function completion(): Promise<void> {
  const OPERATION_MS = 4_000;
  console.log(
    `\nSeeing the end: a ${OPERATION_MS / 1000} s backup, storage behind ${LATENCY_MS} ms a request, beside az apim backup\n`,
  );
  const storage = await storageBehindProxy();
  const { azurite, proxy } = storage;
  const standIn = await startRegisteredStandIn({
    blobStore: createAzuriteBlobStore({
      blobEndpoint: azurite.blobEndpoint,
      accountName: azurite.accountName,
      accountKey: azurite.accountKey,
    }),
  });
  const az = azureCli(standIn);
  try {
    const service = (retryAfterSeconds: number) =>
      standIn.addService({
        subscriptionId: SUBSCRIPTION_ID,
        resourceGroup: RESOURCE_GROUP,
        name: `apim-end-${retryAfterSeconds}`,
        operationMs: OPERATION_MS,
        operationPolls: 0,
        retryAfterSeconds,
      }).name;
    // Each tool is timed from its spawn to its exit (the harness's own preparation is not the bundle's).
    const ours = (name: string, pollInterval: string) => async () => {
      let spawned = 0;
      let closed = 0;
      const run = await runGitHubAction({
        inputs: {
          operation: 'backup',
          'tenant-id': TENANT_ID,
          'client-id': CLIENT_ID,
          'client-secret': CLIENT_SECRET,
          'subscription-id': SUBSCRIPTION_ID,
          'resource-group': RESOURCE_GROUP,
          'service-name': name,
          'storage-account': azurite.accountName,
          container: CONTAINER,
          'storage-key': azurite.accountKey,
          'blob-endpoint': proxy.url,
          'poll-interval': pollInterval,
          'resource-manager-endpoint': standIn.url,
          'authority-host': standIn.url,
        },
        caCertPath: standIn.caCertPath,
        onSpawn: (child) => {
          spawned ||= performance.now();
          child.once('close', () => (closed = performance.now()));
        },
      });
      expectResult(run, 'Succeeded');
      if (!/Stamped/.test(run.stdout)) throw new Error(`no provenance stamp:\n${run.stdout}`);
      return closed - spawned;
    };
    const theirs = (name: string) => async () => {
      const start = performance.now();
      const run = await spawnAsync(
        'az',
        az.backupArgs(name, azurite.accountName, azurite.accountKey),
        az.env,
      );
      if (run.status !== 0) throw new Error(`az apim backup: exit ${run.status}: ${run.stderr.trim()}`);
      return performance.now() - start;
    };
    const azInstalled = spawnSync('az', ['version'], { env: az.env }).status === 0;
    if (!azInstalled)
      console.log('Azure CLI not installed: `apt-get install azure-cli` to add it as a peer.\n');

    // Retry-After 20: when each sees the end.
    const slow = service(20);
    const slowRows: string[][] = [];
    const oursSlow: [string, number[]][] = [];
    for (const pollInterval of ['1s', '5s']) {
      const times = await repeat(COMPLETION_RUNS, ours(slow, pollInterval));
      oursSlow.push([pollInterval, times]);
    }
    const azSlow = azInstalled ? await repeat(COMPLETION_RUNS, theirs(slow)) : [];
    for (const [pollInterval, times] of oursSlow) {
      const bound = OPERATION_MS + Number.parseInt(pollInterval) * 1000 + 1500;
      slowRows.push([
        `GitHub bundle, poll-interval ${pollInterval}`,
        seconds(median(times)),
        `${seconds(Math.min(...times))}–${seconds(Math.max(...times))}`,
        `≤ ${seconds(bound)}: ${times.every((time) => time <= bound) ? 'met' : 'NOT met'}`,
        azSlow.length ? `${(median(azSlow) / median(times)).toFixed(1)}× sooner` : '',
      ]);
    }
    if (azSlow.length) {
      slowRows.push([
        'az apim backup',
        seconds(median(azSlow)),
        `${seconds(Math.min(...azSlow))}–${seconds(Math.max(...azSlow))}`,
        '',
        '',
      ]);
    }
    console.log(`Retry-After: 20 on every 202 (${COMPLETION_RUNS} runs each)`);
    table(['what', 'median', 'min–max', 'promise', 'against az'], slowRows);

    // Retry-After 1: the time beyond the operation, and each tool's own time outside start → answer of the end
    // (both poll every second, so either may see the end up to a second late: the own time leaves that out).
    const quick = service(1);
    const timed = async (once: () => Promise<number>) => {
      const since = standIn.requests.length;
      const wall = await once();
      const requests = standIn.requests.slice(since).filter((request) => request.path.includes(`/${quick}/`));
      const start = requests.find((request) => request.method === 'POST')!;
      const end = requests.filter((request) => request.status === 200).at(-1)!;
      // Up to the end's answer: the stand-in answers it once it has written the blob, as Azure would have before.
      return { beyond: wall - OPERATION_MS, own: wall - ((end.answeredAt ?? end.at) - start.at) };
    };
    const quickRuns = async (once: () => Promise<number>) => {
      await once();
      const runs: { beyond: number; own: number }[] = [];
      for (let i = 0; i < BEYOND_RUNS; i++) runs.push(await timed(once));
      return { beyond: runs.map((run) => run.beyond), own: runs.map((run) => run.own) };
    };
    const range = (values: number[]) =>
      `${median(values).toFixed(0)} ms (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
    const oursQuick = await quickRuns(ours(quick, '1s'));
    const azQuick = azInstalled ? await quickRuns(theirs(quick)) : undefined;
    const quickRows = [['GitHub bundle (stamp included)', range(oursQuick.beyond), range(oursQuick.own)]];
    if (azQuick) quickRows.push(['az apim backup', range(azQuick.beyond), range(azQuick.own)]);
    console.log(`\nRetry-After: 1, a ${OPERATION_MS / 1000} s operation (${BEYOND_RUNS} runs each)`);
    table(['what', 'wall beyond the operation', 'own time (outside start → end)'], quickRows);
    if (azQuick) {
      const ratio = (key: 'beyond' | 'own') => (median(azQuick[key]) / median(oursQuick[key])).toFixed(1);
      console.log(
        `az / ours: ${ratio('beyond')}× beyond the operation, ${ratio('own')}× own time (goal: ≥ 4×)`,
      );
    }
  } finally {
    az.close();
    await standIn.close();
    await storage.close();
  }
}

const COMPLETION_RUNS = Number(process.env.BENCH_COMPLETION_RUNS ?? 3);
const BEYOND_RUNS = Number(process.env.BENCH_BEYOND_RUNS ?? 5);

/** Runs `once` after one unmeasured run (the file cache), `runs` times; its own figures. */
async function repeat(runs: number, once: () => Promise<number>): Promise<number[]> {
  await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  return times;
}

/**
 * The Azure CLI signed in to the stand-in as the app, as a custom cloud: config files as `az cloud register`,
 * `az cloud set` and `az login --service-principal` leave them (the stand-in has no subscription list to log in
 * with). A sitecustomize on its PYTHONPATH refuses to resolve any name but 127.0.0.1, and lets MSAL treat the
 * stand-in's authority as a known one, as it treats login.microsoftonline.com (without it, MSAL would ask
 * login.microsoftonline.com to validate the authority).
 */
function azureCli(standIn: StandIn): {
  env: NodeJS.ProcessEnv;
  backupArgs(service: string, account: string, key: string): string[];
  close(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'az-bench-'));
  const config = join(dir, 'config');
  const site = join(dir, 'site');
  mkdirSync(config);
  mkdirSync(site);
  writeFileSync(
    join(site, 'sitecustomize.py'),
    [
      'import socket',
      '_getaddrinfo = socket.getaddrinfo',
      'def _local_only(host, *args, **kwargs):',
      "    if host not in ('127.0.0.1', b'127.0.0.1', 'localhost', '::1'):",
      "        raise socket.gaierror(socket.EAI_NONAME, 'bench: only 127.0.0.1 is reachable, not %r' % (host,))",
      '    return _getaddrinfo(host, *args, **kwargs)',
      'socket.getaddrinfo = _local_only',
      'import msal.authority, msal.application',
      "msal.authority.WELL_KNOWN_AUTHORITY_HOSTS.add('127.0.0.1')",
      'msal.application.ClientApplication._get_instance_metadata = lambda self: []',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(config, 'config'),
    '[cloud]\nname = StandIn\n\n[core]\ncollect_telemetry = false\nno_color = true\nsurvey_message = false\n',
  );
  writeFileSync(
    join(config, 'clouds.config'),
    `[StandIn]\nendpoint_resource_manager = ${standIn.url}/\nendpoint_active_directory = ${standIn.url}\nendpoint_active_directory_resource_id = ${standIn.url}\nendpoint_management = ${standIn.url}/\n`,
  );
  writeFileSync(
    join(config, 'azureProfile.json'),
    JSON.stringify({
      installationId: '00000000-0000-4000-8000-000000000001',
      subscriptions: [
        {
          id: SUBSCRIPTION_ID,
          name: 'Bench',
          state: 'Enabled',
          tenantId: TENANT_ID,
          homeTenantId: TENANT_ID,
          isDefault: true,
          user: { name: CLIENT_ID, type: 'servicePrincipal' },
          environmentName: 'StandIn',
        },
      ],
    }),
  );
  writeFileSync(
    join(config, 'service_principal_entries.json'),
    JSON.stringify([{ client_id: CLIENT_ID, tenant: TENANT_ID, client_secret: CLIENT_SECRET }]),
  );
  return {
    env: {
      ...azEnv(config),
      HOME: dir,
      PYTHONPATH: site,
      REQUESTS_CA_BUNDLE: standIn.caCertPath,
    },
    backupArgs: (service, account, key) => [
      'apim',
      'backup',
      '--resource-group',
      RESOURCE_GROUP,
      '--name',
      service,
      '--storage-account-name',
      account,
      '--storage-account-container',
      CONTAINER,
      '--storage-account-key',
      key,
      '--backup-name',
      `${service}-az.apimbackup`,
      '--output',
      'none',
    ],
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function startup(): Promise<void> {
  const standIn = await startLocalAzure();
  try {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-bench',
    });
    const github = githubInputs(standIn, {
      operation: 'backup',
      'service-name': 'apim-bench',
    });
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
    const inputs = (checks: boolean) =>
      githubInputs(standIn, {
        operation: 'backup',
        'service-name': 'apim-bench-pf',
        'storage-access': 'system-assigned-identity',
        'storage-key': '',
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

const FLEET_SIZE = Number(process.env.BENCH_FLEET_SIZE ?? 20);
const FLEET_PARALLEL = 5;
const FLEET_OPERATION_MS = 3_000;

/**
 * One step backing up FLEET_SIZE instances (max-parallel FLEET_PARALLEL) against `az apim backup` for each in turn,
 * on the same stand-in. Every operation takes FLEET_OPERATION_MS and answers Retry-After: 1, so az (which otherwise
 * polls every 30 s) and the step both poll every second.
 */
async function fleet(): Promise<void> {
  const floorMs = Math.ceil(FLEET_SIZE / FLEET_PARALLEL) * FLEET_OPERATION_MS;
  console.log(
    `\nFleet: ${FLEET_SIZE} instances, ${FLEET_OPERATION_MS / 1000} s operations; load average before: ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')} on ${availableParallelism()} cores\n`,
  );
  const standIn = await startLocalAzure();
  const azConfig = mkdtempSync(join(tmpdir(), 'az-fleet-'));
  const guard = await outboundGuard();
  const adfs = await adfsMetadata(standIn.url, standIn.certificate);
  try {
    const names = Array.from(
      { length: FLEET_SIZE },
      (_, i) => `apim-fleet-${String(i + 1).padStart(2, '0')}`,
    );
    const services = names.map((name) =>
      standIn.addService({
        subscriptionId: SUBSCRIPTION_ID,
        resourceGroup: 'rg-fleet',
        name,
        operationMs: FLEET_OPERATION_MS,
        retryAfterSeconds: 1,
      }),
    );
    const start = performance.now();
    const run = await runGitHubAction({
      inputs: githubInputs(standIn, {
        operation: 'backup',
        'resource-group': 'rg-fleet',
        'service-name': 'apim-fleet-*',
        'max-parallel': String(FLEET_PARALLEL),
      }),
      caCertPath: standIn.caCertPath,
    });
    const stepMs = performance.now() - start;
    const backedUp = services.filter((service) => service.operations.some((op) => op.status === 'Succeeded'));
    const figures: Figure[] = [
      {
        name: `GitHub bundle: backup of ${FLEET_SIZE} instances, max-parallel ${FLEET_PARALLEL}`,
        samples: [stepMs],
        note:
          (run.result === 'Succeeded' ? '' : `FAILED: ${run.errorMessage.replace(/\s*\n\s*/g, ' ')}; `) +
          `${backedUp.length} backed up; ${(stepMs / floorMs).toFixed(2)}× the floor of ceil(${FLEET_SIZE}/${FLEET_PARALLEL}) × ${FLEET_OPERATION_MS / 1000} s = ${floorMs / 1000} s`,
      },
    ];

    if (spawnSync('az', ['version'], { env: azEnv(azConfig) }).status !== 0) {
      console.log('Azure CLI not installed: `apt-get install azure-cli` to add it as a peer.\n');
      print(figures);
      return;
    }
    writeAzureCliLogin(azConfig, standIn.url, adfs.url);
    const env = {
      ...azEnv(azConfig),
      REQUESTS_CA_BUNDLE: standIn.caCertPath,
      // Anything not on 127.0.0.1 goes to the guard, which refuses it and counts it: no name is looked up.
      HTTPS_PROXY: guard.url,
      HTTP_PROXY: guard.url,
      NO_PROXY: '127.0.0.1,localhost',
    };
    const before = services.map((service) => service.operations.length);
    const azSamples: number[] = [];
    let failure: string | undefined;
    const azStart = performance.now();
    for (const name of names) {
      const one = performance.now();
      const result = await spawnAsync(
        'az',
        [
          'apim',
          'backup',
          '--subscription',
          SUBSCRIPTION_ID,
          '-g',
          'rg-fleet',
          '-n',
          name,
          '--backup-name',
          `${name}-az.apimbackup`,
          '--storage-account-name',
          STORAGE_ACCOUNT,
          '--storage-account-container',
          CONTAINER,
          '--storage-account-key',
          STORAGE_KEY,
          '-o',
          'none',
        ],
        env,
      );
      azSamples.push(performance.now() - one);
      if (result.status !== 0) failure ??= `exit ${result.status}: ${result.stderr.trim().split('\n').pop()}`;
    }
    const azMs = performance.now() - azStart;
    const azBackedUp = services.filter((service, i) =>
      service.operations.slice(before[i]).some((op) => op.status === 'Succeeded'),
    ).length;
    figures.push(
      {
        name: `peer: az apim backup × ${FLEET_SIZE}, one after another`,
        samples: [azMs],
        note: `${failure ? `FAILED (${failure}); ` : ''}${azBackedUp} backed up; the step was ${(azMs / stepMs).toFixed(1)}× faster`,
      },
      { name: 'peer: one az apim backup', samples: azSamples },
    );
    print(figures);
    console.log(
      `\nload average after: ${loadavg()
        .map((load) => load.toFixed(2))
        .join(
          ' ',
        )}; requests az tried to send beyond 127.0.0.1 (refused): ${guard.attempts.length ? guard.attempts.join(', ') : 'none'}`,
    );
  } finally {
    rmSync(azConfig, { recursive: true, force: true });
    await guard.close();
    await adfs.close();
    await standIn.close();
  }
}

/**
 * An Azure CLI profile signed in as the app against the stand-in, written as `az login` and `az cloud register`
 * leave it (both would ask the network). The cloud's authority ends in /adfs: MSAL then skips its instance
 * discovery at login.microsoftonline.com and reads the metadata adfsMetadata serves.
 */
function writeAzureCliLogin(dir: string, armUrl: string, authority: string): void {
  writeFileSync(
    join(dir, 'clouds.config'),
    [
      '[StandIn]',
      'profile = latest',
      `endpoint_resource_manager = ${armUrl}/`,
      `endpoint_management = ${armUrl}/`,
      `endpoint_active_directory = ${authority}`,
      `endpoint_active_directory_resource_id = ${armUrl}/`,
      'suffix_storage_endpoint = core.windows.net',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'config'), '[cloud]\nname = StandIn\n\n[core]\ncollect_telemetry = false\n');
  writeFileSync(
    join(dir, 'azureProfile.json'),
    JSON.stringify({
      installationId: '00000000-0000-4000-8000-000000000000',
      subscriptions: [
        {
          id: SUBSCRIPTION_ID,
          name: 'bench',
          state: 'Enabled',
          user: { name: CLIENT_ID, type: 'servicePrincipal' },
          isDefault: true,
          tenantId: TENANT_ID,
          environmentName: 'StandIn',
          homeTenantId: TENANT_ID,
          managedByTenants: [],
        },
      ],
    }),
  );
  writeFileSync(
    join(dir, 'service_principal_entries.json'),
    JSON.stringify([{ client_id: CLIENT_ID, tenant: TENANT_ID, client_secret: CLIENT_SECRET }]),
  );
}

/** https://127.0.0.1:PORT/adfs: OpenID metadata whose token endpoint is the stand-in's, for the tenant. */
async function adfsMetadata(
  standInUrl: string,
  certificate: { certPem: string; keyPem: string },
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createHttpsServer(
    { cert: certificate.certPem, key: certificate.keyPem },
    (request, response) => {
      if (request.url?.startsWith('/adfs/.well-known/openid-configuration')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            issuer: `${standInUrl}/${TENANT_ID}/v2.0`,
            authorization_endpoint: `${standInUrl}/${TENANT_ID}/oauth2/v2.0/authorize`,
            token_endpoint: `${standInUrl}/${TENANT_ID}/oauth2/v2.0/token`,
          }),
        );
        return;
      }
      response.writeHead(404).end();
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/adfs`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A proxy that refuses every request and remembers where it was meant to go. */
async function outboundGuard(): Promise<{ url: string; attempts: string[]; close(): Promise<void> }> {
  const attempts: string[] = [];
  const server = createHttpServer((request, response) => {
    attempts.push(request.url ?? '');
    response.writeHead(403).end();
  });
  server.on('connect', (request, socket) => {
    attempts.push(request.url ?? '');
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    attempts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

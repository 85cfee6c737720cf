/**
 * Several instances in one step, and discover, through both bundles against the ARM stand-in (its service list
 * pages two at a time) with Azurite holding the backups. Each test has a subscription of its own, so `*` over a
 * subscription sees only that test's instances.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { backupSeeds, listBlobsWithMetadata, seedBlobs, ServiceSpec, ServiceState } from '../stand-in';
import { APP_OBJECT_ID, CLIENT_ID, CONTAINER, useLocalAzure } from './fixtures';
import { BundleRun } from './harness';

const standIn = useLocalAzure();
let subscriptions = 0;

/** A subscription no other test adds instances to. */
function freshSubscription(): string {
  return `f1ee7000-0000-4000-8000-${String(++subscriptions).padStart(12, '0')}`;
}

function fleet(subscriptionId: string) {
  return (resourceGroup: string, name: string, spec: Partial<ServiceSpec> = {}): ServiceState =>
    standIn.addService({ subscriptionId, resourceGroup, name, ...spec });
}

const github = (inputs: Record<string, string>, onSpawn?: (child: ChildProcess) => void) =>
  standIn.runGitHub(inputs, { onSpawn });
const azureDevOps = (inputs: Record<string, string>) => standIn.runAzureDevOps(inputs);

function expectSuccess(run: BundleRun): void {
  if (run.exitCode !== 0) throw new Error(`expected success, got: ${run.errorMessage}\n${run.stdout}`);
}

interface Result {
  service: string;
  resourceGroup: string;
  subscription: string;
  status: string;
  backupName?: string;
  backupUrl?: string;
  durationSeconds?: number;
  message: string;
  operationUrl?: string;
}

const results = (run: BundleRun): Result[] => JSON.parse(run.outputs.results) as Result[];
const byService = (run: BundleRun) =>
  Object.fromEntries(results(run).map((result) => [result.service, result]));

const container = () => standIn.container();

async function metadataOf(blob: string): Promise<Record<string, string> | undefined> {
  return (await listBlobsWithMetadata(container(), blob)).find((listed) => listed.name === blob)?.metadata;
}

/** Each operation started before every other one finished: they ran side by side. */
function expectOverlap(services: ServiceState[]): void {
  const operations = services.map((service) => service.operations[0]);
  const lastStart = Math.max(...operations.map((operation) => operation.startedAt));
  const firstFinish = Math.min(...operations.map((operation) => operation.finishedAt!));
  expect(lastStart).toBeLessThan(firstFinish);
}

describe.each([
  ['GitHub', 'github'],
  ['Azure DevOps', 'azureDevOps'],
] as const)('%s: backup of `*` over a subscription', (_platform, platform) => {
  it('backs up every instance of both resource groups side by side, skips the v2 one with a note, and stamps each blob with its own instance', async () => {
    const subscriptionId = freshSubscription();
    const add = fleet(subscriptionId);
    const a1 = add('rg-fleet-a', `apim-${platform}-a1`, { operationMs: 2000 });
    const v2 = add('rg-fleet-a', `apim-${platform}-v2`, { sku: 'StandardV2' });
    const b1 = add('rg-fleet-b', `apim-${platform}-b1`, { operationMs: 2000, sku: 'Premium' });
    const b2 = add('rg-fleet-b', `apim-${platform}-b2`, { operationMs: 2000 });
    const run =
      platform === 'github'
        ? await github({
            operation: 'backup',
            'subscription-id': subscriptionId,
            'resource-group': '',
            'service-name': '*',
          })
        : await azureDevOps({ operation: 'backup', subscriptionId, resourceGroupName: '', serviceName: '*' });
    expectSuccess(run);

    expect(v2.operations).toEqual([]);
    expect(run.stdout).toContain(
      `[${v2.name}] Skipped: StandardV2 has no backup or restore (found by a pattern).`,
    );
    for (const service of [a1, b1, b2]) {
      expect(service.operations.map((operation) => operation.kind)).toEqual(['backup']);
      // Log lines name their instance.
      expect(run.stdout).toContain(
        `[${service.name}] Backup started; operation status: ${service.operations[0].url}`,
      );
    }
    expectOverlap([a1, b1, b2]);

    const found = byService(run);
    expect(Object.keys(found).sort()).toEqual([a1.name, b1.name, b2.name, v2.name].sort());
    expect(found[v2.name]).toMatchObject({
      status: 'skipped',
      resourceGroup: 'rg-fleet-a',
      subscription: subscriptionId,
    });
    for (const service of [a1, b1, b2]) {
      const result = found[service.name];
      const blob = service.operations[0].parameters.backupName;
      expect(result).toMatchObject({
        status: 'succeeded',
        resourceGroup: service.resourceGroup,
        subscription: subscriptionId,
        backupName: blob,
        backupUrl: `${standIn.blobEndpoint}/${CONTAINER}/${blob}`,
      });
      expect(blob).toMatch(new RegExp(`^${service.name}-\\d{8}-\\d{6}\\.apimbackup$`));
      expect(result.durationSeconds).toBeGreaterThanOrEqual(2);
      expect(await metadataOf(blob)).toMatchObject({
        apimservice: service.name,
        apimresourcegroup: service.resourceGroup,
        apimsubscription: subscriptionId,
        apimsku: service.behaviour.sku,
      });
    }
    // Several instances: no single backup-name output to stand for all of them; the summary has a row for each.
    const backupNameOutput = platform === 'github' ? 'backup-name' : 'backupName';
    expect(run.outputs).not.toHaveProperty(backupNameOutput);
    for (const service of [a1, b1, b2, v2]) expect(run.summary).toContain(`| \`${service.name}\` |`);
  });
});

describe('partial failure', () => {
  it('Azure DevOps, a list of three with one failing: the other two finish, and the step fails naming it', async () => {
    const subscriptionId = freshSubscription();
    const add = fleet(subscriptionId);
    const good1 = add('rg-fleet', 'apim-list-one', { operationMs: 3000 });
    const bad = add('rg-fleet', 'apim-list-two', {
      failure: { code: 'BackupFailed', message: 'Failed to access storage account (injected).' },
    });
    const good2 = add('rg-fleet', 'apim-list-three', { operationMs: 3000 });
    const run = await azureDevOps({
      operation: 'backup',
      subscriptionId,
      resourceGroupName: 'rg-fleet',
      serviceName: 'apim-list-one, apim-list-two\napim-list-three',
    });
    expect(run.exitCode).toBe(1);
    expect(run.result).toBe('Failed');
    expect(good1.operations[0].status).toBe('Succeeded');
    expect(good2.operations[0].status).toBe('Succeeded');
    // The failure came first; the step still waited for the others.
    expect(bad.operations[0].finishedAt!).toBeLessThan(good1.operations[0].finishedAt!);
    expect(run.errorMessage).toContain(
      `Backup failed for 1 of 3 instance(s) (2 succeeded):\n  - apim-list-two: Backup of API Management instance 'apim-list-two' failed: BackupFailed: Failed to access storage account (injected).`,
    );
    expect(run.errorMessage).not.toContain('apim-list-one:');
    const found = byService(run);
    expect(found['apim-list-two']).toMatchObject({ status: 'failed' });
    expect(found['apim-list-two'].message).toContain(
      'BackupFailed: Failed to access storage account (injected).',
    );
    expect([found['apim-list-one'].status, found['apim-list-three'].status]).toEqual([
      'succeeded',
      'succeeded',
    ]);
    expect(run.summary).toContain('❌ failed');
  });

  it('GitHub, max-parallel 1: one after another', async () => {
    const subscriptionId = freshSubscription();
    const add = fleet(subscriptionId);
    const services = ['apim-one-1', 'apim-one-2', 'apim-one-3'].map((name) => add('rg-fleet', name));
    // Matches the pattern, but in another resource group: not looked at.
    const elsewhere = add('rg-other', 'apim-one-4');
    const run = await github({
      operation: 'backup',
      'subscription-id': subscriptionId,
      'resource-group': 'rg-fleet',
      'service-name': 'apim-one-*',
      'max-parallel': '1',
    });
    expectSuccess(run);
    const operations = services.map((service) => service.operations[0]);
    for (let i = 1; i < operations.length; i++) {
      expect(operations[i].startedAt).toBeGreaterThanOrEqual(operations[i - 1].finishedAt!);
    }
    expect(run.stdout).toContain('3 instance(s), at most 1 at once: apim-one-1, apim-one-2, apim-one-3.');
    expect(elsewhere.operations).toEqual([]);
    expect(results(run).map((result) => result.service)).toEqual(['apim-one-1', 'apim-one-2', 'apim-one-3']);
  });
});

describe('verify over several instances', () => {
  it('GitHub: fails on the one stale instance, naming it; the fresh ones pass', async () => {
    const subscriptionId = freshSubscription();
    const add = fleet(subscriptionId);
    const names = ['apim-gate-fresh1', 'apim-gate-stale', 'apim-gate-fresh2'];
    for (const name of names) add('rg-gate', name);
    const now = Date.now();
    await seedBlobs(container(), [
      ...backupSeeds({ service: 'apim-gate-fresh1', count: 1, newest: new Date(now - 3_600_000) }),
      ...backupSeeds({
        service: 'apim-gate-stale',
        count: 2,
        newest: new Date(now - 3 * 86_400_000),
        spreadDays: 1,
      }),
      ...backupSeeds({ service: 'apim-gate-fresh2', count: 1, newest: new Date(now - 7_200_000) }),
    ]);
    const run = await github({
      operation: 'verify',
      'subscription-id': subscriptionId,
      'resource-group': 'rg-gate',
      'service-name': 'apim-gate-*',
      'max-age': '26h',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errorMessage).toMatch(
      /Verification of the backups failed for 1 of 3 instance\(s\) \(2 succeeded\):\n {2}- apim-gate-stale: Verify failed: the newest backup 'apim-gate-stale-\d{8}-\d{6}\.apimbackup' \(taken 3d ago/,
    );
    const found = byService(run);
    expect(found['apim-gate-fresh1']).toMatchObject({
      status: 'succeeded',
      message: expect.stringContaining('Verified'),
    });
    expect(found['apim-gate-fresh2'].status).toBe('succeeded');
    expect(found['apim-gate-stale'].status).toBe('failed');
  });
});

describe('check over several instances', () => {
  it('Azure DevOps: each instance checked as a single check would; the step fails naming the broken one, nothing started anywhere', async () => {
    const subscriptionId = freshSubscription();
    const add = fleet(subscriptionId);
    for (const role of ['API Management Service Contributor', 'Reader']) {
      standIn.authorization.assign(APP_OBJECT_ID, role, `/subscriptions/${subscriptionId}`);
    }
    const sound = add('rg-check', 'apim-check-sound');
    const broken = add('rg-check', 'apim-check-broken', { identity: 'None' });
    const run = await azureDevOps({
      operation: 'check',
      subscriptionId,
      resourceGroupName: 'rg-check',
      serviceName: 'apim-check-*',
      storageKey: '',
      storageAccess: 'system-assigned-identity',
    });
    expect(run.result).toBe('Failed');
    expect(run.errorMessage).toContain('The pre-flight check failed for 1 of 2 instance(s) (1 succeeded)');
    expect(run.errorMessage).toContain(`  - ${broken.name}: `);
    expect(run.errorMessage).not.toContain(`  - ${sound.name}: `);
    const results = JSON.parse(run.outputs.results) as Result[];
    expect(results.map(({ service, status }) => [service, status]).sort()).toEqual([
      [broken.name, 'failed'],
      [sound.name, 'succeeded'],
    ]);
    expect(run.stdout).toContain(`[${broken.name}] `);
    expect([...sound.operations, ...broken.operations]).toEqual([]);
  });
});

describe('list over several instances', () => {
  it('Azure DevOps, with a storage key: finds the instances through the connection, and lists each one’s backups', async () => {
    const subscriptionId = freshSubscription();
    const add = fleet(subscriptionId);
    add('rg-catalog', 'apim-cat-a');
    add('rg-catalog', 'apim-cat-b');
    await seedBlobs(container(), [
      ...backupSeeds({ service: 'apim-cat-a', count: 2, spreadDays: 2 }),
      ...backupSeeds({ service: 'apim-cat-b', count: 1 }),
    ]);
    const run = await azureDevOps({
      operation: 'list',
      subscriptionId,
      resourceGroupName: 'rg-catalog',
      serviceName: 'apim-cat-*',
    });
    expectSuccess(run);
    const found = byService(run);
    expect(found['apim-cat-a']).toMatchObject({ status: 'succeeded', message: '2 backup(s).' });
    expect(found['apim-cat-b']).toMatchObject({ status: 'succeeded', message: '1 backup(s).' });
    expect(run.stdout).toContain('[apim-cat-a] Found 2 backups of');
    // Each instance's table of backups, under its name.
    expect(run.summary).toMatch(/#### `apim-cat-a`\n\n\| Backup \|/);
    expect(run.outputs).not.toHaveProperty('backups');
  });
});

describe('what cannot run fails before anything starts', () => {
  it('Azure DevOps: a name list that mixes in a v2 instance is refused, naming it; nothing is started', async () => {
    const subscriptionId = freshSubscription();
    const add = fleet(subscriptionId);
    const ok = add('rg-fleet', 'apim-mixed-ok');
    add('rg-fleet', 'apim-mixed-v2', { sku: 'BasicV2' });
    const run = await azureDevOps({
      operation: 'backup',
      subscriptionId,
      resourceGroupName: 'rg-fleet',
      serviceName: 'apim-mixed-ok,apim-mixed-v2,apim-mixed-gone',
    });
    expect(run.result).toBe('Failed');
    expect(run.errorMessage).toContain(
      'The instances named in serviceName cannot all be run; nothing was started:',
    );
    expect(run.errorMessage).toContain(
      "'apim-mixed-v2' is on the BasicV2 tier, which has no backup or restore",
    );
    expect(run.errorMessage).toContain(
      `'apim-mixed-gone' does not exist in resource group 'rg-fleet' of subscription '${subscriptionId}'`,
    );
    expect(ok.operations).toEqual([]);
    expect(
      standIn.requests.filter((request) => request.method === 'POST' && request.path.includes('apim-mixed')),
    ).toEqual([]);
  });

  it('GitHub: a pattern that matches nothing fails, naming where it looked', async () => {
    const subscriptionId = freshSubscription();
    fleet(subscriptionId)('rg-fleet', 'apim-nomatch-dev');
    const run = await github({
      operation: 'backup',
      'subscription-id': subscriptionId,
      'resource-group': '',
      'service-name': 'apim-*-prod',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errorMessage).toContain(
      `No API Management instance matching 'apim-*-prod' in subscription '${subscriptionId}' (every resource group); it holds apim-nomatch-dev. Nothing was run.`,
    );
  });

  it('GitHub: an identity that may not list the instances is told which permission, on which scope', async () => {
    const subscriptionId = freshSubscription();
    const add = fleet(subscriptionId);
    const instance = add('rg-fleet', 'apim-denied-a');
    standIn.deny(CLIENT_ID, subscriptionId);
    const run = await github({
      operation: 'backup',
      'subscription-id': subscriptionId,
      'resource-group': 'rg-fleet',
      'service-name': 'apim-denied-*',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errorMessage).toContain(
      `Listing the API Management instances of resource group 'rg-fleet' of subscription '${subscriptionId}' failed: AuthorizationFailed: The client '${CLIENT_ID}'`,
    );
    expect(run.errorMessage).toContain(
      `What to do: The identity you signed in as lacks permission for 'Microsoft.ApiManagement/service/read'. Grant it`,
    );
    expect(run.errorMessage).toContain(`on scope '/subscriptions/${subscriptionId}/resourceGroups/rg-fleet'`);
    expect(instance.operations).toEqual([]);
  });

  it('GitHub: restore keeps one target and refuses a list before any request', async () => {
    const before = standIn.requests.length;
    const run = await github({
      operation: 'restore',
      'service-name': 'apim-a,apim-b',
      'backup-name': 'latest',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errorMessage).toContain(
      "service-name 'apim-a,apim-b' names several instances, and restore takes one: name one instance (backup, verify, list, prune, check take several)",
    );
    expect(standIn.requests.length).toBe(before);
  });
});

describe('one instance found', () => {
  it('GitHub: every output is as a single run’s, beside results', async () => {
    const subscriptionId = freshSubscription();
    const only = fleet(subscriptionId)('rg-fleet', 'apim-single-prod');
    const run = await github({
      operation: 'backup',
      'subscription-id': subscriptionId,
      'resource-group': 'rg-fleet',
      'service-name': '*-prod',
    });
    expectSuccess(run);
    const [operation] = only.operations;
    expect(run.outputs).toMatchObject({
      'backup-name': operation.parameters.backupName,
      'backup-url': `${standIn.blobEndpoint}/${CONTAINER}/${operation.parameters.backupName}`,
      'operation-url': operation.url,
      'operation-status': 'Succeeded',
      'duration-seconds': expect.stringMatching(/^\d+$/),
    });
    expect(results(run)).toEqual([expect.objectContaining({ service: only.name, status: 'succeeded' })]);
  });
});

describe('timeout and cancel', () => {
  it('GitHub, timeout: lists every operation still running in Azure, with its URL', async () => {
    const subscriptionId = freshSubscription();
    const add = fleet(subscriptionId);
    const stuck = ['apim-stuck-1', 'apim-stuck-2'].map((name) =>
      add('rg-fleet', name, { neverFinishes: true }),
    );
    const run = await github({
      operation: 'backup',
      'subscription-id': subscriptionId,
      'resource-group': 'rg-fleet',
      'service-name': 'apim-stuck-*',
      timeout: '5s',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errorMessage).toContain('timed out after 5s');
    expect(run.errorMessage).toContain(
      '2 operations may still be running in Azure, each listed below with its status URL',
    );
    for (const service of stuck) {
      expect(run.errorMessage).toContain(`  - [${service.name}] Backup: ${service.operations[0].url}`);
      expect(byService(run)[service.name]).toMatchObject({
        status: 'failed',
        operationUrl: service.operations[0].url,
      });
      service.behaviour.neverFinishes = false;
    }
  });

  it('GitHub, SIGINT: says at once that each operation goes on in Azure, with its URL', async () => {
    const subscriptionId = freshSubscription();
    const add = fleet(subscriptionId);
    const stuck = ['apim-cancel-1', 'apim-cancel-2'].map((name) =>
      add('rg-fleet', name, { neverFinishes: true }),
    );
    let seen = '';
    const run = await github(
      {
        operation: 'backup',
        'subscription-id': subscriptionId,
        'resource-group': 'rg-fleet',
        'service-name': 'apim-cancel-1,apim-cancel-2',
        timeout: '60s',
      },
      (child) =>
        child.stdout!.on('data', (chunk: Buffer) => {
          const before = seen;
          seen += chunk.toString();
          if (
            (before.match(/Backup started/g) ?? []).length < 2 &&
            (seen.match(/Backup started/g) ?? []).length >= 2
          ) {
            child.kill('SIGINT');
          }
        }),
    );
    expect(run.exitCode).toBe(1);
    const urls = stuck.map((service) => service.operations[0].url);
    // The notice lists the operations in the order they started, and the two instances start side by side.
    const lines = [`  - [apim-cancel-1] Backup: ${urls[0]}`, `  - [apim-cancel-2] Backup: ${urls[1]}`];
    const notice = (order: string[]) =>
      `Cancelled: the step stops waiting. These go on in Azure:%0A${order.join('%0A')}`;
    expect([notice(lines), notice([...lines].reverse())].some((text) => run.stdout.includes(text))).toBe(
      true,
    );
    expect(run.errorMessage).toContain(
      'was cancelled: the step stopped waiting. 2 operations may still be running',
    );
    for (const url of urls) expect(run.errorMessage).toContain(url);
    for (const service of stuck) service.behaviour.neverFinishes = false;
  });
});

describe('discover', () => {
  /** Five instances, three tagged env=prod, one of those on a v2 tier, over two resource groups. */
  function estate(subscriptionId: string) {
    const add = fleet(subscriptionId);
    return {
      prodA: add('rg-payments', 'apim-payments-prod', {
        tags: { Env: 'Prod', team: 'payments' },
        location: 'West Europe',
      }),
      prodB: add('rg-orders', 'apim-orders-prod', {
        tags: { env: 'prod' },
        location: 'North Europe',
        sku: 'Premium',
      }),
      prodV2: add('rg-orders', 'apim-orders-v2', { tags: { env: 'prod' }, sku: 'StandardV2' }),
      dev: add('rg-orders', 'apim-orders-dev', { tags: { env: 'dev' } }),
      untagged: add('rg-payments', 'apim-payments-test'),
    };
  }

  it('GitHub: lists the instances with tags env=prod; `instances` holds those with backup, keyed by the action’s inputs, and feeds a backup step as a matrix job would', async () => {
    const subscriptionId = freshSubscription();
    const { prodA, prodB, prodV2 } = estate(subscriptionId);
    const run = await github({
      operation: 'discover',
      'subscription-id': subscriptionId,
      'resource-group': '',
      'service-name': '',
      'instance-tags': 'env=prod',
      // The runner passes the defaults of every input; discover reads no storage.
      'storage-account': '',
      container: '',
      'storage-key': '',
      'blob-endpoint': '',
    });
    expectSuccess(run);
    const instances = JSON.parse(run.outputs.instances) as Record<string, string>[];
    expect(instances).toEqual([
      {
        'service-name': prodB.name,
        'resource-group': 'rg-orders',
        'subscription-id': subscriptionId,
        tier: 'Premium',
        location: 'North Europe',
      },
      {
        'service-name': prodA.name,
        'resource-group': 'rg-payments',
        'subscription-id': subscriptionId,
        tier: 'Developer',
        location: 'West Europe',
      },
    ]);
    expect(run.outputs['instance-count']).toBe('2');
    expect(run.outputs).not.toHaveProperty('instancesMatrix');
    expect(run.stdout).toContain(`${prodV2.name}: StandardV2`);
    expect(run.stdout).toContain('no backup (StandardV2 has no backup or restore)');
    expect(run.summary).toContain(`| \`${prodV2.name}\` | \`rg-orders\` | StandardV2 | West Europe | no |`);

    // A matrix job: `with:` takes the entry's keys as they are.
    const [first] = instances;
    const backup = await github({
      operation: 'backup',
      'service-name': first['service-name'],
      'resource-group': first['resource-group'],
      'subscription-id': first['subscription-id'],
    });
    expectSuccess(backup);
    expect(prodB.operations.map((operation) => operation.kind)).toEqual(['backup']);
  });

  it('Azure DevOps: `instancesMatrix` is the object strategy: matrix expects, and its variables are the task’s inputs', async () => {
    const subscriptionId = freshSubscription();
    const { prodA, prodB } = estate(subscriptionId);
    const run = await azureDevOps({
      operation: 'discover',
      subscriptionId,
      resourceGroupName: '',
      serviceName: 'apim-*',
      instanceTags: 'env=prod',
    });
    expectSuccess(run);
    const matrix = JSON.parse(run.outputs.instancesMatrix) as Record<string, Record<string, string>>;
    expect(Object.keys(matrix)).toEqual(['apim_orders_prod', 'apim_payments_prod']);
    // Azure Pipelines job names: letters, digits and underscores, starting with a letter.
    for (const name of Object.keys(matrix)) expect(name).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
    expect(matrix.apim_payments_prod).toEqual({
      serviceName: prodA.name,
      resourceGroupName: 'rg-payments',
      subscriptionId,
      tier: 'Developer',
      location: 'West Europe',
    });
    expect(JSON.parse(run.outputs.instances)).toEqual(Object.values(matrix));
    expect(run.outputs.instanceCount).toBe('2');

    // A matrix job: the variables, passed as the task's inputs ($(serviceName) and so on).
    const backup = await azureDevOps({ operation: 'backup', ...matrix.apim_orders_prod });
    expectSuccess(backup);
    expect(prodB.operations.map((operation) => operation.kind)).toEqual(['backup']);
  });

  it('GitHub: a matrix too large for an output sets none, fails naming how to split, and the file holds every instance', async () => {
    const subscriptionId = freshSubscription();
    const add = fleet(subscriptionId);
    const names = Array.from({ length: 260 }, (_, index) => `apim-many-${String(index).padStart(3, '0')}`);
    for (const name of names) add('rg-many', name);
    standIn.setListPageSize(1000);
    let run: BundleRun;
    try {
      run = await github({
        operation: 'discover',
        'subscription-id': subscriptionId,
        'resource-group': 'rg-many',
        'service-name': '',
        'storage-account': '',
        container: '',
        'storage-key': '',
        'blob-endpoint': '',
      });
    } finally {
      standIn.setListPageSize(2);
    }
    expect(run.result).toBe('Failed');
    expect(run.errorMessage).toContain('discover found 260 instances with backup');
    expect(run.errorMessage).toContain('over the 32 KiB an output may hold, so no matrix was set');
    expect(run.errorMessage).toContain('Split the fleet');
    expect(run.outputs).not.toHaveProperty('instances');
    const file = run.outputs['instances-file'];
    const listed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>[];
    expect(listed.map((entry) => entry['service-name'])).toEqual(names);
  });
});

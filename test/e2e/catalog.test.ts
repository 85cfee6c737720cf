/**
 * The backups in storage, through both bundles: provenance stamped after a backup, list, verify, prune, restore
 * `latest` and the restore guards, against the ARM stand-in and a real Azurite (https, `--oauth basic`) behind the
 * storage proxy that adds Azure Storage's roles and firewall. The step reads storage with the storage key (Shared
 * Key) or with the signed-in app's token.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { backupBlobContent, listBlobsWithMetadata, SeedBlob, seedBlobs } from '../stand-in';
import {
  CLIENT_ID,
  requestsFor,
  RESOURCE_GROUP,
  STORAGE_ACCOUNT,
  SUBSCRIPTION_ID,
  useLocalAzure,
  useStorageProxy,
} from './fixtures';
import { BundleRun, visibleOutput } from './harness';

const DAY = 86_400_000;
const DEVELOPER = 'apim-cat';
const STANDARD = 'apim-cat-std';

const standIn = useLocalAzure();
const proxy = useStorageProxy(standIn);
let containerNumber = 0;

beforeAll(() => {
  for (const [name, sku] of [
    [DEVELOPER, 'Developer'],
    [STANDARD, 'Standard'],
    ['apim-standby', 'Developer'],
  ]) {
    standIn.addService({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: RESOURCE_GROUP, name, sku });
  }
});

beforeEach(() => {
  proxy.setRole('contributor');
  proxy.setFirewall(false);
});

/** A fresh container per test, so tests do not see each other's blobs. */
async function freshContainer(blobs: SeedBlob[] = []): Promise<{ name: string; client: ContainerClient }> {
  const name = `backups-${++containerNumber}`;
  const client = standIn.container(name);
  await seedBlobs(client, blobs);
  return { name, client };
}

const names = async (client: ContainerClient) => (await listBlobsWithMetadata(client)).map((b) => b.name);

const GITHUB_RUN_ENV = {
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'contoso/apim-config',
  GITHUB_SHA: '3f786850e387550fdab836ed7e6dc881de23001b',
};

/** A run on DEVELOPER signing in with a client secret, reading `container` with the key unless told otherwise. */
function github(container: string, extra: Record<string, string> = {}): Promise<BundleRun> {
  return standIn.runGitHub(
    { 'service-name': DEVELOPER, container, 'blob-endpoint': proxy.url, ...extra },
    { env: GITHUB_RUN_ENV },
  );
}

function azureDevOps(container: string, extra: Record<string, string> = {}): Promise<BundleRun> {
  return standIn.runAzureDevOps(
    { serviceName: DEVELOPER, containerName: container, blobEndpoint: proxy.url, ...extra },
    {
      env: {
        SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
        SYSTEM_TEAMPROJECT: 'Platform Team',
        BUILD_SOURCEVERSION: 'b1946ac92492d2347c6235b4d2611184a2a3e7c1',
      },
    },
  );
}

function expectSuccess(run: BundleRun): void {
  if (run.exitCode !== 0) throw new Error(`expected success, got: ${run.errorMessage}\n${run.all}`);
  expect(run.result).toBe('Succeeded');
}

function expectFailure(run: BundleRun): void {
  expect(run.exitCode).not.toBe(0);
  expect(run.result).toBe('Failed');
}

const daysAgo = (days: number) => new Date(Date.now() - days * DAY);

/** One backup blob of the instance, stamped as the step stamps them. */
function stamped(name: string, created: Date, extra: Partial<SeedBlob> & { sku?: string } = {}): SeedBlob {
  return {
    name,
    content:
      extra.content ??
      backupBlobContent({ service: DEVELOPER, sku: extra.sku ?? 'Developer', createdAt: created }),
    metadata: {
      apimservice: DEVELOPER,
      apimsku: extra.sku ?? 'Developer',
      apimcreated: created.toISOString(),
      ...extra.metadata,
    },
  };
}

const restoresOf = (service: string) =>
  requestsFor(standIn, service).starts.filter((request) => request.path.endsWith('/restore'));

describe('provenance: a backup is stamped with where it came from', () => {
  it('GitHub: instance, tier, location, time, run and commit; list then sees it and restore latest restores it', async () => {
    const { name: container, client } = await freshContainer();
    const before = Date.now();
    const backup = await github(container, { operation: 'backup' });
    expectSuccess(backup);

    const [blob] = await listBlobsWithMetadata(client);
    expect(blob.name).toBe(backup.outputs['backup-name']);
    expect(blob.metadata).toMatchObject({
      apimservice: DEVELOPER,
      apimresourcegroup: RESOURCE_GROUP,
      apimsubscription: SUBSCRIPTION_ID,
      apimsku: 'Developer',
      apimlocation: 'West Europe',
      apimrun: 'https://github.com/contoso/apim-config/actions/runs/4242',
      apimcommit: GITHUB_RUN_ENV.GITHUB_SHA,
    });
    const created = Date.parse(blob.metadata.apimcreated);
    expect(created).toBeGreaterThanOrEqual(before - 1000);
    expect(created).toBeLessThanOrEqual(Date.now());
    expect(backup.outputs['backup-url']).toBe(`${proxy.url}/${container}/${blob.name}`);

    const list = await github(container, { operation: 'list' });
    expectSuccess(list);
    expect(JSON.parse(list.outputs.backups)).toEqual([
      expect.objectContaining({ name: blob.name, sku: 'Developer', service: DEVELOPER, expired: false }),
    ]);

    const restoresBefore = restoresOf(DEVELOPER).length;
    const restore = await github(container, { operation: 'restore', 'backup-name': 'latest' });
    expectSuccess(restore);
    expect(restore.outputs['backup-name']).toBe(blob.name);
    const restores = restoresOf(DEVELOPER);
    expect(restores).toHaveLength(restoresBefore + 1);
    expect(JSON.parse(restores[restores.length - 1].body)).toMatchObject({ backupName: blob.name });
  });

  it('Azure DevOps: the run is the build results page, the commit Build.SourceVersion', async () => {
    const { name: container, client } = await freshContainer();
    expectSuccess(await azureDevOps(container, { operation: 'backup' }));
    const [blob] = await listBlobsWithMetadata(client);
    expect(blob.metadata).toMatchObject({
      apimservice: DEVELOPER,
      apimsku: 'Developer',
      apimrun: 'https://dev.azure.com/contoso/Platform%20Team/_build/results?buildId=777',
      apimcommit: 'b1946ac92492d2347c6235b4d2611184a2a3e7c1',
    });
  });

  it('when the identity may not write metadata, the backup still succeeds, with one warning naming the role', async () => {
    const { name: container, client } = await freshContainer();
    proxy.setRole('reader');
    const run = await github(container, { operation: 'backup', 'storage-key': '' });
    expectSuccess(run);
    const warnings = run.stdout.split('\n').filter((line) => line.startsWith('::warning::'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('could not stamp its provenance metadata');
    expect(warnings[0]).toContain('restore latest will know it only by its name');
    expect(warnings[0]).toContain(`Grant app '${CLIENT_ID}' 'Storage Blob Data Contributor'`);
    const [blob] = await listBlobsWithMetadata(client);
    expect(blob.metadata).toEqual({});
  });

  it('unstamped, a name with no date, time or run number after the instance name is passed over, and the warning says so', async () => {
    const { name: container } = await freshContainer();
    proxy.setRole('reader');
    const run = await github(container, {
      operation: 'backup',
      'storage-key': '',
      'backup-name': '{service}-nightly-{date}.apimbackup',
    });
    expectSuccess(run);
    const [warning] = run.stdout.split('\n').filter((line) => line.startsWith('::warning::'));
    expect(warning).toContain(
      `restore latest will pass it over: its name does not show it is a backup of '${DEVELOPER}'`,
    );
    const list = await github(container, { operation: 'list' });
    expect(list.outputs['backup-count']).toBe('0');
    expect(list.stdout).toContain(`Passed over 1 unstamped blob whose name starts with '${DEVELOPER}'`);
  });
});

describe('list', () => {
  const created = (days: number) => daysAgo(days);
  const mixed: SeedBlob[] = [
    stamped('nightly/apim-cat-1.apimbackup', created(1)),
    stamped('custom-name.apimbackup', created(3)), // ours by metadata, whatever the name
    stamped('old.apimbackup', created(40)),
    { name: 'apim-cat-20240101-020000.apimbackup', content: 'by az' }, // another tool's, by name
    { name: 'apim-cat/2024/a.apimbackup', content: 'by a script' },
    // Unstamped, and letters after the name: may be another instance's, so shown apart and never counted.
    { name: 'apim-cat_weekly.APIMBACKUP', content: 'by PowerShell' },
    { name: 'apim-catalog-1.apimbackup', content: 'another instance whose name starts alike' },
    { name: 'apim-cat-notes.txt', content: 'not a backup' },
    stamped('apim-cat-other.apimbackup', created(1), { metadata: { apimservice: 'apim-other' } }),
  ];

  it('GitHub: only the backups of the instance, newest first, as outputs and a summary table, without signing in', async () => {
    const { name: container } = await freshContainer(mixed);
    const requestsBefore = standIn.requests.length;
    const run = await github(container, {
      operation: 'list',
      'client-secret': '',
      'tenant-id': '',
      'client-id': '',
      'resource-group': '',
    });
    expectSuccess(run);
    // With the storage key, list needs no Azure sign-in: nothing reached Entra ID or Resource Manager.
    expect(standIn.requests.length).toBe(requestsBefore);

    const backups = JSON.parse(run.outputs.backups) as { name: string; expired: boolean }[];
    expect(run.outputs['backup-count']).toBe(String(backups.length));
    // Other tools' backups have no apimcreated: their age is the blob's creation time (just now).
    expect(backups.map((b) => b.name).sort()).toEqual(
      [
        'nightly/apim-cat-1.apimbackup',
        'custom-name.apimbackup',
        'old.apimbackup',
        'apim-cat-20240101-020000.apimbackup',
        'apim-cat/2024/a.apimbackup',
      ].sort(),
    );
    expect(backups.slice(-3).map((b) => b.name)).toEqual([
      'nightly/apim-cat-1.apimbackup',
      'custom-name.apimbackup',
      'old.apimbackup',
    ]);
    expect(backups.find((b) => b.name === 'old.apimbackup')?.expired).toBe(true);
    expect(run.summary).toContain('| Backup | Age | Expires in | Size | Tier | Made by |');
    expect(run.summary).toContain('`custom-name.apimbackup`');
    expect(run.summary).not.toContain('apim-catalog-1');
    expect(run.stdout).toContain('Found 5 backups of');
    expect(run.stdout).toContain(
      "Passed over 1 unstamped blob whose name starts with 'apim-cat' but goes on with no date, time or run number",
    );
    expect(run.summary).toMatch(
      /Not counted: 1 unstamped blob\(s\) starting with `apim-cat`[^\n]*\n\n\| Blob \|\n\| --- \|\n\| `apim-cat_weekly.APIMBACKUP` \|/,
    );
  });

  it('Azure DevOps: the same backups, with source-service-name naming whose', async () => {
    const { name: container } = await freshContainer(mixed);
    const run = await azureDevOps(container, {
      operation: 'list',
      serviceName: 'apim-standby',
      sourceServiceName: DEVELOPER,
    });
    expectSuccess(run);
    expect(run.outputs.backupCount).toBe('5');
    expect((JSON.parse(run.outputs.backups) as { name: string }[])[4].name).toBe('old.apimbackup');
    expect(run.stdout).toContain("Passed over 1 unstamped blob whose name starts with 'apim-cat'");
  });

  it('reads storage with the signed-in app’s token when no key is given', async () => {
    const { name: container } = await freshContainer([stamped('a.apimbackup', created(1))]);
    proxy.reset();
    const run = await github(container, { operation: 'list', 'storage-key': '' });
    expectSuccess(run);
    expect(run.outputs['backup-count']).toBe('1');
    expect(proxy.requests.every((request) => request.auth === 'bearer')).toBe(true);
  });

  it('a refused identity: the account, the identity and the missing role, and the firewall hint', async () => {
    const { name: container } = await freshContainer([stamped('a.apimbackup', created(1))]);
    proxy.setRole('none');
    const run = await github(container, { operation: 'list', 'storage-key': '' });
    expectFailure(run);
    expect(run.errorMessage).toContain(`storage account '${STORAGE_ACCOUNT}'`);
    expect(run.errorMessage).toContain('AuthorizationPermissionMismatch');
    expect(run.errorMessage).toContain(`Grant app '${CLIENT_ID}' 'Storage Blob Data Reader'`);
    expect(run.errorMessage).toContain('firewall');
  });

  it('a storage firewall: says so', async () => {
    const { name: container } = await freshContainer();
    proxy.setFirewall(true);
    const run = await github(container, { operation: 'list' });
    expectFailure(run);
    expect(run.errorMessage).toContain('AuthorizationFailure');
    expect(run.errorMessage).toContain(
      "The account refuses this network: If the account has a firewall, allow this runner's network",
    );
  });

  it('a storage that does not answer: the step ends at the timeout, saying it was listing the backups', async () => {
    const { name: container } = await freshContainer();
    proxy.setLatency(30_000);
    try {
      const run = await github(container, { operation: 'list', timeout: '2s' });
      expectFailure(run);
      expect(run.errorMessage).toContain(
        `timed out after 2s while listing the backups in container '${container}'`,
      );
      expect(run.errorMessage).toContain('Nothing is running in Azure on its behalf');
      // Time is the promise here: within a second of the timeout.
      expect(run.elapsedMs).toBeLessThan(3000);
    } finally {
      proxy.setLatency(0);
    }
  });

  it('a missing container is named', async () => {
    const run = await github('no-such-container', { operation: 'list' });
    expectFailure(run);
    expect(run.errorMessage).toContain("Container 'no-such-container' does not exist");
  });
});

describe('verify, a release gate', () => {
  it('passes on a fresh backup of the instance’s tier, with its name, URL and age as outputs', async () => {
    const { name: container } = await freshContainer([
      stamped('fresh.apimbackup', daysAgo(0.5)),
      stamped('older.apimbackup', daysAgo(2)),
    ]);
    const run = await github(container, { operation: 'verify', 'max-age': '1d' });
    expectSuccess(run);
    expect(run.outputs['backup-name']).toBe('fresh.apimbackup');
    expect(run.outputs['backup-url']).toBe(`${proxy.url}/${container}/fresh.apimbackup`);
    expect(Number(run.outputs['backup-age-seconds'])).toBeGreaterThanOrEqual(43_200);
    expect(Number(run.outputs['backup-age-seconds'])).toBeLessThan(43_260);
    expect(run.stdout).toContain('Verified: the newest backup');
  });

  it.each([
    [
      'too old for max-age',
      [stamped('stale.apimbackup', daysAgo(2))],
      '24h',
      /'stale.apimbackup'.*is older than max-age 1d/,
    ],
    [
      'empty',
      [stamped('empty.apimbackup', daysAgo(0.1), { content: '' })],
      '24h',
      /'empty.apimbackup' is empty/,
    ],
    [
      'of another tier',
      [stamped('std.apimbackup', daysAgo(0.1), { sku: 'Standard' })],
      '24h',
      /'std.apimbackup' was taken from a Standard instance, and the instance is Developer/,
    ],
    ['missing', [], '24h', /there is no backup of 'apim-cat'/],
  ])('fails when the newest backup is %s, naming it', async (_case, blobs, maxAge, says) => {
    const { name: container } = await freshContainer(blobs);
    const run = await github(container, { operation: 'verify', 'max-age': maxAge });
    expectFailure(run);
    expect(run.errorMessage).toMatch(says);
  });

  it('Azure DevOps: a failing gate fails the task, naming the task input', async () => {
    const { name: container } = await freshContainer([stamped('stale.apimbackup', daysAgo(8))]);
    const run = await azureDevOps(container, { operation: 'verify', maxAge: '7d' });
    expectFailure(run);
    expect(run.errorMessage).toContain('is older than maxAge 7d');
    expect(run.errorMessage).not.toContain('max-age');
    expect(run.outputs.backupName).toBe('stale.apimbackup');
  });
});

describe('prune', () => {
  /** 8 backups of the instance, 1 to 50 days old, a leased old one, and old blobs that are not its backups. */
  async function pruneContainer() {
    const ours = [1, 5, 20, 29, 31, 40, 45, 50].map((days) =>
      stamped(`apim-cat-${days}d.apimbackup`, daysAgo(days)),
    );
    const foreign: SeedBlob[] = [
      { name: 'readme.txt', content: 'not a backup' },
      stamped('apim-other-old.apimbackup', daysAgo(90), { metadata: { apimservice: 'apim-other' } }),
      { name: 'apim-catalog-old.apimbackup', content: 'another instance' },
    ];
    const leased = stamped('apim-cat-leased.apimbackup', daysAgo(60));
    const container = await freshContainer([...ours, ...foreign, leased]);
    await container.client.getBlobClient(leased.name).getBlobLeaseClient().acquireLease(-1);
    return container;
  }

  it('deletes backups older than retention-days, keeps the newest keep-last and skips a leased one, concurrently', async () => {
    const { name: container, client } = await pruneContainer();
    proxy.reset();
    proxy.setLatency(300); // as real storage has: deletions sent one after another would not overlap
    const run = await github(container, { operation: 'prune', 'retention-days': '30', 'keep-last': '2' });
    proxy.setLatency(0);
    expectSuccess(run);
    const deleted = ['apim-cat-31d', 'apim-cat-40d', 'apim-cat-45d', 'apim-cat-50d'].map(
      (n) => `${n}.apimbackup`,
    );
    expect((JSON.parse(run.outputs.deleted) as string[]).sort()).toEqual(deleted.sort());
    expect(run.outputs['deleted-count']).toBe('4');
    expect(run.outputs['kept-count']).toBe('5');
    expect(await names(client)).toEqual(
      [
        'apim-cat-1d.apimbackup',
        'apim-cat-20d.apimbackup',
        'apim-cat-29d.apimbackup',
        'apim-cat-5d.apimbackup',
        'apim-cat-leased.apimbackup',
        'apim-catalog-old.apimbackup',
        'apim-other-old.apimbackup',
        'readme.txt',
      ].sort(),
    );
    for (const name of deleted) expect(run.stdout).toContain(`Deleted '${name}'`);
    expect(run.stdout).toContain("::warning::Skipped 'apim-cat-leased.apimbackup': it is leased");
    const deletes = proxy.requests.filter((request) => request.method === 'DELETE');
    expect(deletes).toHaveLength(4);
    // Sent together, not one after another: every deletion started before the first one was answered.
    const firstAnswered = Math.min(...deletes.map((request) => request.end ?? Infinity));
    expect(deletes.every((request) => request.start <= firstAnswered)).toBe(true);
  });

  it('never deletes the newest keep-last, however old', async () => {
    const { name: container, client } = await freshContainer([
      stamped('apim-cat-a.apimbackup', daysAgo(100)),
      stamped('apim-cat-b.apimbackup', daysAgo(200)),
    ]);
    const run = await azureDevOps(container, { operation: 'prune', retentionDays: '30' });
    expectSuccess(run);
    expect(run.outputs.deleted).toBe('["apim-cat-b.apimbackup"]');
    expect(await names(client)).toEqual(['apim-cat-a.apimbackup']);
  });

  it('dry-run reports what would be deleted and deletes nothing', async () => {
    const { name: container, client } = await pruneContainer();
    const before = await names(client);
    proxy.reset();
    const run = await github(container, { operation: 'prune', 'keep-last': '2', 'dry-run': 'true' });
    expectSuccess(run);
    expect(run.outputs['deleted-count']).toBe('4');
    expect(run.stdout).toContain("Would delete 'apim-cat-50d.apimbackup'");
    expect(await names(client)).toEqual(before);
    expect(proxy.requests.filter((request) => request.method !== 'GET')).toEqual([]);
  });

  it('an identity that may only read: each deletion is reported and the step fails after all were tried', async () => {
    const { name: container, client } = await pruneContainer();
    const before = await names(client);
    proxy.setRole('reader');
    proxy.reset();
    const run = await github(container, { operation: 'prune', 'storage-key': '' });
    expectFailure(run);
    expect(run.errorMessage).toContain('Could not delete 4 of 4 backup(s)');
    expect(run.errorMessage).toContain("'Storage Blob Data Contributor'");
    expect(proxy.requests.filter((request) => request.method === 'DELETE')).toHaveLength(4);
    expect(await names(client)).toEqual(before);
  });
});

describe('restore guards: a backup Azure would refuse fails in seconds, and no restore is started', () => {
  it.each([
    ['does not exist', [], 'nope.apimbackup', /Backup 'nope.apimbackup' does not exist in container/],
    [
      'has expired',
      [stamped('old.apimbackup', daysAgo(40))],
      'old.apimbackup',
      /'old.apimbackup' has expired: it was taken 40d/,
    ],
    ['is empty', [stamped('empty.apimbackup', daysAgo(1), { content: '' })], 'empty.apimbackup', /is empty/],
    [
      'is of another tier',
      [stamped('std.apimbackup', daysAgo(1), { sku: 'Standard' })],
      'std.apimbackup',
      /taken from a Standard instance, and the instance is Developer/,
    ],
  ])('a named backup that %s', async (_case, blobs, backupName, says) => {
    const { name: container } = await freshContainer(blobs);
    const before = restoresOf(DEVELOPER).length;
    const run = await github(container, { operation: 'restore', 'backup-name': backupName });
    expectFailure(run);
    expect(run.errorMessage).toMatch(says);
    expect(run.errorMessage).toMatch(/nothing was restored/i);
    expect(restoresOf(DEVELOPER)).toHaveLength(before);
  });

  it('latest picks the newest backup that has not expired, of the source instance, and says why', async () => {
    const primary = (name: string, days: number) =>
      stamped(name, daysAgo(days), { metadata: { apimservice: 'apim-primary' } });
    const { name: container } = await freshContainer([
      primary('p-new.apimbackup', 2),
      primary('p-old.apimbackup', 35),
      primary('p-older.apimbackup', 45),
      stamped('standby-own.apimbackup', daysAgo(0.1), { metadata: { apimservice: 'apim-standby' } }),
    ]);
    const run = await azureDevOps(container, {
      operation: 'restore',
      serviceName: 'apim-standby',
      sourceServiceName: 'apim-primary',
      backupName: 'latest',
    });
    expectSuccess(run);
    expect(run.outputs.backupName).toBe('p-new.apimbackup');
    expect(Number(run.outputs.backupAgeSeconds)).toBeGreaterThanOrEqual(2 * 86_400);
    expect(run.stdout).toMatch(
      /latest: restoring 'p-new.apimbackup' \(taken 2d.*the newest backup of 'apim-primary'.*of 3; 2 expired one\(s\) skipped\)/,
    );
    const [restore] = restoresOf('apim-standby');
    expect(JSON.parse(restore.body)).toMatchObject({ backupName: 'p-new.apimbackup' });
  });

  it('latest fails clearly when every backup has expired, and starts nothing', async () => {
    const { name: container } = await freshContainer([stamped('old.apimbackup', daysAgo(31))]);
    const before = restoresOf(DEVELOPER).length;
    const run = await github(container, { operation: 'restore', 'backup-name': 'latest' });
    expectFailure(run);
    expect(run.errorMessage).toContain("No usable backup of 'apim-cat'");
    expect(run.errorMessage).toContain('all 1 have expired');
    expect(restoresOf(DEVELOPER)).toHaveLength(before);
  });

  it('latest refuses a newest backup of another tier', async () => {
    const { name: container } = await freshContainer([stamped('dev.apimbackup', daysAgo(1))]);
    const run = await github(container, {
      operation: 'restore',
      'backup-name': 'latest',
      'service-name': STANDARD,
      'source-service-name': DEVELOPER,
    });
    expectFailure(run);
    expect(run.errorMessage).toContain('taken from a Developer instance, and the instance is Standard');
    expect(restoresOf(STANDARD)).toHaveLength(0);
  });

  it('a named restore goes on, with one warning, when the storage refuses the step (only the instance may pass its firewall)', async () => {
    const { name: container } = await freshContainer();
    const backup = await github(container, { operation: 'backup' });
    expectSuccess(backup);
    proxy.setFirewall(true);
    const run = await github(container, {
      operation: 'restore',
      'backup-name': backup.outputs['backup-name'],
    });
    expectSuccess(run);
    const warnings = run.stdout.split('\n').filter((line) => line.startsWith('::warning::'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('The step could not read the storage, so it skipped the checks on backup');
    expect(warnings[0]).toContain('and the provenance stamp of the safety backup');
    expect(warnings[0]).toContain('AuthorizationFailure');
    expect(visibleOutput(run)).toContain('Restore succeeded');
  });
});

describe('bad catalog inputs', () => {
  it.each([
    [
      'prune',
      { 'keep-last': '0', 'retention-days': '-1', 'dry-run': 'maybe', 'blob-endpoint': 'ftp://127.0.0.1/x' },
      ['keep-last', 'retention-days', 'dry-run', 'blob-endpoint'],
    ],
    ['verify', { 'max-age': 'soon', 'source-service-name': 'bad_name' }, ['max-age', 'source-service-name']],
    ['backup', { 'backup-name': 'latest' }, ['backup-name']],
  ])(
    '%s: every problem is listed together and nothing is sent anywhere',
    async (operation, inputs, named) => {
      const requestsBefore = standIn.requests.length;
      proxy.reset();
      const run = await github('backups-unused', { operation, ...inputs });
      expectFailure(run);
      expect(run.errorMessage).toContain('The inputs are not valid; nothing was sent to Azure');
      for (const name of named) expect(run.errorMessage).toMatch(new RegExp(`^  - ${name} `, 'm'));
      expect(standIn.requests.length).toBe(requestsBefore);
      expect(proxy.requests).toEqual([]);
    },
  );
});

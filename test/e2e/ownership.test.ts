/**
 * A primary and the standby named after it share one container: `apim-prod` and `apim-prod-dr`, each with stamped
 * and unstamped backups, old and new, the standby's unstamped one the newest of all (as in issue 12, left by
 * another tool). Through both bundles, `restore` with `backup-name: latest`, `verify` and `prune` for `apim-prod`
 * never use or delete the standby's, and the log says how many blobs were passed over and why.
 *
 * Unstamped blobs get their age from their creation time: the storage proxy backdates them (Azurite cannot).
 */
import type { ContainerClient } from '@azure/storage-blob';
import {
  backupBlobContent,
  backupBlobName,
  listBlobsWithMetadata,
  SeedBlob,
  seedBlobs,
  ServiceState,
} from '../stand-in';
import { requestsFor, RESOURCE_GROUP, SUBSCRIPTION_ID, useLocalAzure, useStorageProxy } from './fixtures';
import { BundleRun } from './harness';

const PROD = 'apim-prod';
const DR = 'apim-prod-dr';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const azure = useLocalAzure();
const proxy = useStorageProxy(azure);
let prodInstance: ServiceState;
let containerNumber = 0;

beforeAll(() => {
  const instance = (name: string) =>
    azure.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name,
      sku: 'Developer',
    });
  prodInstance = instance(PROD);
  instance(DR);
});

const ago = (ms: number) => new Date(Math.floor((Date.now() - ms) / 1000) * 1000);

/** A backup as the step stamps it. */
function stamped(service: string, at: Date): SeedBlob {
  return {
    name: backupBlobName(service, at),
    content: backupBlobContent({ service, sku: 'Developer', createdAt: at }),
    metadata: {
      apimservice: service,
      apimresourcegroup: RESOURCE_GROUP,
      apimsubscription: SUBSCRIPTION_ID,
      apimsku: 'Developer',
      apimcreated: at.toISOString(),
    },
  };
}

/** A backup another tool made at `at`: no metadata at all; its age is the blob's creation time. */
interface Unstamped extends SeedBlob {
  at?: Date;
}
function unstamped(service: string, name: string, at?: Date): Unstamped {
  return { name, at, content: backupBlobContent({ service, sku: 'Developer', createdAt: at ?? new Date() }) };
}

/** `{service}-yyyyMMdd-HHmm`, as the example `apim-prod-dr-20261201-0200.apimbackup`. */
const minuteName = (service: string, at: Date) =>
  `${service}-${at.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-')}.apimbackup`;

/** The two instances' backups, and which are whose. */
function sideBySide() {
  const prod = {
    newest: unstamped(PROD, `${PROD}/${ago(DAY).toISOString().slice(0, 10)}.apimbackup`, ago(DAY)),
    stamped: stamped(PROD, ago(3 * DAY)),
    oldStamped: stamped(PROD, ago(40 * DAY)),
    oldUnstamped: unstamped(PROD, backupBlobName(PROD, ago(50 * DAY)), ago(50 * DAY)),
  };
  const dr = {
    // The newest blob of all, unstamped: the old rule (name, then '-') took it for apim-prod's.
    newest: unstamped(DR, minuteName(DR, ago(0)), undefined),
    stamped: stamped(DR, ago(2 * HOUR)),
    oldStamped: stamped(DR, ago(40 * DAY)),
    oldUnstamped: unstamped(DR, minuteName(DR, ago(45 * DAY)), ago(45 * DAY)),
    oldInFolder: unstamped(
      DR,
      `${DR}/${ago(60 * DAY)
        .toISOString()
        .slice(0, 10)}.apimbackup`,
      ago(60 * DAY),
    ),
  };
  return { prod, dr, drNames: Object.values(dr).map((blob) => blob.name) };
}

/** A fresh container with both instances' backups, unstamped ones backdated to when they were made. */
async function sharedContainer() {
  const { prod, dr, drNames } = sideBySide();
  const name = `shared-${++containerNumber}`;
  const client = azure.container(name);
  const blobs: Unstamped[] = [...Object.values(prod), ...Object.values(dr)];
  await seedBlobs(client, blobs);
  for (const blob of blobs) if (blob.at) proxy.backdate(name, blob.name, blob.at);
  return { name, client, prod, dr, drNames };
}

const names = async (client: ContainerClient) => (await listBlobsWithMetadata(client)).map((b) => b.name);

const PASSED_OVER = `Passed over 3 unstamped blobs whose name starts with '${PROD}' but goes on with no date, time or run number`;

function github(container: string, inputs: Record<string, string>): Promise<BundleRun> {
  return azure.runGitHub({
    'service-name': PROD,
    container,
    'blob-endpoint': proxy.url,
    'safety-backup': 'false',
    ...inputs,
  });
}

function azureDevOps(container: string, inputs: Record<string, string>): Promise<BundleRun> {
  return azure.runAzureDevOps({
    serviceName: PROD,
    containerName: container,
    blobEndpoint: proxy.url,
    safetyBackup: 'false',
    ...inputs,
  });
}

function expectSuccess(run: BundleRun): void {
  if (run.exitCode !== 0) throw new Error(`expected success, got: ${run.errorMessage}\n${run.all}`);
  expect(run.result).toBe('Succeeded');
}

const restoresOf = (service: string) =>
  requestsFor(azure, service).starts.filter((request) => request.path.endsWith('/restore'));

/** Each platform's bundle, and its names of the inputs and outputs used here. */
const PLATFORMS = [
  {
    platform: 'GitHub',
    run: github,
    names: { backupName: 'backup-name', maxAge: 'max-age', retentionDays: 'retention-days' },
  },
  {
    platform: 'Azure DevOps',
    run: azureDevOps,
    names: { backupName: 'backupName', maxAge: 'maxAge', retentionDays: 'retentionDays' },
  },
];

describe.each(PLATFORMS)('$platform: apim-prod and apim-prod-dr side by side', ({ run, names: input }) => {
  it("restore latest restores apim-prod's newest backup, not the standby's newer unstamped one", async () => {
    const { name, prod } = await sharedContainer();
    const before = restoresOf(PROD).length;
    prodInstance.restoredFrom = undefined;
    const restore = await run(name, { operation: 'restore', [input.backupName]: 'latest' });
    expectSuccess(restore);
    expect(restore.outputs[input.backupName]).toBe(prod.newest.name);
    const restores = restoresOf(PROD);
    expect(restores).toHaveLength(before + 1);
    expect(JSON.parse(restores[restores.length - 1].body)).toMatchObject({ backupName: prod.newest.name });
    expect(prodInstance.restoredFrom).toBe(PROD);
    expect(restore.stdout).toContain(PASSED_OVER);
    expect(restore.stdout).toContain(`of 4; 2 expired one(s) skipped`);
    expect(restoresOf(DR)).toHaveLength(0);
  });

  it("verify judges apim-prod's newest backup, not the standby's fresher one", async () => {
    const { name, prod } = await sharedContainer();
    // apim-prod's newest is a day old: a 12h gate must fail, however fresh the standby's backups are.
    const gate = await run(name, { operation: 'verify', [input.maxAge]: '12h' });
    expect(gate.result).toBe('Failed');
    expect(gate.errorMessage).toContain(`the newest backup '${prod.newest.name}' (taken 1d ago`);
    expect(gate.errorMessage).toContain(`is older than ${input.maxAge} 12h`);
    expect(gate.outputs[input.backupName]).toBe(prod.newest.name);
    expect(gate.stdout).toContain(PASSED_OVER);

    const pass = await run(name, { operation: 'verify', [input.maxAge]: '2d' });
    expectSuccess(pass);
    expect(pass.outputs[input.backupName]).toBe(prod.newest.name);
  });

  it("prune deletes apim-prod's old backups and leaves every one of the standby's", async () => {
    const { name, client, prod, drNames } = await sharedContainer();
    const prune = await run(name, { operation: 'prune', [input.retentionDays]: '30' });
    expectSuccess(prune);
    const deleted = [prod.oldStamped.name, prod.oldUnstamped.name].sort();
    expect((JSON.parse(prune.outputs.deleted) as string[]).sort()).toEqual(deleted);
    expect(await names(client)).toEqual(
      [prod.newest.name, prod.stamped.name, ...drNames].sort((a, b) => (a < b ? -1 : 1)),
    );
    expect(prune.stdout).toContain(PASSED_OVER);
    expect(prune.stdout).toContain(`Deleted 2 of 4 backups of '${PROD}'`);
  });
});

describe('only the standby’s backups in the container', () => {
  it('latest and verify for apim-prod find none, start nothing, and say what they passed over', async () => {
    const { name, client, prod } = await sharedContainer();
    await Promise.all(Object.values(prod).map((blob) => client.deleteBlob(blob.name)));
    const note = "(3 unstamped blobs starting with 'apim-prod' were passed over: see the log)";

    const before = restoresOf(PROD).length;
    const restore = await azureDevOps(name, { operation: 'restore', backupName: 'latest' });
    expect(restore.result).toBe('Failed');
    expect(restore.errorMessage).toContain(`No usable backup of '${PROD}'`);
    expect(restore.errorMessage).toContain(`there is none ${note}`);
    expect(restore.stdout).toContain(PASSED_OVER);
    expect(restoresOf(PROD)).toHaveLength(before);

    const gate = await github(name, { operation: 'verify', 'max-age': '1d' });
    expect(gate.result).toBe('Failed');
    expect(gate.errorMessage).toContain(`there is no backup of '${PROD}'`);
    expect(gate.errorMessage).toContain(note);
  });
});

describe('list', () => {
  it("GitHub: apim-prod's four backups, and the standby's unstamped ones apart, not counted", async () => {
    const { name, prod, dr } = await sharedContainer();
    const list = await github(name, { operation: 'list' });
    expectSuccess(list);
    const listed = (JSON.parse(list.outputs.backups) as { name: string }[]).map((backup) => backup.name);
    expect(listed).toEqual([
      prod.newest.name,
      prod.stamped.name,
      prod.oldStamped.name,
      prod.oldUnstamped.name,
    ]);
    expect(list.stdout).toContain(PASSED_OVER);
    const apart = [dr.newest.name, dr.oldUnstamped.name, dr.oldInFolder.name];
    for (const blob of apart) expect(list.stdout).toContain(`'${blob}'`);
    expect(list.summary).toContain('Not counted: 3 unstamped blob(s) starting with `apim-prod`');
    for (const blob of apart) expect(list.summary).toContain(`| \`${blob}\` |`);
    // The standby's stamped backups are simply someone else's: neither counted nor shown apart.
    expect(list.summary).not.toContain(dr.stamped.name);
  });

  it("Azure DevOps: apim-prod's list leaves the standby's out; the standby's holds all five of its own", async () => {
    const { name, prod, dr } = await sharedContainer();
    const listed = (run: BundleRun) =>
      (JSON.parse(run.outputs.backups) as { name: string }[]).map((backup) => backup.name);
    const prodList = await azureDevOps(name, { operation: 'list' });
    expectSuccess(prodList);
    expect(listed(prodList)).toEqual([
      prod.newest.name,
      prod.stamped.name,
      prod.oldStamped.name,
      prod.oldUnstamped.name,
    ]);
    expect(prodList.stdout).toContain(PASSED_OVER);

    // Their names prove the standby's unstamped backups its own: a digit follows its name.
    const drList = await azureDevOps(name, { operation: 'list', serviceName: DR });
    expectSuccess(drList);
    expect(listed(drList)).toEqual([
      dr.newest.name,
      dr.stamped.name,
      dr.oldStamped.name,
      dr.oldUnstamped.name,
      dr.oldInFolder.name,
    ]);
    expect(drList.stdout).not.toContain('Passed over');
  });
});

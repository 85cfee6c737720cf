/**
 * copy, and the safety backup before every restore, through both bundles against the ARM stand-in (instances of
 * different tiers; a backup of one restores into another) with Azurite holding the backups.
 */
import { listBlobsWithMetadata, ServiceState } from '../stand-in';
import { CONTAINER, RESOURCE_GROUP, SUBSCRIPTION_ID, useLocalAzure } from './fixtures';
import { BundleRun } from './harness';

const standIn = useLocalAzure();
let serviceNumber = 0;

/** A fresh instance per test, so their operations do not mix. */
function instance(sku = 'Developer', behaviour: Partial<ServiceState['behaviour']> = {}): ServiceState {
  return standIn.addService({
    subscriptionId: SUBSCRIPTION_ID,
    resourceGroup: RESOURCE_GROUP,
    name: `apim-copy-${++serviceNumber}`,
    sku,
    ...behaviour,
  });
}

const github = (inputs: Record<string, string>) => standIn.runGitHub(inputs);
const azureDevOps = (inputs: Record<string, string>) => standIn.runAzureDevOps(inputs);

function expectSuccess(run: BundleRun): void {
  if (run.exitCode !== 0) throw new Error(`expected success, got: ${run.errorMessage}\n${run.stdout}`);
}

const posts = (service: ServiceState) =>
  service.operations.map((operation) => ({
    kind: operation.kind,
    backupName: operation.parameters.backupName,
  }));

async function metadataOf(blob: string): Promise<Record<string, string> | undefined> {
  return (await listBlobsWithMetadata(standIn.container(), blob)).find((listed) => listed.name === blob)
    ?.metadata;
}

describe('copy', () => {
  it('GitHub: backs up the source and the target at the same time, then restores the source’s backup into the target', async () => {
    // 3-second operations: run one after another, the copy would take 9 s.
    const source = instance('Developer', { operationMs: 3000 });
    const target = instance('Developer', { operationMs: 3000 });
    const run = await github({
      operation: 'copy',
      'service-name': target.name,
      'source-service-name': source.name,
    });
    expectSuccess(run);

    const backupName = run.outputs['backup-name'];
    const safetyName = run.outputs['safety-backup-name'];
    expect(backupName).toMatch(new RegExp(`^${source.name}-\\d{8}-\\d{6}\\.apimbackup$`));
    expect(safetyName).toMatch(new RegExp(`^${target.name}-pre-restore-\\d{8}-\\d{6}\\.apimbackup$`));
    expect(posts(source)).toEqual([{ kind: 'backup', backupName }]);
    expect(posts(target)).toEqual([
      { kind: 'backup', backupName: safetyName },
      { kind: 'restore', backupName },
    ]);
    // The two backups overlapped: each started before the other finished; the restore came after both.
    const [sourceBackup] = source.operations;
    const [safetyBackup, restore] = target.operations;
    expect(safetyBackup.startedAt).toBeLessThan(sourceBackup.finishedAt!);
    expect(sourceBackup.startedAt).toBeLessThan(safetyBackup.finishedAt!);
    expect(restore.startedAt).toBeGreaterThanOrEqual(
      Math.max(sourceBackup.finishedAt!, safetyBackup.finishedAt!),
    );
    expect(target.restoredFrom).toBe(source.name);

    expect(run.outputs['backup-url']).toBe(`${standIn.blobEndpoint}/${CONTAINER}/${backupName}`);
    expect(run.outputs['safety-backup-url']).toBe(`${standIn.blobEndpoint}/${CONTAINER}/${safetyName}`);
    expect(run.outputs['operation-url']).toBe(restore.url);
    // Each progress line says which instance it is about.
    expect(run.stdout).toContain(`Backup of '${source.name}' started`);
    expect(run.stdout).toContain(`Safety backup of '${target.name}' started`);
    expect(run.stdout).toContain(`Restore of '${target.name}' succeeded`);
    // Both new backups carry their provenance, so latest and prune see them.
    expect(await metadataOf(backupName)).toMatchObject({ apimservice: source.name, apimsku: 'Developer' });
    expect(await metadataOf(safetyName)).toMatchObject({ apimservice: target.name, apimsku: 'Developer' });
    expect(run.summary).toContain('A restore does not carry: custom-domain and CA certificates');
  });

  it('Azure DevOps, safetyBackup false: one backup and one restore, no safety outputs', async () => {
    const source = instance();
    const target = instance();
    const run = await azureDevOps({
      operation: 'copy',
      serviceName: target.name,
      sourceServiceName: source.name,
      safetyBackup: 'false',
    });
    expectSuccess(run);
    expect(posts(source)).toEqual([{ kind: 'backup', backupName: run.outputs.backupName }]);
    expect(posts(target)).toEqual([{ kind: 'restore', backupName: run.outputs.backupName }]);
    expect(run.outputs).not.toHaveProperty('safetyBackupName');
  });

  it('refuses instances of different tiers in seconds, naming both, and starts nothing', async () => {
    const source = instance('Developer');
    const target = instance('Standard');
    const run = await github({
      operation: 'copy',
      'service-name': target.name,
      'source-service-name': source.name,
    });
    expect(run.exitCode).toBe(1);
    expect(run.errorMessage).toContain(
      `Cannot copy '${source.name}' (Developer) into '${target.name}' (Standard): a backup restores only into an instance of the same tier. Nothing was started.`,
    );
    expect([...posts(source), ...posts(target)]).toEqual([]);
  });

  it('refuses a tier without backup before anything starts', async () => {
    const source = instance('Developer');
    const target = instance('Consumption');
    const run = await azureDevOps({
      operation: 'copy',
      serviceName: target.name,
      sourceServiceName: source.name,
    });
    expect(run.result).toBe('Failed');
    expect(run.errorMessage).toContain(`'${target.name}' is on the Consumption tier`);
    expect([...posts(source), ...posts(target)]).toEqual([]);
  });

  it('refuses the same instance as source and target, before any request', async () => {
    const target = instance();
    const before = standIn.requests.length;
    const run = await github({
      operation: 'copy',
      'service-name': target.name,
      'source-service-name': target.name,
    });
    expect(run.exitCode).toBe(1);
    expect(run.errorMessage).toContain('source-service-name names the target itself');
    expect(standIn.requests.length).toBe(before);
  });

  it('a failed source backup restores nothing, and says what the safety backup holds', async () => {
    const source = instance('Developer', {
      failure: { code: 'BackupFailed', message: 'Storage is not reachable.' },
    });
    const target = instance();
    const run = await github({
      operation: 'copy',
      'service-name': target.name,
      'source-service-name': source.name,
    });
    expect(run.exitCode).toBe(1);
    expect(run.errorMessage).toContain(
      `Backup of the source '${source.name}' failed: BackupFailed: Storage is not reachable.`,
    );
    expect(run.errorMessage).toContain(
      `Safety backup of '${target.name}' to '${run.outputs['safety-backup-name']}' finished`,
    );
    expect(run.errorMessage).toContain(`Nothing was restored: '${target.name}' is unchanged.`);
    expect(posts(target).map((post) => post.kind)).toEqual(['backup']);
  });

  it('on timeout, says what finished and what may still be running in Azure, with each operation URL', async () => {
    const source = instance('Developer');
    const target = instance('Developer', { neverFinishes: true });
    const run = await github({
      operation: 'copy',
      'service-name': target.name,
      'source-service-name': source.name,
      timeout: '6s',
    });
    expect(run.exitCode).toBe(1);
    const [safety] = target.operations;
    expect(run.errorMessage).toContain(`Copy of '${source.name}' into '${target.name}' timed out after 6s`);
    expect(run.errorMessage).toMatch(new RegExp(`Done:\\n  - Backup of '${source.name}' to '.*' finished`));
    expect(run.errorMessage).toContain(
      `May still be running in Azure (output operation-url has the last):\n  - Safety backup of '${target.name}': ${safety.url}`,
    );
    expect(run.errorMessage).toContain(
      `Nothing was restored: the safety backup of '${target.name}' did not finish`,
    );
    expect(run.outputs['operation-url']).toBe(safety.url);
    target.behaviour.neverFinishes = false;
  });
});

describe('the safety backup before a restore', () => {
  /** A backup of the instance to restore from, made by the step itself. */
  async function backupOf(service: ServiceState): Promise<string> {
    const run = await github({ operation: 'backup', 'service-name': service.name });
    expectSuccess(run);
    return run.outputs['backup-name'];
  }

  it('backs the target up before it is overwritten, by default', async () => {
    const target = instance();
    const backupName = await backupOf(target);
    const run = await github({
      operation: 'restore',
      'service-name': target.name,
      'backup-name': backupName,
    });
    expectSuccess(run);
    const safetyName = run.outputs['safety-backup-name'];
    expect(posts(target)).toEqual([
      { kind: 'backup', backupName },
      { kind: 'backup', backupName: safetyName },
      { kind: 'restore', backupName },
    ]);
    expect(run.stdout.indexOf(`Safety backup of '${target.name}' succeeded`)).toBeLessThan(
      run.stdout.indexOf('Restore started'),
    );
  });

  it('safety-backup: false restores at once', async () => {
    const target = instance();
    const backupName = await backupOf(target);
    const run = await azureDevOps({
      operation: 'restore',
      serviceName: target.name,
      backupName,
      safetyBackup: 'false',
    });
    expectSuccess(run);
    expect(posts(target).slice(1)).toEqual([{ kind: 'restore', backupName }]);
  });

  it('a failed safety backup stops the restore', async () => {
    const target = instance();
    const backupName = await backupOf(target);
    target.behaviour.failure = { code: 'BackupFailed', message: 'Disk full.', kind: 'backup' };
    const run = await github({
      operation: 'restore',
      'service-name': target.name,
      'backup-name': backupName,
    });
    expect(run.exitCode).toBe(1);
    expect(run.errorMessage).toContain('BackupFailed: Disk full.');
    expect(run.errorMessage).toContain(
      `Nothing was restored: the safety backup of '${target.name}' did not finish`,
    );
    expect(posts(target).map((post) => post.kind)).toEqual(['backup', 'backup']);
  });

  it.each([
    ['github', 'restore', "'operation: restore", 'service-name', 'backup-name', 'safety-backup: false'],
    ['azureDevOps', 'restore', "'operation: restore", 'serviceName', 'backupName', 'safetyBackup: false'],
  ] as const)(
    '%s: a failed restore names the safety backup and the exact inputs that put the target back',
    async (platform, _operation, _op, serviceInput, backupInput, safetyOff) => {
      const target = instance();
      const backupName = await backupOf(target);
      target.behaviour.failure = { code: 'RestoreFailed', message: 'Something broke.', kind: 'restore' };
      const run =
        platform === 'github'
          ? await github({ operation: 'restore', 'service-name': target.name, 'backup-name': backupName })
          : await azureDevOps({ operation: 'restore', serviceName: target.name, backupName });
      expect(run.result).toBe('Failed');
      const safetyName =
        platform === 'github' ? run.outputs['safety-backup-name'] : run.outputs.safetyBackupName;
      expect(run.errorMessage).toContain('RestoreFailed: Something broke.');
      expect(run.errorMessage).toContain(
        `The safety backup '${safetyName}' holds '${target.name}' as it was before. To put it back, run the step with these inputs`,
      );
      expect(run.errorMessage).toContain('    operation: restore\n');
      expect(run.errorMessage).toContain(`    ${serviceInput}: ${target.name}\n`);
      expect(run.errorMessage).toContain(`    ${backupInput}: ${safetyName}\n`);
      expect(run.errorMessage).toContain(`    ${safetyOff}`);

      // Those inputs work: the restore of the safety backup puts the target back.
      target.behaviour.failure = undefined;
      const back =
        platform === 'github'
          ? await github({
              operation: 'restore',
              'service-name': target.name,
              'backup-name': safetyName,
              'safety-backup': 'false',
            })
          : await azureDevOps({
              operation: 'restore',
              serviceName: target.name,
              backupName: safetyName,
              safetyBackup: 'false',
            });
      expectSuccess(back);
      expect(posts(target).at(-1)).toEqual({ kind: 'restore', backupName: safetyName });
    },
  );
});

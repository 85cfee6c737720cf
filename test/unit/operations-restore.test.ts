/**
 * restore, in-process: which backup `latest` picks (the newest provably the instance's, not expired), what it
 * refuses before anything starts, and the safety backup taken before the restore.
 */
import { FakeStep } from './fake-job';

/** A restore of apim-prod from the newest of its backups. */
function latestRestore(raw = {}) {
  return new FakeStep({ operation: 'restore', serviceName: 'apim-prod', backupName: 'latest', ...raw });
}

describe('restore latest', () => {
  it('restores the newest backup provably of the instance, passing over foreign, unproven and other blobs', async () => {
    const step = latestRestore();
    step.azure.catalog
      // Newer, but another instance's: its stamp says so, whatever the name.
      .putStamped('apim-prod-20240305-0100.apimbackup', 'apim-prod-dr', { ageDays: 0.05 })
      // Newer, unstamped, and its name may be apim-prod-dr's: unproven, never used.
      .put('apim-prod-dr.apimbackup', { ageDays: 0.1 })
      // Not a backup at all.
      .put('apim-prod-notes.txt', { ageDays: 0.01 })
      // The instance's: by its stamp (any name), and by a dated name (unstamped).
      .putStamped('nightly/contoso.apimbackup', 'apim-prod', { ageDays: 0.5 })
      .put('apim-prod-20240301.apimbackup', { ageDays: 3 });

    const { result, host } = await step.run();

    expect(result).toEqual({ succeeded: true });
    expect(host.warnings()).toEqual([]);
    expect(step.azure.actions).toEqual([
      expect.stringMatching(/^backup apim-prod to apim-prod-pre-restore-\d/),
      'restore apim-prod from nightly/contoso.apimbackup',
    ]);
    expect(host.outputs.backupName).toBe('nightly/contoso.apimbackup');
    expect(host.outputs.backupUrl).toBe(
      'https://stbackups.blob.core.windows.net/apim-backups/nightly/contoso.apimbackup',
    );
    expect(Number(host.outputs.backupAgeSeconds)).toBeCloseTo(0.5 * 86_400, -1);
    expect(host.text()).toContain(
      "latest: restoring 'nightly/contoso.apimbackup' (taken 12h ago, tier Developer, 4096 bytes), the newest backup of 'apim-prod' in container 'apim-backups' of storage account 'stbackups' that has not expired (of 2).",
    );
    expect(host.text()).toContain(
      "Passed over 1 unstamped blob whose name starts with 'apim-prod' but goes on with no date, time or run number, so it may be another instance's (one named 'apim-prod-…'): 'apim-prod-dr.apimbackup'.",
    );
  });

  it('passes over expired backups and says how many', async () => {
    const step = latestRestore({ safetyBackup: 'false' });
    step.azure.catalog
      .putStamped('apim-prod-a.apimbackup', 'apim-prod', { ageDays: 31 })
      .putStamped('apim-prod-b.apimbackup', 'apim-prod', { ageDays: 40 })
      .putStamped('apim-prod-c.apimbackup', 'apim-prod', { ageDays: 20 });

    const { result, host } = await step.run();

    expect(result.succeeded).toBe(true);
    expect(step.azure.actions).toEqual(['restore apim-prod from apim-prod-c.apimbackup']);
    expect(host.text()).toContain('(of 3; 2 expired one(s) skipped)');
  });

  it('fails with what to do when nothing is restorable, and starts nothing', async () => {
    const step = latestRestore();
    step.azure.catalog
      .putStamped('apim-prod-dr-20240301.apimbackup', 'apim-prod-dr', { ageDays: 1 })
      .put('apim-prod-staging.apimbackup', { ageDays: 1 });

    const { result, message, host } = await step.run();

    expect(result.succeeded).toBe(false);
    expect(message).toBe(
      "No usable backup of 'apim-prod' in container 'apim-backups' of storage account 'stbackups': there is none (1 unstamped blob starting with 'apim-prod' was passed over: see the log).\n" +
        'What to do: Take a backup first (operation: backup), or check source-service-name, container and storage-account.',
    );
    expect(step.azure.actions).toEqual([]);
    expect(host.outputs.backupName).toBeUndefined();
    expect(host.summaries.at(-1)).toContain('APIM restore failed');
  });

  it('says all have expired when only expired backups are left', async () => {
    const step = latestRestore();
    step.azure.catalog
      .putStamped('apim-prod-1.apimbackup', 'apim-prod', { ageDays: 45 })
      .put('apim-prod-20240101.apimbackup', { ageDays: 60 });

    const { message } = await step.run();

    expect(message).toMatch(/: all 2 have expired \(older than 30 days\)\.\nWhat to do: Take a backup first/);
    expect(step.azure.actions).toEqual([]);
  });

  it('refuses a backup of another tier before anything starts', async () => {
    const step = latestRestore();
    step.azure.instance('apim-prod', { tier: 'Developer' });
    step.azure.catalog.putStamped('apim-prod-1.apimbackup', 'apim-prod', { tier: 'Premium', ageDays: 1 });

    const { message } = await step.run();

    expect(message).toBe(
      "Cannot restore: backup 'apim-prod-1.apimbackup' was taken from a Premium instance, and the instance is Developer: a backup restores only into the same tier. Nothing was restored.\n" +
        "What to do: Scale 'apim-prod' to Premium first, or restore a backup taken from a Developer instance.",
    );
    expect(step.azure.actions).toEqual([]);
  });

  it('picks from the backups of source-service-name when it is given', async () => {
    const step = latestRestore({ sourceServiceName: 'apim-staging', safetyBackup: 'false' });
    step.azure.catalog
      .putStamped('apim-prod-1.apimbackup', 'apim-prod', { ageDays: 0.1 })
      .putStamped('apim-staging-1.apimbackup', 'apim-staging', { ageDays: 2 });

    await step.run();

    expect(step.azure.catalog.listed).toEqual(['apim-staging']);
    expect(step.azure.actions).toEqual(['restore apim-prod from apim-staging-1.apimbackup']);
  });
});

describe('restore of a named backup', () => {
  it('takes the safety backup, stamps it, then restores with the access it was given', async () => {
    const step = new FakeStep({
      operation: 'restore',
      serviceName: 'apim-prod',
      backupName: 'apim-prod-20240301.apimbackup',
      storageAccess: 'user-assigned-identity',
      storageIdentityClientId: '99999999-8888-7777-6666-555555555555',
    });
    step.azure.catalog.put('apim-prod-20240301.apimbackup', { ageDays: 2 });

    const { result, host } = await step.run();

    expect(result.succeeded).toBe(true);
    const safety = host.outputs.safetyBackupName!;
    expect(safety).toMatch(/^apim-prod-pre-restore-\d/);
    expect(step.azure.started('apim-prod')).toEqual([
      expect.objectContaining({ kind: 'backup', location: expect.objectContaining({ backupName: safety }) }),
      {
        kind: 'restore',
        location: {
          storageAccount: 'stbackups',
          container: 'apim-backups',
          backupName: 'apim-prod-20240301.apimbackup',
          access: { type: 'UserAssignedManagedIdentity', clientId: '99999999-8888-7777-6666-555555555555' },
        },
      },
    ]);
    expect(step.azure.catalog.stamped).toEqual([
      {
        name: safety,
        provenance: expect.objectContaining({
          apimservice: 'apim-prod',
          apimsku: 'Developer',
          apimrun: 'https://github.com/contoso/apim/actions/runs/42',
        }),
      },
    ]);
    expect(host.outputs.operationStatus).toBe('Succeeded');
    expect(host.outputs.operationUrl).toMatch(/\/service\/apim-prod\/operationresults\/restore-/);
  });

  it('fails in seconds when the backup does not exist', async () => {
    const step = new FakeStep({
      operation: 'restore',
      serviceName: 'apim-prod',
      backupName: 'gone.apimbackup',
    });

    const { message } = await step.run();

    expect(message).toBe(
      "Backup 'gone.apimbackup' does not exist in container 'apim-backups' of storage account 'stbackups'; nothing was restored.\n" +
        'What to do: Check backup-name (list shows the backups there), or use latest.',
    );
    expect(step.azure.actions).toEqual([]);
  });
});

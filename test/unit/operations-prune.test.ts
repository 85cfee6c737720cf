/**
 * prune, in-process: which blobs are deleted (older than retention-days, never one of the newest keep-last, never a
 * blob not provably the instance's), leased blobs skipped and reported, a failed deletion failing the step after
 * the others, and dry-run changing nothing.
 */
import { FakeStep, storageError } from './fake-job';

function pruneStep(raw = {}) {
  return new FakeStep({ operation: 'prune', serviceName: 'apim-prod', ...raw });
}

/** apim-prod's backups, 1 to 60 days old, with blobs of others and unproven ones as old as the oldest. */
function seed(step: FakeStep) {
  step.azure.catalog
    .putStamped('apim-prod-d01.apimbackup', 'apim-prod', { ageDays: 1 })
    .putStamped('apim-prod-d10.apimbackup', 'apim-prod', { ageDays: 10 })
    .put('apim-prod-20240101.apimbackup', { ageDays: 35 })
    .putStamped('apim-prod-d45.apimbackup', 'apim-prod', { ageDays: 45 })
    .putStamped('apim-prod-d60.apimbackup', 'apim-prod', { ageDays: 60 })
    .putStamped('apim-prod-dr-d60.apimbackup', 'apim-prod-dr', { ageDays: 60 })
    .put('apim-prod-dr.apimbackup', { ageDays: 60 })
    .put('apim-prod-60-days-of-logs.zip', { ageDays: 60 });
}

describe('prune', () => {
  it('deletes the backups older than retention-days, and only the instance’s', async () => {
    const step = pruneStep({ retentionDays: '30' });
    seed(step);

    const { result, host, files } = await step.run();

    expect(result).toEqual({ succeeded: true });
    expect(host.warnings()).toEqual([]);
    // Newest first, as listed.
    const deleted = ['apim-prod-20240101.apimbackup', 'apim-prod-d45.apimbackup', 'apim-prod-d60.apimbackup'];
    expect([...step.azure.catalog.deleted].sort()).toEqual(deleted);
    expect([...step.azure.catalog.blobs.keys()]).toEqual([
      'apim-prod-d01.apimbackup',
      'apim-prod-d10.apimbackup',
      'apim-prod-dr-d60.apimbackup',
      'apim-prod-dr.apimbackup',
      'apim-prod-60-days-of-logs.zip',
    ]);
    expect(host.outputs.deletedCount).toBe('3');
    expect(host.outputs.keptCount).toBe('2');
    expect(JSON.parse(host.outputs.deleted!)).toEqual(deleted);
    expect(files.get(host.outputs.deletedFile!)).toEqual(deleted);
    expect(host.text()).toContain("Deleted 'apim-prod-d60.apimbackup' (taken 60d ago).");
    expect(host.text()).toContain(
      "Deleted 3 of 5 backups of 'apim-prod' in container 'apim-backups' of storage account 'stbackups'; 2 kept.",
    );
  });

  it('keeps the newest keep-last whatever their age', async () => {
    const step = pruneStep({ retentionDays: '30', keepLast: '4' });
    seed(step);

    const { host } = await step.run();

    expect(step.azure.catalog.deleted).toEqual(['apim-prod-d60.apimbackup']);
    expect(host.outputs.keptCount).toBe('4');
  });

  it('keeps keep-last backups even when every one is past retention', async () => {
    const step = pruneStep({ retentionDays: '7', keepLast: '2' });
    step.azure.catalog
      .putStamped('apim-prod-a.apimbackup', 'apim-prod', { ageDays: 50 })
      .putStamped('apim-prod-b.apimbackup', 'apim-prod', { ageDays: 40 })
      .putStamped('apim-prod-c.apimbackup', 'apim-prod', { ageDays: 30 })
      .putStamped('apim-prod-d.apimbackup', 'apim-prod', { ageDays: 20 });

    await step.run();

    expect([...step.azure.catalog.blobs.keys()]).toEqual([
      'apim-prod-c.apimbackup',
      'apim-prod-d.apimbackup',
    ]);
  });

  it('does not delete a leased backup, and says so', async () => {
    const step = pruneStep({ retentionDays: '30' });
    seed(step);
    step.azure.catalog.putStamped('apim-prod-d45.apimbackup', 'apim-prod', { ageDays: 45, leased: true });

    const { result, host } = await step.run();

    expect(result.succeeded).toBe(true);
    expect(step.azure.catalog.blobs.has('apim-prod-d45.apimbackup')).toBe(true);
    expect(step.azure.catalog.deleted).not.toContain('apim-prod-d45.apimbackup');
    expect(host.warnings()).toEqual([
      "Skipped 'apim-prod-d45.apimbackup': it is leased (something holds it); it was not deleted.",
    ]);
    expect(host.outputs.deletedCount).toBe('2');
    expect(JSON.parse(host.outputs.deleted!)).not.toContain('apim-prod-d45.apimbackup');
  });

  it('skips a backup leased after the listing, as storage refuses its deletion', async () => {
    const step = pruneStep({ retentionDays: '30' });
    seed(step);
    step.azure.catalog.afterList = () => {
      step.azure.catalog.blobs.get('apim-prod-d60.apimbackup')!.leased = true;
    };

    const { host } = await step.run();

    expect(step.azure.catalog.blobs.has('apim-prod-d60.apimbackup')).toBe(true);
    expect(host.warnings()).toEqual([
      "Skipped 'apim-prod-d60.apimbackup': it is leased (something holds it); it was not deleted.",
    ]);
    expect(host.outputs.deletedCount).toBe('2');
  });

  it('tries every deletion, then fails naming the one that failed and why', async () => {
    const step = pruneStep({ retentionDays: '30' });
    seed(step);
    step.azure.catalog.deleteFailures.set(
      'apim-prod-d45.apimbackup',
      storageError(
        403,
        'AuthorizationPermissionMismatch',
        'This request is not authorized to perform this operation using this permission.',
      ),
    );

    const { message, host } = await step.run();

    expect([...step.azure.catalog.deleted].sort()).toEqual([
      'apim-prod-20240101.apimbackup',
      'apim-prod-d60.apimbackup',
    ]);
    expect(message).toBe(
      'Could not delete 1 of 3 backup(s) (the others were deleted):\n' +
        "  - apim-prod-d45.apimbackup: Could not delete backups in container 'apim-backups' of storage account 'stbackups' (https://stbackups.blob.core.windows.net) as app '11111111-2222-3333-4444-555555555555': AuthorizationPermissionMismatch: This request is not authorized to perform this operation using this permission.\n" +
        "What to do: Grant app '11111111-2222-3333-4444-555555555555' 'Storage Blob Data Contributor' on storage account 'stbackups' (to delete backups and write their metadata); role assignments can take a few minutes to apply. If the account has a firewall, allow this runner's network (or run on an agent inside it); trusted Azure services do not cover the pipeline.",
    );
    // What was deleted is still reported.
    expect(host.outputs.deletedCount).toBe('2');
  });

  it('deletes nothing with dry-run, and lists what it would delete', async () => {
    const step = pruneStep({ retentionDays: '30', dryRun: 'true' });
    seed(step);

    const { result, host } = await step.run();

    expect(result.succeeded).toBe(true);
    expect(step.azure.catalog.deleted).toEqual([]);
    expect(step.azure.catalog.blobs.size).toBe(8);
    expect(host.outputs.deletedCount).toBe('3');
    expect(host.outputs.keptCount).toBe('5');
    expect(host.text()).toContain("Would delete 'apim-prod-d60.apimbackup' (taken 60d ago).");
  });
});

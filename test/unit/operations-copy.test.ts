/**
 * copy, in-process: the source backup and the target's safety backup run side by side, then the restore; each way
 * it can fail part-way says what is done, what is unchanged, and how to put the target back.
 */
import { AzureError } from '../../src/core/azure/wait';
import type { Platform } from '../../src/core/inputs/table';
import { doneLines, FakeStep, SUBSCRIPTION } from './fake-job';

const THROUGH = 'apim-prod-to-staging.apimbackup';

function copyStep(raw = {}, platform: Platform = 'github') {
  return new FakeStep(
    {
      operation: 'copy',
      serviceName: 'apim-staging',
      sourceServiceName: 'apim-prod',
      backupName: THROUGH,
      ...raw,
    },
    platform,
  );
}

/** A restore that Azure accepted and then failed, as its status answers. */
const restoreFailed = new AzureError(
  'Restore operation failed: the backup could not be read from the storage account.',
  'InvalidParameters',
  200,
);

describe('copy', () => {
  it('backs up the source and the target, then restores the source backup into the target', async () => {
    const step = copyStep();

    const { result, host } = await step.run();

    expect(result).toEqual({ succeeded: true });
    expect(host.warnings()).toEqual([]);
    const safety = host.outputs.safetyBackupName!;
    expect(safety).toMatch(/^apim-staging-pre-restore-\d/);
    // Both backups start before the restore; the restore reads the source backup.
    expect(step.azure.actions).toEqual([
      `backup apim-prod to ${THROUGH}`,
      `backup apim-staging to ${safety}`,
      `restore apim-staging from ${THROUGH}`,
    ]);
    expect(step.azure.catalog.stamped.map((stamp) => [stamp.name, stamp.provenance.apimservice])).toEqual([
      [THROUGH, 'apim-prod'],
      [safety, 'apim-staging'],
    ]);
    expect(host.outputs).toMatchObject({
      backupName: THROUGH,
      backupUrl: `https://stbackups.blob.core.windows.net/apim-backups/${THROUGH}`,
      operationStatus: 'Succeeded',
    });
  });

  it('names the safety backup, and the inputs that restore it, when the restore fails', async () => {
    const step = copyStep();
    step.azure.instance('apim-staging', { restore: { fail: restoreFailed } });

    const { result, message, host } = await step.run();

    expect(result.succeeded).toBe(false);
    const safety = host.outputs.safetyBackupName!;
    expect(message.split('\n')[0]).toBe(
      "Copy of 'apim-prod' into 'apim-staging' failed: InvalidParameters: Restore operation failed: the backup could not be read from the storage account.",
    );
    expect(doneLines(message)).toEqual([
      expect.stringMatching(new RegExp(`^Backup of 'apim-prod' to '${THROUGH}' finished after `)),
      expect.stringMatching(new RegExp(`^Safety backup of 'apim-staging' to '${safety}' finished after `)),
    ]);
    expect(message).toContain(
      `The safety backup '${safety}' holds 'apim-staging' as it was before. To put it back, run the step with these inputs (and this step's sign-in and storage access):\n` +
        '    operation: restore\n' +
        `    subscription-id: ${SUBSCRIPTION}\n` +
        '    resource-group: rg-apim\n' +
        '    service-name: apim-staging\n' +
        '    storage-account: stbackups\n' +
        '    container: apim-backups\n' +
        `    backup-name: ${safety}\n` +
        '    safety-backup: false',
    );
    expect(host.summaries.at(-1)).toContain('APIM copy failed');
  });

  it('writes the recovery inputs as Azure DevOps names them there', async () => {
    const step = copyStep({}, 'azureDevOps');
    step.azure.instance('apim-staging', { restore: { fail: restoreFailed } });

    const { message, host } = await step.run();

    const recovery = message.slice(message.indexOf('The safety backup'));
    expect(recovery).toContain('    operation: restore\n');
    expect(recovery).toContain('    serviceName: apim-staging\n');
    expect(recovery).toContain(`    backupName: ${host.outputs.safetyBackupName}\n`);
    expect(recovery).not.toContain('service-name');
  });

  it('restores nothing when the source backup fails, and says the target is unchanged', async () => {
    const step = copyStep();
    step.azure.instance('apim-prod', {
      backup: {
        refuse: new AzureError(
          "The client 'app' does not have authorization to perform action 'Microsoft.ApiManagement/service/backup/action' over scope '/subscriptions/x/resourceGroups/rg-apim/providers/Microsoft.ApiManagement/service/apim-prod'.",
          'AuthorizationFailed',
          403,
        ),
      },
    });

    const { message, host } = await step.run();

    expect(step.azure.started('apim-staging').map((operation) => operation.kind)).toEqual(['backup']);
    const [first, hint] = message.split('\n');
    expect(first).toMatch(/^Backup of the source 'apim-prod' failed: AuthorizationFailed: The client 'app'/);
    expect(hint).toMatch(
      /^What to do: The identity you signed in as lacks permission for 'Microsoft.ApiManagement\/service\/backup\/action'/,
    );
    expect(doneLines(message)).toEqual([
      expect.stringMatching(/^Safety backup of 'apim-staging' to '.*' finished after /),
      "Nothing was restored: 'apim-staging' is unchanged.",
    ]);
    // No restore ran, so there is nothing to put back.
    expect(message).not.toContain('To put it back');
    expect(host.outputs.operationStatus).toBe('Succeeded');
  });

  it('restores nothing when the safety backup fails', async () => {
    const step = copyStep();
    step.azure.instance('apim-staging', {
      backup: { fail: new AzureError('Backup failed: storage unreachable.', 'BackupFailed', 200) },
    });

    const { message } = await step.run();

    expect(step.azure.actions.filter((action) => action.startsWith('restore'))).toEqual([]);
    expect(message.split('\n')[0]).toBe(
      "Copy of 'apim-prod' into 'apim-staging' failed: BackupFailed: Backup failed: storage unreachable.",
    );
    expect(doneLines(message)).toEqual([
      expect.stringMatching(new RegExp(`^Backup of 'apim-prod' to '${THROUGH}' finished after `)),
      "Nothing was restored: the safety backup of 'apim-staging' did not finish, so it is unchanged.",
    ]);
    expect(message).not.toContain('To put it back');
  });

  it('on cancel, the operation-url output names the backup still running, not the one that finished', async () => {
    // The safety backup starts after the source backup and finishes first: the output must move back.
    const step = copyStep();
    step.azure.instance('apim-prod', { backup: { hang: true } });

    const { message, host } = await step.run({
      cancelWhen: () =>
        step.azure.catalog.stamped.some((stamp) => stamp.provenance.apimservice === 'apim-staging'),
    });

    expect(step.azure.started('apim-prod').map((started) => started.kind)).toEqual(['backup']);
    const url = host.outputs.operationUrl!;
    expect(url).toContain('apim-prod/operationresults/backup-');
    expect(message).toContain(`its status is at ${url} (output operation-url)`);
  });

  it('starts nothing when the two instances differ in tier', async () => {
    const step = copyStep();
    step.azure.instance('apim-prod', { tier: 'Premium' }).instance('apim-staging', { tier: 'Developer' });

    const { message } = await step.run();

    expect(message).toBe(
      "Cannot copy 'apim-prod' (Premium) into 'apim-staging' (Developer): a backup restores only into an instance of the same tier. Nothing was started.\n" +
        "What to do: Scale 'apim-staging' to Premium first, or copy from an instance on the Developer tier.",
    );
    expect(step.azure.actions).toEqual([]);
  });
});

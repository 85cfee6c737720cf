/** verify and list, in-process: the release gate on the newest backup, and the listing of an instance's backups. */
import { FakeStep } from './fake-job';

function verifyStep(raw = {}, platform: 'github' | 'azureDevOps' = 'github') {
  return new FakeStep({ operation: 'verify', serviceName: 'apim-prod', maxAge: '24h', ...raw }, platform);
}

describe('verify', () => {
  it('passes on a fresh backup of the instance’s tier, and names it', async () => {
    const step = verifyStep();
    step.azure.catalog
      .putStamped('apim-prod-new.apimbackup', 'apim-prod', { ageDays: 0.25 })
      .putStamped('apim-prod-old.apimbackup', 'apim-prod', { ageDays: 3 })
      // Newer, but another instance's.
      .putStamped('apim-prod-dr-1.apimbackup', 'apim-prod-dr', { ageDays: 0.1 });

    const { result, host } = await step.run();

    expect(result).toEqual({ succeeded: true });
    expect(host.outputs.backupName).toBe('apim-prod-new.apimbackup');
    expect(Number(host.outputs.backupAgeSeconds)).toBeCloseTo(6 * 3600, -1);
    expect(host.text()).toContain(
      "Verified: the newest backup 'apim-prod-new.apimbackup' (taken 6h ago, tier Developer, 4096 bytes) is younger than 1d, has not expired and fits the Developer tier of 'apim-prod'.",
    );
    expect(host.warnings()).toEqual([]);
    expect(step.azure.actions).toEqual([]);
  });

  it('fails when the newest backup is older than max-age', async () => {
    const step = verifyStep({ maxAge: '12h' });
    step.azure.catalog.putStamped('apim-prod-1.apimbackup', 'apim-prod', { ageDays: 1 });

    const { message, host } = await step.run();

    expect(message).toBe(
      "Verify failed: the newest backup 'apim-prod-1.apimbackup' (taken 1d ago, tier Developer, 4096 bytes) is older than max-age 12h.\n" +
        'What to do: Take a fresh backup of the instance (operation: backup) and run the gate again.',
    );
    // The outputs still name what was found.
    expect(host.outputs.backupName).toBe('apim-prod-1.apimbackup');
  });

  it('fails on an empty backup, and on one of another tier', async () => {
    const empty = verifyStep();
    empty.azure.catalog.putStamped('apim-prod-1.apimbackup', 'apim-prod', { ageDays: 0.1, sizeBytes: 0 });
    expect((await empty.run()).message).toMatch(
      /^Verify failed: backup 'apim-prod-1.apimbackup' is empty \(0 bytes; taken 2h 24m ago\)\./,
    );

    const premium = verifyStep();
    premium.azure.instance('apim-prod', { tier: 'Developer' });
    premium.azure.catalog.putStamped('apim-prod-1.apimbackup', 'apim-prod', {
      ageDays: 0.1,
      tier: 'Premium',
    });
    expect((await premium.run()).message).toMatch(
      /^Verify failed: backup 'apim-prod-1.apimbackup' was taken from a Premium instance, and the instance is Developer/,
    );
  });

  it('fails when there is no backup of the instance, naming what was passed over', async () => {
    const step = verifyStep();
    step.azure.catalog.put('apim-prod-staging.apimbackup', { ageDays: 0.1 });

    const { message } = await step.run();

    expect(message).toBe(
      "Verify failed: there is no backup of 'apim-prod' in container 'apim-backups' of storage account 'stbackups' (1 unstamped blob starting with 'apim-prod' was passed over: see the log).\n" +
        'What to do: Take a backup (operation: backup) before this gate, or check source-service-name, container and storage-account.',
    );
  });
});

describe('verify on Azure DevOps', () => {
  it('names the task inputs, not the action’s, in what it says', async () => {
    const old = verifyStep({ maxAge: '12h' }, 'azureDevOps');
    old.azure.catalog.putStamped('apim-prod-1.apimbackup', 'apim-prod', { ageDays: 1 });
    expect((await old.run()).message).toContain(' is older than maxAge 12h.\n');

    const none = verifyStep({}, 'azureDevOps');
    expect((await none.run()).message).toContain(
      'What to do: Take a backup (operation: backup) before this gate, or check sourceServiceName, containerName and storageAccount.',
    );
  });
});

describe('list', () => {
  it('lists the instance’s backups newest first, in the outputs, the file and the summary', async () => {
    const step = new FakeStep({ operation: 'list', serviceName: 'apim-prod', listLimit: '2' });
    step.azure.catalog
      .putStamped('apim-prod-b.apimbackup', 'apim-prod', { ageDays: 2 })
      .put('apim-prod-20240101.apimbackup', { ageDays: 40 })
      .putStamped('apim-prod-a.apimbackup', 'apim-prod', { ageDays: 1 })
      .put('apim-prod-dr.apimbackup', { ageDays: 1 });

    const { result, host, files } = await step.run();

    expect(result.succeeded).toBe(true);
    expect(host.outputs.backupCount).toBe('3');
    const listed = (json: unknown) => (json as { name: string }[]).map((backup) => backup.name);
    expect(listed(JSON.parse(host.outputs.backups!))).toEqual([
      'apim-prod-a.apimbackup',
      'apim-prod-b.apimbackup',
    ]);
    expect(listed(files.get(host.outputs.backupsFile!))).toEqual([
      'apim-prod-a.apimbackup',
      'apim-prod-b.apimbackup',
      'apim-prod-20240101.apimbackup',
    ]);
    expect(host.text()).toContain(
      "Found 3 backups of 'apim-prod' in container 'apim-backups' of storage account 'stbackups' (1 expired), newest first:",
    );
    const summary = host.summaries.at(-1)!;
    expect(summary).toContain('APIM backup list succeeded');
    expect(summary).toContain('**Not counted: 1 unstamped blob(s) starting with `apim-prod`');
  });
});

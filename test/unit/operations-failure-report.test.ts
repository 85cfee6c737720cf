/**
 * The failure report, in-process, as run.ts hands it to the adapter: an Azure error code with its hint, a storage
 * refusal, a host the step could not reach, an operation left running in Azure, and a cancel mid-restore.
 */
import { RestError } from '@azure/core-rest-pipeline';
import { AzureError } from '../../src/core/azure/wait';
import { doneLines, FakeStep, storageError, SUBSCRIPTION, unreachable } from './fake-job';

const SCOPE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-apim/providers/Microsoft.ApiManagement/service/apim-prod`;
const NOT_AUTHORISED = 'This request is not authorized to perform this operation using this permission.';

function backupStep(raw = {}, platform: 'github' | 'azureDevOps' = 'github') {
  return new FakeStep(
    { operation: 'backup', serviceName: 'apim-prod', backupName: 'apim-prod-1.apimbackup', ...raw },
    platform,
  );
}

describe('the failure report', () => {
  it('gives an Azure error code with its message and what to do, in the result and the summary', async () => {
    const step = backupStep();
    step.azure.instance('apim-prod', {
      backup: {
        refuse: new RestError(
          `The client '${'11111111-2222-3333-4444-555555555555'}' does not have authorization to perform action 'Microsoft.ApiManagement/service/backup/action' over scope '${SCOPE}' or the scope is invalid.`,
          { code: 'AuthorizationFailed', statusCode: 403 },
        ),
      },
    });

    const { result, message, host } = await step.run();

    expect(result.succeeded).toBe(false);
    expect(message).toBe(
      `Backup of API Management instance 'apim-prod' failed: AuthorizationFailed: The client '11111111-2222-3333-4444-555555555555' does not have authorization to perform action 'Microsoft.ApiManagement/service/backup/action' over scope '${SCOPE}' or the scope is invalid.\n` +
        `What to do: The identity you signed in as lacks permission for 'Microsoft.ApiManagement/service/backup/action'. Grant it 'API Management Service Contributor' (or a custom role with Microsoft.ApiManagement/service/backup/action and restore/action) on scope '${SCOPE}'. New role assignments can take a few minutes to apply.`,
    );
    const summary = host.summaries.at(-1)!;
    expect(summary).toContain('### ❌ APIM backup failed');
    expect(summary).toContain('AuthorizationFailed');
    // Nothing was started, so nothing is said to run on.
    expect(message).not.toContain('May still be running');
  });

  it('names the inputs in a hint as the platform spells them', async () => {
    const step = backupStep({}, 'azureDevOps');
    step.azure.instance('apim-prod', {
      readFails: new RestError(
        "The Resource 'Microsoft.ApiManagement/service/apim-prod' under resource group 'rg-apim' was not found.",
        { code: 'ResourceNotFound', statusCode: 404 },
      ),
    });

    const { message } = await step.run();

    expect(message).toMatch(/^Backup of API Management instance 'apim-prod' failed: ResourceNotFound: /);
    expect(message).toMatch(
      /\nWhat to do: Check serviceName, resourceGroupName and subscriptionId, and that the identity can read the instance\.$/,
    );
  });

  it('says what may still run in Azure when the status cannot be read, and how to put the target back', async () => {
    const step = new FakeStep({
      operation: 'restore',
      serviceName: 'apim-prod',
      backupName: 'apim-prod-1.apimbackup',
    });
    step.azure.catalog.put('apim-prod-1.apimbackup', { ageDays: 1 });
    step.azure.instance('apim-prod', {
      restore: {
        fail: (azure) =>
          new AzureError(
            `The client does not have authorization to perform action 'Microsoft.ApiManagement/service/operationresults/read' over scope '${SCOPE}/operationresults/x'.`,
            'AuthorizationFailed',
            403,
            azure.job.operationUrl,
          ),
      },
    });

    const { message, host } = await step.run();

    const url = host.outputs.operationUrl!;
    expect(url).toMatch(/\/operationresults\/restore-/);
    const lines = message.split('\n');
    expect(lines[0]).toBe(
      `Restore of API Management instance 'apim-prod' failed: Azure does not let this identity read the operation's status (AuthorizationFailed: The client does not have authorization to perform action 'Microsoft.ApiManagement/service/operationresults/read' over scope '${SCOPE}/operationresults/x'). The restore goes on in Azure: its status is at ${url}`,
    );
    expect(lines[1]).toContain(`on scope '${SCOPE}'`);
    expect(lines[1]).toContain(
      `To wait for it later, run the step with operation: status and operation-url: ${url}`,
    );
    expect(doneLines(message)).toEqual([
      expect.stringMatching(/^Safety backup of 'apim-prod' to '.*' finished after /),
    ]);
    expect(message).toContain(
      `May still be running in Azure (output operation-url has the last):\n  - Restore: ${url}`,
    );
    expect(message).toContain(
      `The safety backup '${host.outputs.safetyBackupName}' holds 'apim-prod' as it was before.`,
    );
  });

  it('explains a storage refusal with the identity and the role it needs', async () => {
    const step = new FakeStep({ operation: 'restore', serviceName: 'apim-prod', backupName: 'latest' });
    step.azure.catalog.refusal = storageError(403, 'AuthorizationPermissionMismatch', NOT_AUTHORISED);

    const { message } = await step.run();

    expect(message).toBe(
      `Could not read the backups in container 'apim-backups' of storage account 'stbackups' (https://stbackups.blob.core.windows.net) as app '11111111-2222-3333-4444-555555555555': AuthorizationPermissionMismatch: ${NOT_AUTHORISED}\n` +
        "What to do: Grant app '11111111-2222-3333-4444-555555555555' 'Storage Blob Data Reader' on storage account 'stbackups' (to list and read backups); role assignments can take a few minutes to apply. If the account has a firewall, allow this runner's network (or run on an agent inside it); trusted Azure services do not cover the pipeline.",
    );
    expect(step.azure.actions).toEqual([]);
  });

  it('tells a refused storage key as a key to check', async () => {
    const step = new FakeStep({
      operation: 'list',
      serviceName: 'apim-prod',
      storageKey: Buffer.alloc(64, 7).toString('base64'),
    });
    step.azure.catalog.refusal = storageError(
      403,
      'AuthenticationFailed',
      'Server failed to authenticate the request.',
    );

    const { message } = await step.run();

    expect(message).toMatch(
      / as the storage key: AuthenticationFailed: Server failed to authenticate the request\.\n/,
    );
    expect(message).toMatch(
      /What to do: Check that the storage key is a current key of storage account 'stbackups' \(keys are rotated\)\.$/,
    );
  });

  it('goes on with a named restore when the step cannot read the storage, saying which checks it skipped', async () => {
    const step = new FakeStep({
      operation: 'restore',
      serviceName: 'apim-prod',
      backupName: 'apim-prod-1.apimbackup',
    });
    step.azure.catalog.refusal = storageError(
      403,
      'AuthorizationFailure',
      'This request is not authorized to perform this operation.',
    );

    const { result, host } = await step.run();

    expect(result.succeeded).toBe(true);
    expect(step.azure.actions).toEqual([
      expect.stringMatching(/^backup apim-prod to apim-prod-pre-restore-/),
      'restore apim-prod from apim-prod-1.apimbackup',
    ]);
    const [skipped] = host.warnings();
    expect(skipped).toMatch(
      /^The step could not read the storage, so it skipped the checks on backup 'apim-prod-1.apimbackup' \(exists, not empty, not expired, same tier\) and the provenance stamp of the safety backup; Azure checks the backup during the restore\. Could not read the backups/,
    );
    expect(host.text()).toMatch(
      /Did not stamp 'apim-prod-pre-restore-.*' with its provenance: the storage refused the step/,
    );
    expect(step.azure.catalog.stamped).toEqual([]);
  });

  it('tells a host it could not reach as that, never as an Azure answer', async () => {
    const step = backupStep();
    step.azure.instance('apim-prod', {
      readFails: unreachable(`https://management.azure.com${SCOPE}?api-version=2024-05-01`),
    });

    const { message } = await step.run();

    expect(message).toBe(
      "Backup of API Management instance 'apim-prod' failed: could not reach Azure Resource Manager at management.azure.com:443 directly (no proxy is set): its name does not resolve (ENOTFOUND). The step got no answer from management.azure.com.\n" +
        "What to do: Check the network and DNS of this machine, and that management.azure.com is the right host name. Behind a proxy, set HTTPS_PROXY (and NO_PROXY) in the runner's environment (its .env file) or the job's env.",
    );
  });

  it('on cancel, says the restore goes on in Azure, where to follow it, and how to undo it', async () => {
    const step = new FakeStep({
      operation: 'restore',
      serviceName: 'apim-prod',
      backupName: 'apim-prod-1.apimbackup',
    });
    step.azure.catalog.put('apim-prod-1.apimbackup', { ageDays: 1 });
    step.azure.instance('apim-prod', { restore: { hang: true } });

    const { message, host } = await step.run({
      cancelWhen: (runner) => runner.outputs.operationUrl?.includes('/operationresults/restore-') ?? false,
    });

    const url = host.outputs.operationUrl!;
    expect(host.warnings()).toContain(
      `Cancelled: the step stops waiting. The restore goes on in Azure: ${url}`,
    );
    expect(message.split('\n')[0]).toBe(
      `Restore of API Management instance 'apim-prod' was cancelled: the step stopped waiting. The restore continues in Azure: its status is at ${url} (output operation-url). To wait for it later, run the step with operation: status and operation-url: ${url}`,
    );
    expect(message).toContain(`  - Restore: ${url}`);
    expect(message).toContain('To put it back, run the step with these inputs');
  });
});

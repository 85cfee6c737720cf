/** parseJob for the operations beyond backup: the parts each one builds, its defaults, and what it refuses. */
import type { RunContext } from '../../src/core/inputs/config';
import { InputError } from '../../src/core/inputs/config';
import { parseJob } from '../../src/core/parse';
import type { RawInputs } from '../../src/core/inputs/table';
import type { CopyConfig } from '../../src/core/operations/copy';
import type { PruneConfig } from '../../src/core/operations/prune';
import type { RestoreConfig } from '../../src/core/operations/restore';
import type { VerifyConfig } from '../../src/core/operations/verify';
import { AZURE_DEVOPS, CLIENT, GITHUB, KEY, SUBSCRIPTION, TENANT } from './platforms';

const OTHER_SUBSCRIPTION = '9a8b7c6d-1f2d-4c6b-9a7e-2d3f4a5b6c7d';

const BASE: RawInputs = {
  tenantId: TENANT,
  clientId: CLIENT,
  subscriptionId: SUBSCRIPTION,
  resourceGroup: 'rg-apim',
  serviceName: 'apim-prod',
  storageAccount: 'stbackups',
  container: 'apim-backups',
};

function parse<T>(raw: RawInputs, context: RunContext = GITHUB): T {
  return parseJob({ ...BASE, ...raw }, context).config as T;
}

function problems(raw: RawInputs, context: RunContext = GITHUB): string[] {
  try {
    parseJob({ ...BASE, ...raw }, context);
    return [];
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
}

describe('the step’s own storage access', () => {
  it('defaults to the account’s blob endpoint in the cloud, read with a token', () => {
    const { storage } = parse<VerifyConfig>({ operation: 'list', environment: 'AzureChinaCloud' });
    expect(storage).toEqual({
      account: 'stbackups',
      container: 'apim-backups',
      blobEndpoint: 'https://stbackups.blob.core.chinacloudapi.cn',
      customEndpoint: false,
      sharedKey: undefined,
    });
  });

  it('signs Shared Key with the account of a path-style endpoint (an emulator), else with storage-account', () => {
    const emulator = parse<VerifyConfig>({
      operation: 'list',
      storageKey: KEY,
      blobEndpoint: 'http://127.0.0.1:10000/devstoreaccount1/',
    });
    expect(emulator.storage).toMatchObject({
      blobEndpoint: 'http://127.0.0.1:10000/devstoreaccount1',
      customEndpoint: true,
      sharedKey: { accountName: 'devstoreaccount1', key: KEY },
    });
    const privateDns = parse<VerifyConfig>({
      operation: 'list',
      storageKey: KEY,
      blobEndpoint: 'https://stbackups.privatelink.blob.core.windows.net',
    });
    expect(privateDns.storage.sharedKey).toEqual({ accountName: 'stbackups', key: KEY });
  });

  it('list and prune with a storage key need no sign-in; without one they sign in', () => {
    const withKey = parseJob(
      { ...BASE, operation: 'prune', storageKey: KEY, tenantId: 'not a tenant' },
      GITHUB,
    );
    expect(withKey.config.signIn).toBeUndefined();
    expect(parse<PruneConfig>({ operation: 'prune' }).signIn).toMatchObject({ method: 'oidc' });
    // verify reads the instance, so it always signs in.
    expect(parse<VerifyConfig>({ operation: 'verify', storageKey: KEY }).signIn).toMatchObject({
      method: 'oidc',
    });
  });

  it('on Azure DevOps, list without a connection or a key asks for either', () => {
    expect(problems({ operation: 'list' }, AZURE_DEVOPS)).toEqual([
      'azureSubscription is required to read the storage with a token; or give storageKey',
    ]);
    expect(problems({ operation: 'list', storageKey: KEY }, AZURE_DEVOPS)).toEqual([]);
  });
});

describe('the catalog operations', () => {
  it('prune: defaults 30 days, keep the newest 1, not a dry run; source-service-name defaults to service-name', () => {
    expect(parse<PruneConfig>({ operation: 'prune' })).toMatchObject({
      sourceServiceName: 'apim-prod',
      retentionDays: 30,
      keepLast: 1,
      dryRun: false,
    });
    expect(parse<PruneConfig>({ operation: 'prune', dryRun: 'TRUE', keepLast: '7' })).toMatchObject({
      keepLast: 7,
      dryRun: true,
    });
  });

  it('verify: max-age defaults to 24h and takes days', () => {
    expect(parse<VerifyConfig>({ operation: 'verify' }).maxAgeMs).toBe(24 * 3_600_000);
    expect(parse<VerifyConfig>({ operation: 'verify', maxAge: '7d' }).maxAgeMs).toBe(7 * 86_400_000);
    expect(parse<VerifyConfig>({ operation: 'verify', maxAge: '26' }).maxAgeMs).toBe(26 * 3_600_000);
  });

  it('restore: latest in any case, from the source instance; a safety backup named after the target', () => {
    const config = parse<RestoreConfig>({
      operation: 'restore',
      backupName: 'Latest',
      sourceServiceName: 'apim-primary',
    });
    expect(config).toMatchObject({
      backupName: 'latest',
      sourceServiceName: 'apim-primary',
      safetyBackup: true,
      safetyBackupName: 'apim-prod-pre-restore-20240305-070809.apimbackup',
    });
  });

  it('warns about inputs given on purpose that the operation does not read', () => {
    const { ignored } = parseJob(
      { ...BASE, operation: 'list', storageKey: KEY, maxAge: '1h', backupName: 'x.apimbackup' },
      GITHUB,
    );
    expect(ignored).toHaveLength(2);
    expect(ignored).toContain('resource-group is not used by list; it was ignored.');
    expect(ignored).toContain('backup-name is not used by list; it was ignored.');
    // max-age has a default, which the runners pass to every step: no warning for it.
    expect(ignored.join()).not.toContain('max-age');
  });
});

describe('copy', () => {
  it('the source defaults to the target’s resource group and subscription; the new backup is named after it', () => {
    const config = parse<CopyConfig>({ operation: 'copy', sourceServiceName: 'apim-primary' });
    expect(config.source).toEqual({
      subscriptionId: SUBSCRIPTION,
      resourceGroup: 'rg-apim',
      serviceName: 'apim-primary',
    });
    expect(config.instance.serviceName).toBe('apim-prod');
    expect(config.backupName).toBe('apim-primary-20240305-070809.apimbackup');
    expect(config.safetyBackupName).toBe('apim-prod-pre-restore-20240305-070809.apimbackup');
  });

  it('takes the source’s own resource group and subscription', () => {
    const config = parse<CopyConfig>({
      operation: 'copy',
      sourceServiceName: 'apim-primary',
      sourceResourceGroup: 'rg-other',
      sourceSubscriptionId: OTHER_SUBSCRIPTION,
    });
    expect(config.source).toEqual({
      subscriptionId: OTHER_SUBSCRIPTION,
      resourceGroup: 'rg-other',
      serviceName: 'apim-primary',
    });
  });

  it.each([
    [{}, 'source-service-name is required for a copy'],
    [{ sourceServiceName: 'APIM-PROD' }, 'source-service-name names the target itself'],
    [
      { sourceServiceName: 'apim-primary', sourceSubscriptionId: 'sub' },
      "source-subscription-id 'sub' must be a GUID",
    ],
    [
      { sourceServiceName: 'apim-primary', sourceResourceGroup: 'rg.' },
      "source-resource-group 'rg.' must be",
    ],
    [
      { sourceServiceName: 'apim-primary', backupName: 'latest' },
      "backup-name 'latest' is only for a restore",
    ],
    [
      {
        sourceServiceName: 'apim-primary',
        backupName: 'same.apimbackup',
        safetyBackupName: 'same.apimbackup',
      },
      "backup-name and safety-backup-name are the same blob 'same.apimbackup'",
    ],
    [{ sourceServiceName: 'apim-primary', safetyBackup: 'yes' }, "safety-backup 'yes' must be true or false"],
  ])('refuses %j', (raw, says) => {
    const found = problems({ operation: 'copy', ...(raw as RawInputs) });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(says);
  });

  it('a source in another resource group with the same name is another instance', () => {
    expect(
      problems({ operation: 'copy', sourceServiceName: 'apim-prod', sourceResourceGroup: 'rg-dr' }),
    ).toEqual([]);
  });
});

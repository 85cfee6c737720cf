/** The pure helpers around the operation: Retry-After, the REST parameters, the blob URL and the job summary. */
import { backupRestoreParameters } from '../../src/core/azure/apim';
import { blobUrl } from '../../src/core/azure/blob-url';
import { parseRetryAfter } from '../../src/core/azure/wait';
import { parseJob } from '../../src/core/parse';
import type { RawInputs } from '../../src/core/inputs/table';
import type { BackupConfig } from '../../src/core/operations/backup';
import { describeApimAccess, renderSummary } from '../../src/core/report/summary';
import { GITHUB_PROFILE } from './platforms';

const SUBSCRIPTION = '0b5c3a8e-1f2d-4c6b-9a7e-2d3f4a5b6c7d';
const IDENTITY = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const STORAGE_KEY = Buffer.from('unit-test-storage-account-key'.padEnd(64, '#')).toString('base64');

function configOf(raw: RawInputs = {}): BackupConfig {
  return parseJob(
    {
      operation: 'backup',
      subscriptionId: SUBSCRIPTION,
      resourceGroup: 'rg-apim',
      serviceName: 'contoso-apim',
      storageAccount: 'contosobackups',
      container: 'apim-backups',
      backupName: 'nightly/contoso apim.apimbackup',
      auth: 'managed-identity',
      ...raw,
    },
    { profile: GITHUB_PROFILE, now: new Date(Date.UTC(2024, 2, 5)), idTokenAvailable: false },
  ).config as BackupConfig;
}

/** The REST parameters of a configuration, as the backup operation passes them. */
function parametersOf(config: BackupConfig) {
  return backupRestoreParameters({
    storageAccount: config.storage.account,
    container: config.storage.container,
    backupName: config.backupName,
    access: config.apimAccess,
  });
}

const urlOf = (config: BackupConfig) => blobUrl(config.storage, config.backupName);

describe('parseRetryAfter', () => {
  const NOW = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

  it.each([
    ['0', 0],
    ['1', 1_000],
    ['30', 30_000],
    [' 10 ', 10_000],
    ['120', 120_000],
  ])('reads %p as seconds', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it('reads an HTTP date as the time until then', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 08:28:00 GMT', NOW)).toBe(3_600_000);
  });

  it('reads a date in the past as no wait', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', NOW)).toBe(0);
  });

  it.each([undefined, '', 'soon', 'abc', 'twelve seconds', '0x10', '1e3'])('ignores %p', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  // Neither delay-seconds nor an HTTP date, although V8's lenient Date.parse reads them as dates in 2001.
  it.each(['1.5', '-5', '2.0'])('ignores %p, which is not a whole number of seconds', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe('backupRestoreParameters', () => {
  const where = {
    storageAccount: 'contosobackups',
    containerName: 'apim-backups',
    backupName: 'nightly/contoso apim.apimbackup',
  };

  it('sends the access key only with AccessKey', () => {
    const parameters = parametersOf(configOf({ storageKey: STORAGE_KEY }));
    expect(parameters).toEqual({ ...where, accessType: 'AccessKey', accessKey: STORAGE_KEY });
    expect(parameters).not.toHaveProperty('clientId');
  });

  it('sends neither key nor client ID with the system-assigned identity', () => {
    const parameters = parametersOf(configOf());
    expect(parameters).toEqual({ ...where, accessType: 'SystemAssignedManagedIdentity' });
    expect(parameters).not.toHaveProperty('accessKey');
    expect(parameters).not.toHaveProperty('clientId');
  });

  it('sends the client ID only with UserAssigned', () => {
    const parameters = parametersOf(
      configOf({ storageAccess: 'user-assigned-identity', storageIdentityClientId: IDENTITY }),
    );
    expect(parameters).toEqual({ ...where, accessType: 'UserAssignedManagedIdentity', clientId: IDENTITY });
    expect(parameters).not.toHaveProperty('accessKey');
  });
});

describe('blobUrl', () => {
  it.each([
    ['AzureCloud', 'core.windows.net'],
    ['AzureUSGovernment', 'core.usgovcloudapi.net'],
    ['AzureChinaCloud', 'core.chinacloudapi.cn'],
  ])('%s: https://{account}.blob.%s/{container}/{name}', (environment, suffix) => {
    expect(urlOf(configOf({ environment, backupName: 'b.apimbackup' }))).toBe(
      `https://contosobackups.blob.${suffix}/apim-backups/b.apimbackup`,
    );
  });

  it('encodes each path segment of the blob name, keeping the slashes', () => {
    expect(urlOf(configOf())).toBe(
      'https://contosobackups.blob.core.windows.net/apim-backups/nightly/contoso%20apim.apimbackup',
    );
    expect(urlOf(configOf({ backupName: 'a#b/c?d%e.apimbackup' }))).toBe(
      'https://contosobackups.blob.core.windows.net/apim-backups/a%23b/c%3Fd%25e.apimbackup',
    );
  });
});

describe('renderSummary', () => {
  it('a heading for the outcome, a table of the rows, the sections, and the error in a text block', () => {
    const markdown = renderSummary({
      title: 'APIM restore',
      succeeded: false,
      rows: [
        ['Instance', '`contoso-apim` in resource group `rg-apim`'],
        ['Restored from', '`nightly|01.apimbackup`'],
      ],
      sections: ['| Backup |\n| --- |\n| x |'],
      error: 'Restore failed: Conflict\nWhat to do: wait.',
    });
    expect(markdown).toBe(
      [
        '### ❌ APIM restore failed',
        '',
        '| | |',
        '| --- | --- |',
        '| Instance | `contoso-apim` in resource group `rg-apim` |',
        '| Restored from | `nightly\\|01.apimbackup` |',
        '',
        '| Backup |\n| --- |\n| x |',
        '',
        '```text\nRestore failed: Conflict\nWhat to do: wait.\n```',
        '',
      ].join('\n'),
    );
    expect(renderSummary({ title: 'APIM backup', succeeded: true, rows: [], sections: [] })).toBe(
      '### ✅ APIM backup succeeded\n',
    );
  });

  it('describes each storage access', () => {
    expect(describeApimAccess(configOf({ storageKey: STORAGE_KEY }).apimAccess)).toBe('access key');
    expect(describeApimAccess(configOf().apimAccess)).toBe("the instance's system-assigned identity");
    expect(
      describeApimAccess(
        configOf({ storageAccess: 'user-assigned-identity', storageIdentityClientId: IDENTITY }).apimAccess,
      ),
    ).toBe(`user-assigned identity ${IDENTITY}`);
  });
});

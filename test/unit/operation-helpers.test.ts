/** The pure helpers around the operation: Retry-After, the REST parameters, the blob URL and the job summary. */
import { backupRestoreParameters, parseRetryAfter } from '../../src/core/apim-operation';
import { Config, parseConfig } from '../../src/core/config';
import type { RawInputs } from '../../src/core/inputs';
import { blobUrl, describeAccess, renderSummary } from '../../src/core/summary';

const SUBSCRIPTION = '0b5c3a8e-1f2d-4c6b-9a7e-2d3f4a5b6c7d';
const IDENTITY = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const STORAGE_KEY = Buffer.from('unit-test-storage-account-key'.padEnd(64, '#')).toString('base64');

function configOf(raw: RawInputs = {}): Config {
  return parseConfig(
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
    { platform: 'github', now: new Date(Date.UTC(2024, 2, 5)), idTokenAvailable: false },
  );
}

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
    const parameters = backupRestoreParameters(configOf({ storageKey: STORAGE_KEY }));
    expect(parameters).toEqual({ ...where, accessType: 'AccessKey', accessKey: STORAGE_KEY });
    expect(parameters).not.toHaveProperty('clientId');
  });

  it('sends neither key nor client ID with the system-assigned identity', () => {
    const parameters = backupRestoreParameters(configOf());
    expect(parameters).toEqual({ ...where, accessType: 'SystemAssignedManagedIdentity' });
    expect(parameters).not.toHaveProperty('accessKey');
    expect(parameters).not.toHaveProperty('clientId');
  });

  it('sends the client ID only with UserAssigned', () => {
    const parameters = backupRestoreParameters(
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
    expect(blobUrl(configOf({ environment, backupName: 'b.apimbackup' }))).toBe(
      `https://contosobackups.blob.${suffix}/apim-backups/b.apimbackup`,
    );
  });

  it('encodes each path segment of the blob name, keeping the slashes', () => {
    expect(blobUrl(configOf())).toBe(
      'https://contosobackups.blob.core.windows.net/apim-backups/nightly/contoso%20apim.apimbackup',
    );
    expect(blobUrl(configOf({ backupName: 'a#b/c?d%e.apimbackup' }))).toBe(
      'https://contosobackups.blob.core.windows.net/apim-backups/a%23b/c%3Fd%25e.apimbackup',
    );
  });
});

describe('renderSummary', () => {
  const url = 'https://contosobackups.blob.core.windows.net/apim-backups/nightly/contoso%20apim.apimbackup';

  it('a successful backup: heading, instance, subscription, blob link, storage, duration and operation', () => {
    const markdown = renderSummary({
      config: configOf({ storageKey: STORAGE_KEY }),
      succeeded: true,
      backupUrl: url,
      durationMs: 125_000,
      operationUrl: 'https://management.azure.com/operations/42',
      tier: 'Developer',
    });
    expect(markdown).toBe(
      [
        '### ✅ APIM backup succeeded',
        '',
        '| | |',
        '|---|---|',
        '| Instance | `contoso-apim` (Developer) in resource group `rg-apim` |',
        `| Subscription | \`${SUBSCRIPTION}\` |`,
        `| Backup | [\`nightly/contoso apim.apimbackup\`](${url}) |`,
        '| Storage | account `contosobackups`, container `apim-backups`, access key |',
        '| Duration | 2m 05s |',
        '| Operation | https://management.azure.com/operations/42 |',
        '',
      ].join('\n'),
    );
    expect(markdown).not.toContain(STORAGE_KEY);
  });

  it('a failed restore: heading, "Restored from", no duration, and the error in a text block', () => {
    const markdown = renderSummary({
      config: configOf({
        operation: 'restore',
        storageAccess: 'user-assigned-identity',
        storageIdentityClientId: IDENTITY,
      }),
      succeeded: false,
      backupUrl: url,
      error: 'Restore failed: Conflict\nWhat to do: wait.',
    });
    expect(markdown.startsWith('### ❌ APIM restore failed\n\n')).toBe(true);
    expect(markdown).toContain(`| Restored from | [\`nightly/contoso apim.apimbackup\`](${url}) |`);
    expect(markdown).toContain(`user-assigned identity ${IDENTITY}`);
    expect(markdown).toContain('| Instance | `contoso-apim` in resource group `rg-apim` |');
    expect(markdown).not.toContain('| Duration |');
    expect(markdown).not.toContain('| Operation |');
    expect(markdown.endsWith('```text\nRestore failed: Conflict\nWhat to do: wait.\n```\n')).toBe(true);
  });

  it('describes each storage access', () => {
    expect(describeAccess(configOf({ storageKey: STORAGE_KEY }))).toBe('access key');
    expect(describeAccess(configOf())).toBe("the instance's system-assigned identity");
    expect(
      describeAccess(
        configOf({ storageAccess: 'user-assigned-identity', storageIdentityClientId: IDENTITY }),
      ),
    ).toBe(`user-assigned identity ${IDENTITY}`);
  });
});

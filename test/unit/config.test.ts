/** parseJob: Azure's naming rules for every input, sign-in selection, normalisation, and how problems are reported. */
import type {
  ApimStorageAccess,
  ConnectionValues,
  SignIn,
  ConnectionSignInMethod,
} from '../../src/core/inputs/config';
import { InputError, RunContext } from '../../src/core/inputs/config';
import { parseJob } from '../../src/core/parse';
import { readInputs } from '../../src/core/inputs/read';
import { InputKey, RawInputs } from '../../src/core/inputs/table';
import type { Cloud } from '../../src/core/inputs/clouds';
import { withEnvFallback } from '../../src/github/profile';
import { AZURE_DEVOPS_PROFILE, connectionOf, GITHUB_PROFILE } from './platforms';

/** The backup and restore configuration flattened, so one case can assert on any part. */
interface Config {
  operation: string;
  subscriptionId: string;
  resourceGroup: string;
  serviceName: string;
  storageAccount: string;
  container: string;
  backupName: string;
  storageAccess: ApimStorageAccess;
  timeoutMs: number;
  pollIntervalMs: number;
  cloud: Cloud;
  signIn?: SignIn;
  signInReason?: string;
}

function parseConfig(raw: RawInputs, context: RunContext): Config {
  const config = parseJob(raw, context).config as ReturnType<typeof parseJob>['config'] & {
    instance: { subscriptionId: string; resourceGroup: string; serviceName: string };
    apimAccess: ApimStorageAccess;
    backupName: string;
  };
  return {
    operation: config.operation,
    ...config.instance,
    storageAccount: config.storage.account,
    container: config.storage.container,
    backupName: config.backupName,
    storageAccess: config.apimAccess,
    ...config.timing,
    cloud: config.cloud,
    signIn: config.signIn,
    signInReason: config.signInReason,
  };
}

const SUBSCRIPTION = '0b5c3a8e-1f2d-4c6b-9a7e-2d3f4a5b6c7d';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '11111111-2222-3333-4444-555555555555';
const IDENTITY = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const CLIENT_SECRET = 'Qx8~unit.test-client_secret.value';
const STORAGE_KEY = Buffer.from('unit-test-storage-account-key'.padEnd(64, '#')).toString('base64');
const NOW = new Date(Date.UTC(2024, 2, 5, 7, 8, 9)); // 2024-03-05T07:08:09Z

const GITHUB: RunContext = { profile: GITHUB_PROFILE, now: NOW, runId: '4242', idTokenAvailable: true };
/** Azure DevOps with a service principal connection that has a secret. */
const AZURE_DEVOPS: RunContext = {
  profile: AZURE_DEVOPS_PROFILE,
  connection: connectionOf('client-secret', {
    tenantId: TENANT,
    clientId: CLIENT,
    clientSecret: CLIENT_SECRET,
  }),
  now: NOW,
  runId: '20240305.1',
  idTokenAvailable: false,
};

/** A complete, valid GitHub configuration signing in with OIDC. */
const GITHUB_RAW: RawInputs = {
  operation: 'backup',
  tenantId: TENANT,
  clientId: CLIENT,
  subscriptionId: SUBSCRIPTION,
  resourceGroup: 'rg-apim',
  serviceName: 'contoso-apim',
  storageAccount: 'contosobackups',
  container: 'apim-backups',
};

/** A complete, valid Azure DevOps configuration, with the connection of AZURE_DEVOPS. */
const AZURE_DEVOPS_RAW: RawInputs = {
  operation: 'backup',
  serviceConnection: 'prod-connection',
  subscriptionId: SUBSCRIPTION,
  resourceGroup: 'rg-apim',
  serviceName: 'contoso-apim',
  storageAccount: 'contosobackups',
  container: 'apim-backups',
};

/** Names users see in messages; written out here so the tests do not trust the table they check. */
const GITHUB_NAME: Record<InputKey, string> = {
  operation: 'operation',
  auth: 'auth',
  tenantId: 'tenant-id',
  clientId: 'client-id',
  clientSecret: 'client-secret',
  audience: 'audience',
  serviceConnection: 'service-connection (none on GitHub)',
  subscriptionId: 'subscription-id',
  resourceGroup: 'resource-group',
  serviceName: 'service-name',
  storageAccount: 'storage-account',
  container: 'container',
  backupName: 'backup-name',
  storageAccess: 'storage-access',
  storageKey: 'storage-key',
  storageIdentityClientId: 'storage-identity-client-id',
  timeout: 'timeout',
  pollInterval: 'poll-interval',
  environment: 'environment',
  resourceManagerEndpoint: 'resource-manager-endpoint',
  authorityHost: 'authority-host',
  sourceServiceName: 'source-service-name',
  blobEndpoint: 'blob-endpoint',
  maxAge: 'max-age',
  retentionDays: 'retention-days',
  keepLast: 'keep-last',
  dryRun: 'dry-run',
  listLimit: 'list-limit',
  sourceResourceGroup: 'source-resource-group',
  sourceSubscriptionId: 'source-subscription-id',
  safetyBackup: 'safety-backup',
  safetyBackupName: 'safety-backup-name',
  wait: 'wait',
  operationUrl: 'operation-url',
  maxParallel: 'max-parallel',
  instanceTags: 'instance-tags',
  storageResourceGroup: 'storage-resource-group',
  storageSubscriptionId: 'storage-subscription-id',
  preflight: 'preflight',
};

/** Returns the problems parseConfig reports (none when it accepts the inputs); any other error fails the test. */
function problemsOf(raw: RawInputs, context: RunContext = GITHUB): string[] {
  try {
    parseConfig(raw, context);
    return [];
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
}

/** The InputError parseConfig throws; fails the test when it accepts the inputs. */
function inputError(raw: RawInputs, context: RunContext = GITHUB): InputError {
  let thrown: unknown;
  try {
    parseConfig(raw, context);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InputError);
  return thrown as InputError;
}

/** Adds a short form of each value for test titles. */
function labelled<T extends { value: string | undefined }>(cases: T[]): (T & { shown: string })[] {
  return cases.map((c) => ({
    ...c,
    shown:
      c.value === undefined
        ? '(missing)'
        : c.value.length > 40
          ? `${c.value.slice(0, 10)}… (${c.value.length} characters)`
          : c.value,
  }));
}

function withInput(
  base: RawInputs,
  key: InputKey,
  value: string | undefined,
  extra: RawInputs = {},
): RawInputs {
  const raw: RawInputs = { ...base, ...extra };
  if (value === undefined) delete raw[key];
  else raw[key] = value;
  return raw;
}

describe('parseConfig: a valid configuration', () => {
  it('accepts the base GitHub and Azure DevOps configurations', () => {
    expect(problemsOf(GITHUB_RAW)).toEqual([]);
    expect(problemsOf(AZURE_DEVOPS_RAW, AZURE_DEVOPS)).toEqual([]);
  });

  it('applies the defaults', () => {
    const config = parseConfig(GITHUB_RAW, GITHUB);
    expect(config).toEqual<Config>({
      operation: 'backup',
      subscriptionId: SUBSCRIPTION,
      resourceGroup: 'rg-apim',
      serviceName: 'contoso-apim',
      storageAccount: 'contosobackups',
      container: 'apim-backups',
      backupName: 'contoso-apim-20240305-070809.apimbackup',
      storageAccess: { type: 'SystemAssignedManagedIdentity' },
      timeoutMs: 60 * 60_000,
      pollIntervalMs: 5_000,
      cloud: {
        name: 'AzureCloud',
        resourceManagerEndpoint: 'https://management.azure.com',
        authorityHost: 'https://login.microsoftonline.com',
        storageSuffix: 'core.windows.net',
        customAuthority: false,
      },
      signIn: { method: 'oidc', tenantId: TENANT, clientId: CLIENT, audience: 'api://AzureADTokenExchange' },
      signInReason: expect.any(String),
    });
  });
});

interface GoodCase {
  input: InputKey;
  value: string | undefined;
  with?: RawInputs;
  result?: Partial<Config>;
}

const GOOD: GoodCase[] = [
  // operation
  { input: 'operation', value: 'backup', result: { operation: 'backup' } },
  { input: 'operation', value: 'Backup', result: { operation: 'backup' } },
  {
    input: 'operation',
    value: 'restore',
    with: { backupName: 'saved.apimbackup' },
    result: { operation: 'restore', backupName: 'saved.apimbackup' },
  },
  // subscription-id
  {
    input: 'subscriptionId',
    value: SUBSCRIPTION.toUpperCase(),
    result: { subscriptionId: SUBSCRIPTION.toUpperCase() },
  },
  // tenant-id: a GUID or a domain
  { input: 'tenantId', value: TENANT },
  { input: 'tenantId', value: 'contoso.onmicrosoft.com' },
  { input: 'tenantId', value: 'contoso.com' },
  // client-id
  { input: 'clientId', value: CLIENT.toUpperCase() },
  // audience: free text
  {
    input: 'audience',
    value: 'api://custom-audience',
    result: {
      signIn: { method: 'oidc', tenantId: TENANT, clientId: CLIENT, audience: 'api://custom-audience' },
    },
  },
  // resource-group: 1-90 letters (any script), digits, -_.() and not ending in a period
  { input: 'resourceGroup', value: 'r', result: { resourceGroup: 'r' } },
  { input: 'resourceGroup', value: 'My_RG-01.(test)' },
  { input: 'resourceGroup', value: 'ресурсы-группа' },
  { input: 'resourceGroup', value: 'グループ' },
  { input: 'resourceGroup', value: 'a'.repeat(90) },
  // service-name: 1-50, starts with a letter, letters/digits/hyphens, no trailing hyphen
  { input: 'serviceName', value: 'a' },
  { input: 'serviceName', value: 'Contoso-APIM-01' },
  { input: 'serviceName', value: 'a' + '1'.repeat(49) },
  // storage-account: 3-24 lowercase letters and digits
  { input: 'storageAccount', value: 'abc' },
  { input: 'storageAccount', value: 'backup2024' },
  { input: 'storageAccount', value: 'a'.repeat(24) },
  // container: 3-63 lowercase letters, digits, single hyphens; starts and ends with a letter or digit
  { input: 'container', value: 'abc' },
  { input: 'container', value: '123' },
  { input: 'container', value: 'a-b' },
  { input: 'container', value: 'apim-backups-2024' },
  { input: 'container', value: 'a'.repeat(63) },
  // backup-name: 1-1024 characters, no trailing period or slash
  { input: 'backupName', value: 'x', result: { backupName: 'x' } },
  {
    input: 'backupName',
    value: 'nightly/backup.apimbackup',
    result: { backupName: 'nightly/backup.apimbackup' },
  },
  { input: 'backupName', value: 'a'.repeat(1024) },
  {
    input: 'backupName',
    value: '{resource-group}/{date}/{service}-{time}-{run-id}.apimbackup',
    result: { backupName: 'rg-apim/2024-03-05/contoso-apim-070809-4242.apimbackup' },
  },
  // storage-access, with the REST spellings, case-insensitive
  {
    input: 'storageAccess',
    value: 'auto',
    result: { storageAccess: { type: 'SystemAssignedManagedIdentity' } },
  },
  {
    input: 'storageAccess',
    value: 'auto',
    with: { storageKey: STORAGE_KEY },
    result: { storageAccess: { type: 'AccessKey', key: STORAGE_KEY } },
  },
  {
    input: 'storageAccess',
    value: 'access-key',
    with: { storageKey: STORAGE_KEY },
    result: { storageAccess: { type: 'AccessKey', key: STORAGE_KEY } },
  },
  {
    input: 'storageAccess',
    value: 'AccessKey',
    with: { storageKey: STORAGE_KEY },
    result: { storageAccess: { type: 'AccessKey', key: STORAGE_KEY } },
  },
  {
    input: 'storageAccess',
    value: 'ACCESS-KEY',
    with: { storageKey: STORAGE_KEY },
    result: { storageAccess: { type: 'AccessKey', key: STORAGE_KEY } },
  },
  {
    input: 'storageAccess',
    value: 'system-assigned-identity',
    result: { storageAccess: { type: 'SystemAssignedManagedIdentity' } },
  },
  {
    input: 'storageAccess',
    value: 'SystemAssignedManagedIdentity',
    result: { storageAccess: { type: 'SystemAssignedManagedIdentity' } },
  },
  {
    input: 'storageAccess',
    value: 'systemassignedmanagedidentity',
    result: { storageAccess: { type: 'SystemAssignedManagedIdentity' } },
  },
  {
    input: 'storageAccess',
    value: 'user-assigned-identity',
    with: { storageIdentityClientId: IDENTITY },
    result: { storageAccess: { type: 'UserAssignedManagedIdentity', clientId: IDENTITY } },
  },
  {
    input: 'storageAccess',
    value: 'UserAssignedManagedIdentity',
    with: { storageIdentityClientId: IDENTITY },
    result: { storageAccess: { type: 'UserAssignedManagedIdentity', clientId: IDENTITY } },
  },
  // storage-key: a base64 key
  {
    input: 'storageKey',
    value: 'abc+/def0123==',
    with: { storageAccess: 'access-key' },
    result: { storageAccess: { type: 'AccessKey', key: 'abc+/def0123==' } },
  },
  // storage-identity-client-id: a GUID
  {
    input: 'storageIdentityClientId',
    value: IDENTITY.toUpperCase(),
    with: { storageAccess: 'user-assigned-identity' },
    result: { storageAccess: { type: 'UserAssignedManagedIdentity', clientId: IDENTITY.toUpperCase() } },
  },
  // timeout: 1s..24h, a bare number is minutes
  { input: 'timeout', value: '90s', result: { timeoutMs: 90_000 } },
  { input: 'timeout', value: '45m', result: { timeoutMs: 45 * 60_000 } },
  { input: 'timeout', value: '1h30m', result: { timeoutMs: 90 * 60_000 } },
  { input: 'timeout', value: '1H30M', result: { timeoutMs: 90 * 60_000 } },
  { input: 'timeout', value: '90', result: { timeoutMs: 90 * 60_000 } },
  { input: 'timeout', value: '1s', with: { pollInterval: '1s' }, result: { timeoutMs: 1_000 } },
  { input: 'timeout', value: '24h', result: { timeoutMs: 24 * 3_600_000 } },
  { input: 'timeout', value: '1440', result: { timeoutMs: 24 * 3_600_000 } },
  // poll-interval: 1s..10m, a bare number is seconds, not longer than the timeout
  { input: 'pollInterval', value: '1s', result: { pollIntervalMs: 1_000 } },
  { input: 'pollInterval', value: '30', result: { pollIntervalMs: 30_000 } },
  { input: 'pollInterval', value: '1m', result: { pollIntervalMs: 60_000 } },
  { input: 'pollInterval', value: '600', result: { pollIntervalMs: 600_000 } },
  { input: 'pollInterval', value: '10m', result: { pollIntervalMs: 600_000 } },
  {
    input: 'pollInterval',
    value: '60',
    with: { timeout: '1' },
    result: { pollIntervalMs: 60_000, timeoutMs: 60_000 },
  },
  // environment
  { input: 'environment', value: 'AzureCloud' },
  {
    input: 'environment',
    value: 'AzureUSGovernment',
    result: {
      cloud: {
        name: 'AzureUSGovernment',
        resourceManagerEndpoint: 'https://management.usgovcloudapi.net',
        authorityHost: 'https://login.microsoftonline.us',
        storageSuffix: 'core.usgovcloudapi.net',
        customAuthority: false,
      },
    },
  },
  {
    input: 'environment',
    value: 'AzureChinaCloud',
    result: {
      cloud: {
        name: 'AzureChinaCloud',
        resourceManagerEndpoint: 'https://management.chinacloudapi.cn',
        authorityHost: 'https://login.chinacloudapi.cn',
        storageSuffix: 'core.chinacloudapi.cn',
        customAuthority: false,
      },
    },
  },
  { input: 'environment', value: 'azurechinacloud' },
  // https-only endpoint overrides
  { input: 'resourceManagerEndpoint', value: 'https://management.contoso.example/' },
  { input: 'resourceManagerEndpoint', value: 'https://127.0.0.1:8443' },
  { input: 'authorityHost', value: 'https://login.contoso.example' },
  { input: 'authorityHost', value: 'https://127.0.0.1:8444/' },
  // auth
  { input: 'auth', value: 'auto' },
  { input: 'auth', value: 'oidc' },
  { input: 'auth', value: 'OIDC' },
  { input: 'auth', value: 'client-secret', with: { clientSecret: CLIENT_SECRET } },
  { input: 'auth', value: 'managed-identity' },
  { input: 'auth', value: 'azure-cli' },
];

describe('parseConfig accepts', () => {
  it.each(labelled(GOOD))('$input = $shown', ({ input, value, with: extra, result }) => {
    const raw = withInput(GITHUB_RAW, input, value, extra);
    expect(problemsOf(raw)).toEqual([]);
    if (result) expect(parseConfig(raw, GITHUB)).toMatchObject(result);
  });
});

interface BadCase {
  input: InputKey;
  value: string | undefined;
  with?: RawInputs;
  /** The input the problem names, when not `input`. */
  blame?: InputKey;
  /** Text the problem must contain besides the input's name. */
  says?: string;
  /** False when the message does not quote the value. */
  quoted?: boolean;
}

const BAD: BadCase[] = [
  // operation
  { input: 'operation', value: undefined, says: 'is required' },
  { input: 'operation', value: 'clone', says: 'must be backup, restore, copy, list, verify, prune' },
  {
    input: 'operation',
    value: 'restore',
    blame: 'backupName',
    says: 'is required for a restore',
    quoted: false,
  },
  // subscription-id
  { input: 'subscriptionId', value: undefined, says: 'is required' },
  { input: 'subscriptionId', value: 'my-subscription', says: 'GUID' },
  { input: 'subscriptionId', value: SUBSCRIPTION.replace(/-/g, ''), says: 'GUID' },
  { input: 'subscriptionId', value: `{${SUBSCRIPTION}}`, says: 'GUID' },
  { input: 'subscriptionId', value: SUBSCRIPTION.slice(0, -1), says: 'GUID' },
  { input: 'subscriptionId', value: SUBSCRIPTION.replace('0', 'g'), says: 'GUID' },
  // tenant-id
  { input: 'tenantId', value: 'contoso', says: 'tenant GUID or a domain' },
  {
    input: 'tenantId',
    value: 'https://login.microsoftonline.com/contoso.com',
    says: 'tenant GUID or a domain',
  },
  { input: 'tenantId', value: 'contoso .com', says: 'tenant GUID or a domain' },
  // client-id
  { input: 'clientId', value: 'my-app-registration', says: 'GUID' },
  // resource-group
  { input: 'resourceGroup', value: undefined, says: 'is required' },
  { input: 'resourceGroup', value: 'a'.repeat(91), says: '1-90' },
  { input: 'resourceGroup', value: 'rg-apim.', says: 'not ending in a period' },
  { input: 'resourceGroup', value: 'rg apim', says: '1-90' },
  { input: 'resourceGroup', value: 'rg/apim', says: '1-90' },
  { input: 'resourceGroup', value: 'rg#1', says: '1-90' },
  // service-name
  { input: 'serviceName', value: undefined, says: 'is required' },
  { input: 'serviceName', value: '1apim', says: 'start with a letter' },
  { input: 'serviceName', value: '-apim', says: 'start with a letter' },
  { input: 'serviceName', value: 'apim-', says: 'not end with a hyphen' },
  { input: 'serviceName', value: 'apim_1', says: '1-50' },
  { input: 'serviceName', value: 'apim.contoso', says: '1-50' },
  { input: 'serviceName', value: 'a'.repeat(51), says: '1-50' },
  // storage-account
  { input: 'storageAccount', value: undefined, says: 'is required' },
  { input: 'storageAccount', value: 'ab', says: '3-24 lowercase' },
  { input: 'storageAccount', value: 'a'.repeat(25), says: '3-24 lowercase' },
  { input: 'storageAccount', value: 'ContosoBackups', says: '3-24 lowercase' },
  { input: 'storageAccount', value: 'contoso-backups', says: '3-24 lowercase' },
  { input: 'storageAccount', value: 'contoso_backups', says: '3-24 lowercase' },
  // container
  { input: 'container', value: undefined, says: 'is required' },
  { input: 'container', value: 'ab', says: '3-63' },
  { input: 'container', value: 'a'.repeat(64), says: '3-63' },
  { input: 'container', value: 'Backups', says: '3-63' },
  { input: 'container', value: '-backups', says: 'starting and ending with a letter or digit' },
  { input: 'container', value: 'backups-', says: 'starting and ending with a letter or digit' },
  { input: 'container', value: 'apim--backups', says: 'single hyphens' },
  { input: 'container', value: 'apim_backups', says: '3-63' },
  // backup-name
  { input: 'backupName', value: 'a'.repeat(1025), says: '1-1024' },
  { input: 'backupName', value: 'backup.', says: 'must not end with a period or a slash' },
  { input: 'backupName', value: 'nightly/', says: 'must not end with a period or a slash' },
  { input: 'backupName', value: 'back\\slash', says: 'backslash' },
  { input: 'backupName', value: '{nope}.apimbackup', says: 'unknown placeholder {nope}' },
  { input: 'backupName', value: '{service}.{date}.{unknown}', says: 'unknown placeholder {unknown}' },
  // storage-access
  { input: 'storageAccess', value: 'sas', says: 'must be auto, access-key' },
  { input: 'storageAccess', value: 'managed-identity', says: 'must be auto, access-key' },
  { input: 'storageAccess', value: 'key', says: 'must be auto, access-key' },
  { input: 'storageAccess', value: 'constructor', says: 'must be auto, access-key' },
  { input: 'storageAccess', value: '__proto__', says: 'must be auto, access-key' },
  {
    input: 'storageAccess',
    value: 'access-key',
    blame: 'storageKey',
    says: 'is required for access-key storage access',
    quoted: false,
  },
  {
    input: 'storageAccess',
    value: 'user-assigned-identity',
    blame: 'storageIdentityClientId',
    says: 'is required for user-assigned-identity storage access',
    quoted: false,
  },
  // storage-key (its value is never quoted)
  { input: 'storageKey', value: 'not base64 at all!', with: { storageAccess: 'access-key' }, says: 'base64' },
  {
    input: 'storageKey',
    value: STORAGE_KEY,
    with: { storageAccess: 'system-assigned-identity' },
    says: 'only used with access-key storage access',
  },
  {
    input: 'storageKey',
    value: STORAGE_KEY,
    with: { storageAccess: 'SystemAssignedManagedIdentity' },
    says: 'only used with access-key storage access',
  },
  {
    input: 'storageKey',
    value: STORAGE_KEY,
    with: { storageAccess: 'user-assigned-identity', storageIdentityClientId: IDENTITY },
    says: 'only used with access-key storage access',
  },
  // storage-identity-client-id
  {
    input: 'storageIdentityClientId',
    value: 'my-identity',
    with: { storageAccess: 'user-assigned-identity' },
    says: 'GUID',
  },
  {
    input: 'storageIdentityClientId',
    value: IDENTITY,
    with: { storageAccess: 'system-assigned-identity' },
    says: 'only used with user-assigned-identity storage access',
    quoted: false,
  },
  {
    input: 'storageIdentityClientId',
    value: IDENTITY,
    with: { storageAccess: 'access-key', storageKey: STORAGE_KEY },
    says: 'only used with user-assigned-identity storage access',
    quoted: false,
  },
  // timeout
  { input: 'timeout', value: '0', says: 'between 1s and 24h' },
  { input: 'timeout', value: '0s', says: 'between 1s and 24h' },
  { input: 'timeout', value: '25h', says: 'between 1s and 24h' },
  { input: 'timeout', value: '24h1s', says: 'between 1s and 24h' },
  { input: 'timeout', value: '1441', says: 'between 1s and 24h' },
  { input: 'timeout', value: '1.5h', says: 'a bare number means minutes' },
  { input: 'timeout', value: '-5', says: 'is not a duration' },
  { input: 'timeout', value: 'soon', says: 'is not a duration' },
  { input: 'timeout', value: '30 minutes', says: 'is not a duration' },
  { input: 'timeout', value: '2d', says: 'must be between 1s and 24h' },
  // the catalog operations
  { input: 'maxAge', value: 'soon', with: { operation: 'verify' }, says: 'is not a duration' },
  { input: 'maxAge', value: '0', with: { operation: 'verify' }, says: 'between 1m and 30d' },
  { input: 'maxAge', value: '31d', with: { operation: 'verify' }, says: 'between 1m and 30d' },
  { input: 'retentionDays', value: '0', with: { operation: 'prune' }, says: 'whole number from 1' },
  { input: 'retentionDays', value: '-3', with: { operation: 'prune' }, says: 'whole number from 1' },
  { input: 'retentionDays', value: '7.5', with: { operation: 'prune' }, says: 'whole number from 1' },
  { input: 'keepLast', value: '0', with: { operation: 'prune' }, says: 'whole number from 1' },
  { input: 'keepLast', value: 'all', with: { operation: 'prune' }, says: 'whole number from 1' },
  { input: 'dryRun', value: 'maybe', with: { operation: 'prune' }, says: 'must be true or false' },
  { input: 'listLimit', value: '0', with: { operation: 'list' }, says: 'whole number from 1 to 1000' },
  { input: 'listLimit', value: '1001', with: { operation: 'prune' }, says: 'whole number from 1 to 1000' },
  { input: 'listLimit', value: 'all', with: { operation: 'list' }, says: 'whole number from 1 to 1000' },
  { input: 'backupName', value: 'latest', says: 'is only for a restore' },
  { input: 'blobEndpoint', value: 'ftp://127.0.0.1/x', says: 'must be an http(s) URL' },
  { input: 'blobEndpoint', value: 'not a url', says: 'must be an http(s) URL' },
  { input: 'blobEndpoint', value: 'https://x.blob.core.windows.net/?sv=1&sig=abc', says: 'without a query' },
  { input: 'blobEndpoint', value: 'http://127.0.0.1:10000/devstoreaccount1', says: 'must be https when' },
  {
    input: 'sourceServiceName',
    value: 'bad_name',
    with: { operation: 'list' },
    says: 'must be 1-50 letters',
  },
  { input: 'timeout', value: '30m1h', says: 'is not a duration' },
  // poll-interval
  { input: 'pollInterval', value: '0', says: 'between 1s and 10m' },
  { input: 'pollInterval', value: '601', says: 'between 1s and 10m' },
  { input: 'pollInterval', value: '11m', says: 'between 1s and 10m' },
  { input: 'pollInterval', value: '0.5', says: 'a bare number means seconds' },
  { input: 'pollInterval', value: '5x', says: 'is not a duration' },
  {
    input: 'pollInterval',
    value: '2m',
    with: { timeout: '1m' },
    says: 'must not be longer than timeout',
    quoted: false,
  },
  {
    input: 'pollInterval',
    value: '61',
    with: { timeout: '1' },
    says: 'must not be longer than timeout',
    quoted: false,
  },
  // pre-flight: where the storage account is, and the switch
  { input: 'storageResourceGroup', value: 'rg with spaces', says: 'must be 1-90 letters' },
  { input: 'storageSubscriptionId', value: 'not-a-guid', says: 'must be a GUID' },
  { input: 'preflight', value: 'maybe', says: 'must be true or false' },
  // environment
  {
    input: 'environment',
    value: 'AzureGermanCloud',
    says: 'must be AzureCloud, AzureUSGovernment or AzureChinaCloud',
  },
  { input: 'environment', value: 'public', says: 'must be AzureCloud' },
  // endpoint overrides must be https URLs
  { input: 'resourceManagerEndpoint', value: 'http://localhost:8080', says: 'https URL' },
  { input: 'resourceManagerEndpoint', value: 'management.azure.com', says: 'https URL' },
  { input: 'resourceManagerEndpoint', value: 'ftp://management.example', says: 'https URL' },
  { input: 'authorityHost', value: 'http://127.0.0.1:8444', says: 'https URL' },
  { input: 'authorityHost', value: 'login', says: 'https URL' },
  // auth
  {
    input: 'auth',
    value: 'password',
    says: 'must be auto, oidc, client-secret, managed-identity, azure-cli',
  },
  { input: 'auth', value: 'client-certificate', says: 'must be auto, oidc' },
  {
    input: 'auth',
    value: 'client-secret',
    blame: 'clientSecret',
    says: 'is required to sign in with a client secret',
    quoted: false,
  },
];

describe('parseConfig refuses, with exactly one problem naming the GitHub input,', () => {
  it.each(labelled(BAD))('$input = $shown', ({ input, value, with: extra, blame, says, quoted }) => {
    const problems = problemsOf(withInput(GITHUB_RAW, input, value, extra));
    expect(problems).toHaveLength(1);
    const [problem] = problems;
    expect(problem.startsWith(`${GITHUB_NAME[blame ?? input]} `)).toBe(true);
    if (says) expect(problem).toContain(says);
    const secret = input === 'storageKey' || input === 'clientSecret';
    if (value !== undefined && !secret && quoted !== false && !blame) {
      expect(problem).toContain(`'${value}'`);
    }
    if (value !== undefined && secret) expect(problem).not.toContain(value);
  });
});

describe('parseConfig: normalisation', () => {
  it('trims trailing slashes from endpoint overrides and marks an unknown authority as custom', () => {
    const config = parseConfig(
      {
        ...GITHUB_RAW,
        resourceManagerEndpoint: 'https://127.0.0.1:8443//',
        authorityHost: 'https://127.0.0.1:8444/',
      },
      GITHUB,
    );
    expect(config.cloud).toEqual({
      name: 'AzureCloud',
      resourceManagerEndpoint: 'https://127.0.0.1:8443',
      authorityHost: 'https://127.0.0.1:8444',
      storageSuffix: 'core.windows.net',
      customAuthority: true,
    });
  });

  it('keeps a known authority given with a trailing slash as not custom', () => {
    const config = parseConfig(
      { ...GITHUB_RAW, environment: 'AzureUSGovernment', authorityHost: 'https://login.microsoftonline.us/' },
      GITHUB,
    );
    expect(config.cloud.authorityHost).toBe('https://login.microsoftonline.us');
    expect(config.cloud.customAuthority).toBe(false);
    expect(config.cloud.resourceManagerEndpoint).toBe('https://management.usgovcloudapi.net');
  });

  it('resolves the default backup name with the UTC timestamp', () => {
    const late = new Date(Date.UTC(2024, 11, 31, 23, 59, 58));
    expect(parseConfig(GITHUB_RAW, { ...GITHUB, now: late }).backupName).toBe(
      'contoso-apim-20241231-235958.apimbackup',
    );
  });

  it('refuses {run-id} when the run has no id', () => {
    const problems = problemsOf(
      { ...GITHUB_RAW, backupName: '{service}-{run-id}.apimbackup' },
      { ...GITHUB, runId: undefined },
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^backup-name '\{service\}-\{run-id\}\.apimbackup': .*\{run-id\}.*run id/);
  });

  it('checks the expanded backup name against the blob rules', () => {
    const problems = problemsOf({ ...GITHUB_RAW, backupName: '{service}/' });
    expect(problems).toEqual([
      expect.stringMatching(/^backup-name 'contoso-apim\/' must not end with a period or a slash$/),
    ]);
  });

  it('normalises every storage access type', () => {
    const access = (raw: RawInputs) => parseConfig({ ...GITHUB_RAW, ...raw }, GITHUB).storageAccess;
    expect(access({})).toEqual({ type: 'SystemAssignedManagedIdentity' });
    expect(access({ storageKey: STORAGE_KEY })).toEqual({ type: 'AccessKey', key: STORAGE_KEY });
    expect(
      access({ storageAccess: 'UserAssignedManagedIdentity', storageIdentityClientId: IDENTITY }),
    ).toEqual({
      type: 'UserAssignedManagedIdentity',
      clientId: IDENTITY,
    });
  });
});

describe('parseConfig: sign-in selection on GitHub (auth: auto)', () => {
  type Case = [label: string, raw: RawInputs, context: Partial<RunContext>, expected: Config['signIn']];
  const cases: Case[] = [
    [
      'a client secret wins over an ID token',
      { clientSecret: CLIENT_SECRET },
      { idTokenAvailable: true, azureCliSignedIn: true },
      { method: 'client-secret', tenantId: TENANT, clientId: CLIENT, clientSecret: CLIENT_SECRET },
    ],
    [
      'a client ID with an ID token is OIDC',
      {},
      { idTokenAvailable: true, azureCliSignedIn: true },
      { method: 'oidc', tenantId: TENANT, clientId: CLIENT, audience: 'api://AzureADTokenExchange' },
    ],
    [
      'an Azure CLI session without a client ID',
      { clientId: undefined, tenantId: undefined },
      { idTokenAvailable: true, azureCliSignedIn: true },
      { method: 'azure-cli', tenantId: undefined },
    ],
    [
      'an Azure CLI session when the runner offers no ID token',
      {},
      { idTokenAvailable: false, azureCliSignedIn: true },
      { method: 'azure-cli', tenantId: TENANT },
    ],
    [
      'managed identity when nothing else is there',
      { clientId: undefined, tenantId: undefined },
      { idTokenAvailable: false },
      { method: 'managed-identity', clientId: undefined },
    ],
    [
      'managed identity with a user-assigned client ID',
      { tenantId: undefined },
      { idTokenAvailable: false },
      { method: 'managed-identity', clientId: CLIENT },
    ],
    [
      'managed identity with a tenant but no client ID, even with an ID token',
      { clientId: undefined },
      { idTokenAvailable: true },
      { method: 'managed-identity', clientId: undefined },
    ],
  ];

  it.each(cases)('%s', (_label, raw, context, expected) => {
    const config = parseConfig({ ...GITHUB_RAW, ...raw }, { ...GITHUB, ...context });
    expect(config.signIn).toEqual(expected);
    expect(config.signInReason).not.toBe('');
  });

  it('tenant and client ID without an ID token: OIDC, with the permission to add', () => {
    const problems = problemsOf(GITHUB_RAW, { ...GITHUB, idTokenAvailable: false });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('permissions: id-token: write');
    expect(problems[0]).toContain('ID token');
  });

  it('a client ID with an ID token but no tenant: OIDC needs tenant-id', () => {
    expect(problemsOf({ ...GITHUB_RAW, tenantId: undefined })).toEqual([
      'tenant-id is required to sign in with OIDC (workload identity federation)',
    ]);
  });

  it('a client secret without tenant or client ID names both', () => {
    const problems = problemsOf({
      ...GITHUB_RAW,
      tenantId: undefined,
      clientId: undefined,
      clientSecret: CLIENT_SECRET,
    });
    expect(problems).toEqual([
      'tenant-id is required to sign in with a client secret',
      'client-id is required to sign in with a client secret',
    ]);
  });
});

describe('parseConfig: explicit auth on GitHub', () => {
  it('oidc uses the configured audience', () => {
    const config = parseConfig({ ...GITHUB_RAW, auth: 'oidc', audience: 'api://other' }, GITHUB);
    expect(config.signIn).toEqual({
      method: 'oidc',
      tenantId: TENANT,
      clientId: CLIENT,
      audience: 'api://other',
    });
    expect(config.signInReason).toContain('auth');
  });

  it('oidc without an ID token, tenant or client reports all three', () => {
    const problems = problemsOf(
      { ...GITHUB_RAW, auth: 'oidc', tenantId: undefined, clientId: undefined },
      { ...GITHUB, idTokenAvailable: false },
    );
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^tenant-id is required/);
    expect(problems[1]).toMatch(/^client-id is required/);
    expect(problems[2]).toContain('permissions: id-token: write');
  });

  it('client-secret signs in with the secret even when an ID token is offered', () => {
    const config = parseConfig({ ...GITHUB_RAW, auth: 'client-secret', clientSecret: CLIENT_SECRET }, GITHUB);
    expect(config.signIn).toEqual({
      method: 'client-secret',
      tenantId: TENANT,
      clientId: CLIENT,
      clientSecret: CLIENT_SECRET,
    });
  });

  it('managed-identity ignores the tenant and passes a client ID on', () => {
    const config = parseConfig({ ...GITHUB_RAW, auth: 'managed-identity' }, GITHUB);
    expect(config.signIn).toEqual({ method: 'managed-identity', clientId: CLIENT });
  });

  it('managed-identity checks a given client ID', () => {
    expect(problemsOf({ ...GITHUB_RAW, auth: 'managed-identity', clientId: 'my-identity' })).toEqual([
      expect.stringMatching(/^client-id 'my-identity' must be a GUID/),
    ]);
  });

  it('azure-cli passes the tenant on and checks it', () => {
    expect(parseConfig({ ...GITHUB_RAW, auth: 'Azure-CLI' }, GITHUB).signIn).toEqual({
      method: 'azure-cli',
      tenantId: TENANT,
    });
    expect(problemsOf({ ...GITHUB_RAW, auth: 'azure-cli', tenantId: 'contoso' })).toEqual([
      expect.stringMatching(/^tenant-id 'contoso' must be a tenant GUID or a domain/),
    ]);
  });
});

describe('parseConfig on Azure DevOps', () => {
  /** Task inputs the user writes in YAML, with the camelCase names messages must use. */
  const TASK_INPUTS: [key: InputKey, bad: string, name: string, extra: RawInputs][] = [
    ['operation', 'clone', 'operation', {}],
    ['subscriptionId', 'my-subscription', 'subscriptionId', {}],
    ['resourceGroup', 'rg.', 'resourceGroupName', {}],
    ['serviceName', '1apim', 'serviceName', {}],
    ['storageAccount', 'Backups', 'storageAccount', {}],
    ['container', 'a', 'containerName', {}],
    ['backupName', 'backup.', 'backupName', {}],
    ['storageAccess', 'sas', 'storageAccess', {}],
    ['storageKey', 'not base64!', 'storageKey', { storageAccess: 'access-key' }],
    [
      'storageIdentityClientId',
      'my-identity',
      'storageIdentityClientId',
      { storageAccess: 'user-assigned-identity' },
    ],
    ['timeout', 'soon', 'timeout', {}],
    ['pollInterval', '0', 'pollInterval', {}],
  ];

  it.each(TASK_INPUTS)('a bad %s is reported under its task.json name', (key, bad, name, extra) => {
    const problems = problemsOf(withInput(AZURE_DEVOPS_RAW, key, bad, extra), AZURE_DEVOPS);
    expect(problems).toHaveLength(1);
    expect(problems[0].startsWith(`${name} `)).toBe(true);
    // Kebab-case GitHub names must not leak into Azure DevOps messages.
    if (GITHUB_NAME[key].includes('-')) expect(problems[0]).not.toContain(GITHUB_NAME[key]);
  });

  it.each([
    ['resourceGroup', 'resourceGroupName'],
    ['container', 'containerName'],
    ['storageAccount', 'storageAccount'],
  ] as const)('a missing %s is reported as %s', (key, name) => {
    expect(problemsOf(withInput(AZURE_DEVOPS_RAW, key, undefined), AZURE_DEVOPS)).toEqual([
      `${name} is required`,
    ]);
  });

  it('names the storage key input in camelCase when a blob endpoint carries a SAS token', () => {
    const problems = problemsOf(
      { ...AZURE_DEVOPS_RAW, blobEndpoint: 'https://x.blob.core.windows.net/?sv=1&sig=abc' },
      AZURE_DEVOPS,
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^blobEndpoint '.*' must be a URL without a query or fragment/);
    expect(problems[0]).toContain('(no SAS token: give storageKey)');
    expect(problems[0]).not.toContain('storage-key');
  });

  it('names poll-interval and timeout in camelCase', () => {
    expect(problemsOf({ ...AZURE_DEVOPS_RAW, timeout: '1m', pollInterval: '2m' }, AZURE_DEVOPS)).toEqual([
      'pollInterval must not be longer than timeout',
    ]);
  });

  it('names the storage inputs in camelCase when they conflict', () => {
    expect(problemsOf({ ...AZURE_DEVOPS_RAW, storageAccess: 'access-key' }, AZURE_DEVOPS)).toEqual([
      'storageKey is required for access-key storage access',
    ]);
    const problems = problemsOf(
      { ...AZURE_DEVOPS_RAW, storageAccess: 'system-assigned-identity', storageKey: STORAGE_KEY },
      AZURE_DEVOPS,
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^storageKey is only used with access-key storage access; .*storageAccess$/);
  });

  it('requires the service connection, named azureSubscription, and then checks no sign-in', () => {
    const raw = { ...AZURE_DEVOPS_RAW, serviceConnection: undefined };
    expect(problemsOf(raw, { ...AZURE_DEVOPS, connection: undefined })).toEqual([
      'azureSubscription is required',
    ]);
  });

  it('says when the agent does not know the connection named, and then checks no sign-in', () => {
    expect(
      problemsOf(
        { ...AZURE_DEVOPS_RAW, serviceConnection: 'prod-typo' },
        { ...AZURE_DEVOPS, connection: { found: false, name: 'prod-typo' } },
      ),
    ).toEqual([
      "azureSubscription 'prod-typo' was not found: check the name or ID, and that this pipeline is authorised to use the connection",
    ]);
  });

  it('lets a subscriptionId input override the connection’s subscription', () => {
    const connection = connectionOf('client-secret', {
      tenantId: TENANT,
      clientId: CLIENT,
      clientSecret: CLIENT_SECRET,
      subscriptionId: IDENTITY,
    });
    const context = { ...AZURE_DEVOPS, connection };
    expect(parseConfig(AZURE_DEVOPS_RAW, context).subscriptionId).toBe(SUBSCRIPTION);
    expect(parseConfig({ ...AZURE_DEVOPS_RAW, subscriptionId: undefined }, context).subscriptionId).toBe(
      IDENTITY,
    );
  });

  const signInWith = (
    method: ConnectionSignInMethod | undefined,
    values: ConnectionValues,
    context: Partial<RunContext> = {},
  ): RunContext => ({ ...AZURE_DEVOPS, connection: connectionOf(method, values), ...context });
  const connection = (
    method: ConnectionSignInMethod,
    values: ConnectionValues,
    context: Partial<RunContext> = {},
  ) => parseConfig(AZURE_DEVOPS_RAW, signInWith(method, values, context)).signIn;
  const PEM =
    '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----';

  it('maps each connection scheme to a sign-in method', () => {
    expect(
      connection('client-secret', { tenantId: TENANT, clientId: CLIENT, clientSecret: CLIENT_SECRET }),
    ).toEqual({
      method: 'client-secret',
      tenantId: TENANT,
      clientId: CLIENT,
      clientSecret: CLIENT_SECRET,
    });
    expect(
      connection('client-certificate', { tenantId: TENANT, clientId: CLIENT, clientCertificate: PEM }),
    ).toEqual({
      method: 'client-certificate',
      tenantId: TENANT,
      clientId: CLIENT,
      certificatePem: PEM,
    });
    expect(connection('oidc', { tenantId: TENANT, clientId: CLIENT }, { idTokenAvailable: true })).toEqual({
      method: 'oidc',
      tenantId: TENANT,
      clientId: CLIENT,
      audience: 'api://AzureADTokenExchange',
    });
    expect(connection('managed-identity', { tenantId: TENANT })).toEqual({
      method: 'managed-identity',
      clientId: undefined,
    });
  });

  it('refuses a certificate connection without a private key', () => {
    expect(
      problemsOf(
        AZURE_DEVOPS_RAW,
        signInWith('client-certificate', { tenantId: TENANT, clientId: CLIENT, clientCertificate: 'MIIC' }),
      ),
    ).toEqual(["the service connection's certificate is missing or has no private key"]);
  });

  it('refuses a workload identity connection on an agent without the OIDC endpoint', () => {
    const problems = problemsOf(AZURE_DEVOPS_RAW, signInWith('oidc', { tenantId: TENANT, clientId: CLIENT }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('SYSTEM_OIDCREQUESTURI');
  });

  it.each(['UsernamePassword', 'PublishProfile'])('refuses the scheme %s', (scheme) => {
    const context = { ...AZURE_DEVOPS, connection: connectionOf(undefined, { tenantId: TENANT }, scheme) };
    const problems = problemsOf(AZURE_DEVOPS_RAW, context);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`scheme '${scheme}' is not supported`);
    expect(problems[0]).toContain('ServicePrincipal, WorkloadIdentityFederation or ManagedServiceIdentity');
  });

  it("names connection-provided values as the service connection's", () => {
    const problems = problemsOf(
      AZURE_DEVOPS_RAW,
      signInWith('client-secret', { tenantId: 'contoso', clientSecret: CLIENT_SECRET }),
    );
    expect(problems).toEqual([
      "the service connection's tenant id 'contoso' must be a tenant GUID or a domain such as contoso.onmicrosoft.com",
      "the service connection's client id is required to sign in with a client secret",
    ]);
  });
});

describe('parseConfig reports every problem at once', () => {
  const SECRETS = [CLIENT_SECRET, 'not base64: secret storage key!'];
  const ALL_BAD: RawInputs = {
    operation: 'clone',
    auth: 'client-secret',
    tenantId: 'contoso',
    clientId: 'my-app',
    clientSecret: SECRETS[0],
    subscriptionId: 'my-subscription',
    resourceGroup: 'rg.',
    serviceName: '1apim',
    storageAccount: 'Backups',
    container: 'ab',
    backupName: '{nope}.apimbackup',
    storageAccess: 'access-key',
    storageKey: SECRETS[1],
    timeout: 'soon',
    pollInterval: '0',
    environment: 'Mars',
    resourceManagerEndpoint: 'http://localhost',
    authorityHost: 'login',
  };

  it('on GitHub, in one InputError naming each input', () => {
    const error = inputError(ALL_BAD);
    const named = error.problems.map((problem) => problem.split(' ')[0]).sort();
    expect(named).toEqual(
      [
        'operation',
        'tenant-id',
        'client-id',
        'subscription-id',
        'resource-group',
        'service-name',
        'storage-account',
        'container',
        'backup-name',
        'storage-key',
        'timeout',
        'poll-interval',
        'environment',
        'resource-manager-endpoint',
        'authority-host',
      ].sort(),
    );
    expect(error.name).toBe('InputError');
    expect(error.message).toContain('nothing was sent to Azure');
    for (const problem of error.problems) expect(error.message).toContain(`  - ${problem}\n`.trimEnd());
  });

  it('on Azure DevOps, in one InputError with the task names', () => {
    const raw: RawInputs = { ...AZURE_DEVOPS_RAW, ...ALL_BAD };
    delete raw.serviceConnection;
    const error = inputError(raw, { ...AZURE_DEVOPS, connection: undefined });
    expect(error.problems).toEqual(
      expect.arrayContaining([
        'azureSubscription is required',
        expect.stringMatching(/^resourceGroupName 'rg\.'/),
        expect.stringMatching(/^containerName 'ab'/),
        expect.stringMatching(/^storageKey is not a base64/),
        expect.stringMatching(/^pollInterval '0'/),
      ]),
    );
    // Without a connection, the sign-in is not checked.
    expect(error.problems.filter((problem) => /tenant id|client id|sign in|scheme/.test(problem))).toEqual(
      [],
    );
  });

  type SecretCase = [label: string, raw: RawInputs, context: RunContext];
  const secretCases: SecretCase[] = [
    ['everything wrong on GitHub', ALL_BAD, GITHUB],
    [
      'everything wrong on Azure DevOps',
      { ...ALL_BAD, serviceConnection: 'c' },
      {
        ...AZURE_DEVOPS,
        connection: connectionOf(
          'client-secret',
          { tenantId: 'contoso', clientId: 'my-app', clientSecret: SECRETS[0] },
          'ServicePrincipal',
          'c',
        ),
      },
    ],
    ['an invalid key', { ...GITHUB_RAW, storageAccess: 'access-key', storageKey: SECRETS[1] }, GITHUB],
    [
      'a key with identity access',
      { ...GITHUB_RAW, storageAccess: 'system-assigned-identity', storageKey: SECRETS[1] },
      GITHUB,
    ],
    ['a key with an unknown access', { ...GITHUB_RAW, storageAccess: 'sas', storageKey: SECRETS[1] }, GITHUB],
    ['a secret with a bad tenant', { ...GITHUB_RAW, tenantId: 'x', clientSecret: SECRETS[0] }, GITHUB],
    ['a secret with a bad auth', { ...GITHUB_RAW, auth: 'password', clientSecret: SECRETS[0] }, GITHUB],
    [
      'a secret from an unsupported connection',
      { ...AZURE_DEVOPS_RAW, storageKey: SECRETS[1] },
      {
        ...AZURE_DEVOPS,
        connection: connectionOf(undefined, { clientSecret: SECRETS[0] }, 'UsernamePassword'),
      },
    ],
  ];

  it.each(secretCases)('never shows a secret value: %s', (_label, raw, context) => {
    const error = inputError(raw, context);
    expect(error.problems.length).toBeGreaterThan(0);
    for (const secret of SECRETS) {
      expect(error.message).not.toContain(secret);
      for (const problem of error.problems) expect(problem).not.toContain(secret);
    }
  });
});

describe('readInputs', () => {
  it('reads each platform by its names, masks secrets first, and drops empty values', () => {
    const masked: string[] = [];
    const values: Record<string, string> = {
      operation: ' backup ',
      'client-secret': CLIENT_SECRET,
      'storage-key': STORAGE_KEY,
      'resource-group': '',
      resourceGroupName: 'ignored on GitHub',
    };
    const raw = readInputs(
      'github',
      withEnvFallback((name) => values[name] ?? '', { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: ' ' }),
      (value) => masked.push(value),
    );
    expect(raw).toEqual({
      operation: 'backup',
      clientSecret: CLIENT_SECRET,
      storageKey: STORAGE_KEY,
      tenantId: TENANT,
    });
    expect(masked).toEqual([CLIENT_SECRET, STORAGE_KEY]);
  });

  it('prefers the input over the environment fallback on GitHub', () => {
    const env = { AZURE_SUBSCRIPTION_ID: SUBSCRIPTION };
    const given = withEnvFallback((name) => (name === 'subscription-id' ? 'given' : ''), env);
    expect(readInputs('github', given, jest.fn())).toEqual({ subscriptionId: 'given' });
    expect(
      readInputs(
        'github',
        withEnvFallback(() => '', env),
        jest.fn(),
      ),
    ).toEqual({
      subscriptionId: SUBSCRIPTION,
    });
  });

  it('reads Azure DevOps inputs by their task.json names', () => {
    expect(readInputs('azureDevOps', () => undefined, jest.fn())).toEqual({});
    expect(
      readInputs('azureDevOps', (name) => (name === 'containerName' ? 'apim' : undefined), jest.fn()),
    ).toEqual({ container: 'apim' });
  });
});

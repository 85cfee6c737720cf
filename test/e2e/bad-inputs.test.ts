/**
 * Hostile and mistaken inputs, through both bundles: each is refused with the input named, before any request
 * (the stand-in must see none), and an injection attempt never reaches the log as a runner command.
 */
import {
  armPath,
  azureRmConnection,
  CLIENT_ID,
  CLIENT_SECRET,
  CONNECTION_ID,
  CONTAINER,
  RESOURCE_GROUP,
  STORAGE_ACCOUNT,
  STORAGE_KEY,
  SUBSCRIPTION_ID,
  TENANT_ID,
  useLocalAzure,
} from './fixtures';
import { BundleRun, runAzureDevOpsTask, runGitHubAction, ServiceConnection, visibleOutput } from './harness';

const standIn = useLocalAzure();

const PASSWORD = 'hunter2-in-a-url';
const statusUrl = () => `${standIn.url}${armPath('apim-x')}/operationresults/abc?api-version=2024-05-01`;

interface Case {
  /** Inputs over a valid backup's. */
  inputs: Record<string, string | undefined>;
  /** The input the message must name. */
  names: string;
  /** More the message must say. */
  says?: string;
  env?: NodeJS.ProcessEnv;
  /** Azure DevOps: the connection (default: a valid service principal one). */
  connection?: ServiceConnection | null;
  /** Must not appear anywhere in the output. */
  never?: string;
}

const INJECTIONS = {
  vso: 'x##vso[task.setvariable variable=PWN]1',
  stop: 'x##[stop-commands]t',
  colons: 'a::add-mask::b',
};

const github: [string, Case][] = [
  ['unknown operation', { inputs: { operation: 'explode' }, names: 'operation' }],
  ['missing operation', { inputs: { operation: undefined }, names: 'operation', says: 'is required' }],
  [
    'status without operation-url',
    { inputs: { operation: 'status' }, names: 'operation-url', says: 'is required' },
  ],
  [
    'status URL on another host',
    {
      inputs: { operation: 'status', 'operation-url': 'https://evil.example/subscriptions/x' },
      names: 'operation-url',
      says: 'Resource Manager host',
    },
  ],
  [
    'status URL over http',
    {
      inputs: { operation: 'status', 'operation-url': 'http://127.0.0.1/x' },
      names: 'operation-url',
      says: 'https',
    },
  ],
  [
    'status URL with a password',
    {
      inputs: { operation: 'status', 'operation-url': `https://u:${PASSWORD}@127.0.0.1/x` },
      names: 'operation-url',
      never: PASSWORD,
    },
  ],
  [
    'status URL of another resource',
    {
      inputs: { operation: 'status', 'operation-url': 'https://127.0.0.1/subscriptions/x/resourceGroups/y' },
      names: 'operation-url',
    },
  ],
  ['backup-name ../x', { inputs: { 'backup-name': '../x' }, names: 'backup-name', says: "'..'" }],
  ['backup-name a/../../x', { inputs: { 'backup-name': 'a/../../x' }, names: 'backup-name', says: "'..'" }],
  ['backup-name /abs/x', { inputs: { 'backup-name': '/abs/x' }, names: 'backup-name', says: 'slash' }],
  [
    'backup-name with a backslash',
    { inputs: { 'backup-name': 'a\\b' }, names: 'backup-name', says: 'backslash' },
  ],
  [
    'backup-name ##vso[ injection',
    { inputs: { 'backup-name': INJECTIONS.vso }, names: 'backup-name', says: 'runner log commands' },
  ],
  [
    'backup-name ##[ injection',
    { inputs: { 'backup-name': INJECTIONS.stop }, names: 'backup-name', says: 'runner log commands' },
  ],
  ['backup-name :: injection', { inputs: { 'backup-name': INJECTIONS.colons }, names: 'backup-name' }],
  [
    'backup-name URL',
    {
      inputs: { 'backup-name': 'https://evil.example/x.apimbackup' },
      names: 'backup-name',
      says: 'not a URL',
    },
  ],
  ['backup-name ./ segment', { inputs: { 'backup-name': 'a/./b' }, names: 'backup-name' }],
  ['backup-name empty segment', { inputs: { 'backup-name': 'a//b' }, names: 'backup-name' }],
  [
    'backup-name tab',
    { inputs: { 'backup-name': 'a\tb' }, names: 'backup-name', says: 'control characters' },
  ],
  [
    'backup-name bell',
    { inputs: { 'backup-name': 'a\u0007b' }, names: 'backup-name', says: 'control characters' },
  ],
  [
    'backup-name bidi override',
    { inputs: { 'backup-name': 'a\u202eb' }, names: 'backup-name', says: 'bidirectional' },
  ],
  [
    'backup-name {run-id} without a run id',
    {
      inputs: { 'backup-name': 'x-{run-id}' },
      env: { GITHUB_RUN_ID: '' },
      names: 'backup-name',
      says: 'no run id',
    },
  ],
  [
    'backup-name unknown placeholder',
    { inputs: { 'backup-name': 'x-{when}' }, names: 'backup-name', says: 'unknown placeholder' },
  ],
  ['backup-name latest for a backup', { inputs: { 'backup-name': 'latest' }, names: 'backup-name' }],
  ['backup-name ending in a period', { inputs: { 'backup-name': 'x.' }, names: 'backup-name' }],
  ['service-name with a leading hyphen', { inputs: { 'service-name': '-bad' }, names: 'service-name' }],
  ['service-name injection', { inputs: { 'service-name': INJECTIONS.vso }, names: 'service-name' }],
  ['resource-group traversal', { inputs: { 'resource-group': 'rg/../x' }, names: 'resource-group' }],
  [
    'subscription-id not a GUID',
    { inputs: { 'subscription-id': 'nope' }, names: 'subscription-id', says: 'GUID' },
  ],
  ['tenant-id with a space', { inputs: { 'tenant-id': 'bad tenant' }, names: 'tenant-id' }],
  ['client-id not a GUID', { inputs: { 'client-id': 'x' }, names: 'client-id' }],
  ['storage-account upper case', { inputs: { 'storage-account': 'UPPER' }, names: 'storage-account' }],
  ['container double hyphen', { inputs: { container: 'a--b' }, names: 'container' }],
  ['container injection', { inputs: { container: INJECTIONS.stop }, names: 'container' }],
  [
    'storage-key not base64',
    { inputs: { 'storage-key': 'not base64!!' }, names: 'storage-key', never: 'not base64!!' },
  ],
  ['storage-access unknown', { inputs: { 'storage-access': 'magic' }, names: 'storage-access' }],
  [
    'user-assigned access without its client id',
    {
      inputs: { 'storage-access': 'user-assigned-identity', 'storage-key': undefined },
      names: 'storage-identity-client-id',
    },
  ],
  [
    'storage-identity-client-id not a GUID',
    {
      inputs: {
        'storage-access': 'user-assigned-identity',
        'storage-key': undefined,
        'storage-identity-client-id': 'x',
      },
      names: 'storage-identity-client-id',
    },
  ],
  ['timeout not a duration', { inputs: { timeout: 'soon' }, names: 'timeout' }],
  ['timeout zero', { inputs: { timeout: '0s' }, names: 'timeout' }],
  ['timeout over a day', { inputs: { timeout: '25h' }, names: 'timeout' }],
  ['poll-interval zero', { inputs: { 'poll-interval': '0s' }, names: 'poll-interval' }],
  ['poll-interval over 10m', { inputs: { 'poll-interval': '11m' }, names: 'poll-interval' }],
  [
    'poll-interval longer than timeout',
    { inputs: { 'poll-interval': '2m', timeout: '1m' }, names: 'poll-interval' },
  ],
  ['wait not a boolean', { inputs: { wait: 'maybe' }, names: 'wait' }],
  ['environment unknown', { inputs: { environment: 'Mars' }, names: 'environment' }],
  [
    'resource-manager-endpoint over http',
    { inputs: { 'resource-manager-endpoint': 'http://127.0.0.1' }, names: 'resource-manager-endpoint' },
  ],
  [
    'resource-manager-endpoint with a password',
    {
      inputs: { 'resource-manager-endpoint': `https://u:${PASSWORD}@127.0.0.1` },
      names: 'resource-manager-endpoint',
      never: PASSWORD,
    },
  ],
  ['authority-host not https', { inputs: { 'authority-host': 'ftp://127.0.0.1' }, names: 'authority-host' }],
  [
    'blob-endpoint with a SAS token',
    { inputs: { 'blob-endpoint': 'https://127.0.0.1/x?sig=abc' }, names: 'blob-endpoint' },
  ],
  [
    'blob-endpoint with a password',
    {
      inputs: { 'blob-endpoint': `https://u:${PASSWORD}@127.0.0.1/x` },
      names: 'blob-endpoint',
      never: PASSWORD,
    },
  ],
  ['auth unknown', { inputs: { auth: 'password' }, names: 'auth' }],
  [
    'a secret beside auth: managed-identity',
    { inputs: { auth: 'managed-identity' }, names: 'client-secret', says: 'does not use it' },
  ],
  [
    'auth: client-secret without a secret',
    {
      inputs: { auth: 'client-secret', 'client-secret': undefined },
      names: 'client-secret',
      says: 'is required',
    },
  ],
  [
    'auth: oidc without an ID token',
    { inputs: { auth: 'oidc', 'client-secret': undefined }, names: 'id-token: write' },
  ],
  [
    'max-age not a duration (verify)',
    { inputs: { operation: 'verify', 'max-age': 'old' }, names: 'max-age' },
  ],
  [
    'retention-days negative (prune)',
    { inputs: { operation: 'prune', 'retention-days': '-1' }, names: 'retention-days' },
  ],
  ['keep-last zero (prune)', { inputs: { operation: 'prune', 'keep-last': '0' }, names: 'keep-last' }],
  [
    'dry-run not a boolean (prune)',
    { inputs: { operation: 'prune', 'dry-run': 'perhaps' }, names: 'dry-run' },
  ],
  [
    'source-service-name invalid (list)',
    { inputs: { operation: 'list', 'source-service-name': '-x' }, names: 'source-service-name' },
  ],
  [
    'restore without backup-name',
    { inputs: { operation: 'restore' }, names: 'backup-name', says: 'required for a restore' },
  ],
  [
    'restore of a traversing name',
    { inputs: { operation: 'restore', 'backup-name': '../other/x.apimbackup' }, names: 'backup-name' },
  ],
];

const azureDevOps: [string, Case][] = [
  [
    'unknown service connection',
    { inputs: {}, connection: null, names: 'azureSubscription', says: 'was not found' },
  ],
  ['unknown operation', { inputs: { operation: 'nope' }, names: 'operation' }],
  [
    'status without operationUrl',
    { inputs: { operation: 'status' }, names: 'operationUrl', says: 'is required' },
  ],
  [
    'status URL on another host',
    { inputs: { operation: 'status', operationUrl: 'https://evil.example/x' }, names: 'operationUrl' },
  ],
  ['backupName ../x', { inputs: { backupName: '../x' }, names: 'backupName' }],
  ['backupName /abs/x', { inputs: { backupName: '/abs/x' }, names: 'backupName' }],
  ['backupName ##vso[ injection', { inputs: { backupName: INJECTIONS.vso }, names: 'backupName' }],
  ['backupName ##[ injection', { inputs: { backupName: INJECTIONS.stop }, names: 'backupName' }],
  ['backupName :: injection', { inputs: { backupName: INJECTIONS.colons }, names: 'backupName' }],
  ['backupName bidi override', { inputs: { backupName: 'a\u202eb' }, names: 'backupName' }],
  ['backupName URL', { inputs: { backupName: 'https://evil.example/x' }, names: 'backupName' }],
  ['serviceName invalid', { inputs: { serviceName: 'a_b' }, names: 'serviceName' }],
  ['resourceGroupName traversal', { inputs: { resourceGroupName: '../rg' }, names: 'resourceGroupName' }],
  ['subscriptionId not a GUID', { inputs: { subscriptionId: 'nope' }, names: 'subscriptionId' }],
  ['storageAccount invalid', { inputs: { storageAccount: 'A' }, names: 'storageAccount' }],
  ['containerName injection', { inputs: { containerName: INJECTIONS.vso }, names: 'containerName' }],
  [
    'storageKey not base64',
    { inputs: { storageKey: 'not base64!!' }, names: 'storageKey', never: 'not base64!!' },
  ],
  ['storageAccess unknown', { inputs: { storageAccess: 'magic' }, names: 'storageAccess' }],
  [
    'blobEndpoint with a password',
    { inputs: { blobEndpoint: `https://u:${PASSWORD}@127.0.0.1/x` }, names: 'blobEndpoint', never: PASSWORD },
  ],
  ['timeout not a duration', { inputs: { timeout: 'soon' }, names: 'timeout' }],
  ['pollInterval zero', { inputs: { pollInterval: '0' }, names: 'pollInterval' }],
  ['wait not a boolean', { inputs: { wait: 'maybe' }, names: 'wait' }],
  ['restore without backupName', { inputs: { operation: 'restore' }, names: 'backupName' }],
  ['maxAge not a duration (verify)', { inputs: { operation: 'verify', maxAge: 'old' }, names: 'maxAge' }],
  ['keepLast zero (prune)', { inputs: { operation: 'prune', keepLast: '0' }, names: 'keepLast' }],
  [
    'retentionDays text (prune)',
    { inputs: { operation: 'prune', retentionDays: 'ten' }, names: 'retentionDays' },
  ],
  ['dryRun not a boolean (prune)', { inputs: { operation: 'prune', dryRun: 'perhaps' }, names: 'dryRun' }],
  [
    'sourceServiceName invalid (list)',
    { inputs: { operation: 'list', sourceServiceName: '-x' }, names: 'sourceServiceName' },
  ],
];

function withoutUndefined(inputs: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).filter(([, value]) => value !== undefined)) as Record<
    string,
    string
  >;
}

function runGitHub(bad: Case): Promise<BundleRun> {
  return runGitHubAction({
    inputs: withoutUndefined({
      operation: 'backup',
      'tenant-id': TENANT_ID,
      'client-id': CLIENT_ID,
      'client-secret': CLIENT_SECRET,
      'subscription-id': SUBSCRIPTION_ID,
      'resource-group': RESOURCE_GROUP,
      'service-name': 'apim-bad',
      'storage-account': STORAGE_ACCOUNT,
      container: CONTAINER,
      'storage-key': STORAGE_KEY,
      'blob-endpoint': standIn.blobEndpoint,
      'resource-manager-endpoint': standIn.url,
      'authority-host': standIn.url,
      ...bad.inputs,
    }),
    env: bad.env,
    caCertPath: standIn.caCertPath,
  });
}

function runAzureDevOps(bad: Case): Promise<BundleRun> {
  const connection =
    bad.connection === null
      ? undefined
      : (bad.connection ??
        azureRmConnection(standIn, 'ServicePrincipal', {
          serviceprincipalkey: CLIENT_SECRET,
          authenticationType: 'spnKey',
        }));
  return runAzureDevOpsTask({
    inputs: withoutUndefined({
      operation: 'backup',
      resourceGroupName: RESOURCE_GROUP,
      serviceName: 'apim-bad',
      storageAccount: STORAGE_ACCOUNT,
      containerName: CONTAINER,
      storageKey: STORAGE_KEY,
      blobEndpoint: standIn.blobEndpoint,
      // An unknown connection: named, but the agent has no endpoint of that id.
      ...(bad.connection === null ? { ConnectedServiceName: CONNECTION_ID } : {}),
      ...bad.inputs,
    }),
    connection,
    caCertPath: standIn.caCertPath,
  });
}

/** No line of output can act as a runner command other than the step's own. */
function expectNoInjectedCommand(run: BundleRun): void {
  expect(run.all).not.toContain('##vso[task.setvariable variable=PWN');
  expect(run.all).not.toContain('##[stop-commands]');
  expect(run.all).not.toMatch(/::add-mask::b/);
  for (const line of run.stdout.split('\n')) {
    const rest = line.replace(/^(::[\w-]+(?: [^:]*)?::|##vso\[[\w.]+[^\]]*\])/, '');
    expect(rest).not.toMatch(/##\s*(vso)?\s*\[|::/i);
  }
}

function check(run: BundleRun, bad: Case): void {
  expect(run.exitCode).not.toBe(0);
  expect(run.result).toBe('Failed');
  expect(run.errorMessage).toContain(bad.names);
  if (bad.says) expect(run.errorMessage).toContain(bad.says);
  if (bad.never) expect(visibleOutput(run)).not.toContain(bad.never);
  expectNoInjectedCommand(run);
  expect(standIn.requests).toEqual([]);
}

it('has at least 60 cases', () => {
  expect(github.length + azureDevOps.length).toBeGreaterThanOrEqual(60);
});

describe('GitHub', () => {
  it.each(github)('%s', async (_name, bad) => check(await runGitHub(bad), bad));
});

describe('Azure DevOps', () => {
  it.each(azureDevOps)('%s', async (_name, bad) => check(await runAzureDevOps(bad), bad));
});

it('the status URL case is built from the stand-in and accepted as such', () => {
  // A control: the checks above refuse what is wrong, not every status URL.
  expect(statusUrl()).toContain('/operationresults/');
});

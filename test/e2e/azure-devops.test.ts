/**
 * The Azure Pipelines task end to end: dist/azure-devops/index.js spawned with the INPUT_* and ENDPOINT_* env the
 * agent sets for an AzureRM service connection, results read from the `##vso` lines.
 */
import {
  azureDevOpsOidcEnv,
  azureRmConnection,
  CLIENT_SECRET,
  CONNECTION_ID,
  CONTAINER,
  LocalAzure,
  requestsFor,
  RESOURCE_GROUP,
  STORAGE_ACCOUNT,
  STORAGE_KEY,
  SUBSCRIPTION_ID,
  useLocalAzure,
} from './fixtures';
import { leakedSecrets, parseVsoCommands, ServiceConnection } from './harness';

const standIn = useLocalAzure();

const connection = (scheme: ServiceConnection['scheme'], authParameters: Record<string, string> = {}) =>
  azureRmConnection(standIn, scheme, authParameters);

/** A backup of `serviceName` unless `overrides` say otherwise, through the secret connection unless `options` do. */
function run(
  serviceName: string,
  overrides: Record<string, string> = {},
  options: Parameters<LocalAzure['runAzureDevOps']>[1] = {},
) {
  return standIn.runAzureDevOps({ operation: 'backup', serviceName, ...overrides }, options);
}

it('backs up through a service principal connection and sets output variables', async () => {
  standIn.addService({
    subscriptionId: SUBSCRIPTION_ID,
    resourceGroup: RESOURCE_GROUP,
    name: 'apim-ado-backup',
  });

  const result = await run('apim-ado-backup', { backupName: '{service}-{run-id}.apimbackup' });

  expect(result.result).toBe('Succeeded');
  expect(result.exitCode).toBe(0);
  expect(result.outputs).toMatchObject({
    backupName: 'apim-ado-backup-777.apimbackup',
    backupUrl: `${standIn.blobEndpoint}/${CONTAINER}/apim-ado-backup-777.apimbackup`,
  });
  expect(Number(result.outputs.durationSeconds)).toBeGreaterThanOrEqual(0);
  expect(result.outputs.operationUrl).toContain('/service/apim-ado-backup/operationresults/');
  expect(JSON.parse(requestsFor(standIn, 'apim-ado-backup').starts[0].body)).toEqual({
    storageAccount: STORAGE_ACCOUNT,
    containerName: CONTAINER,
    backupName: 'apim-ado-backup-777.apimbackup',
    accessType: 'AccessKey',
    accessKey: STORAGE_KEY,
  });
  expect(result.summary).toContain('APIM backup succeeded');
});

it('restores through a workload identity federation connection', async () => {
  standIn.addService({
    subscriptionId: SUBSCRIPTION_ID,
    resourceGroup: RESOURCE_GROUP,
    name: 'apim-ado-wif',
  });
  const before = await run('apim-ado-wif', { backupName: 'wif.apimbackup' });
  expect(before.result).toBe('Succeeded');
  const idTokensBefore = standIn.issued.idTokens;

  const result = await run(
    'apim-ado-wif',
    { operation: 'restore', backupName: 'wif.apimbackup' },
    { connection: connection('WorkloadIdentityFederation'), env: azureDevOpsOidcEnv(standIn) },
  );

  expect(result.errorMessage).toBe('');
  expect(result.result).toBe('Succeeded');
  expect(result.stdout).toContain('Signing in with oidc');
  expect(standIn.issued.idTokens - idTokensBefore).toBe(1);
  const oidcRequest = standIn.requests.filter((r) => r.path === '/ado/oidctoken').pop()!;
  expect(oidcRequest.query).toMatchObject({ 'api-version': '7.1', serviceConnectionId: CONNECTION_ID });
  expect(requestsFor(standIn, 'apim-ado-wif').starts.pop()!.path).toMatch(/\/restore$/);
});

it('lets subscriptionId override the connection subscription', async () => {
  const other = 'f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f';
  standIn.addService({ subscriptionId: other, resourceGroup: RESOURCE_GROUP, name: 'apim-ado-other-sub' });

  const result = await run('apim-ado-other-sub', { subscriptionId: other });

  expect(result.result).toBe('Succeeded');
  expect(
    standIn.requests.some((r) => r.method === 'POST' && r.path.startsWith(`/subscriptions/${other}/`)),
  ).toBe(true);
});

it('fails the task with the Azure error and a hint, exiting non-zero', async () => {
  standIn.addService({
    subscriptionId: SUBSCRIPTION_ID,
    resourceGroup: RESOURCE_GROUP,
    name: 'apim-ado-tier',
    sku: 'Standard',
  });
  await standIn.blobStore.write(
    STORAGE_ACCOUNT,
    CONTAINER,
    'premium.apimbackup',
    JSON.stringify({ service: 'x', sku: 'Premium', createdAt: new Date().toISOString() }),
  );

  const result = await run('apim-ado-tier', { operation: 'restore', backupName: 'premium.apimbackup' });

  expect(result.result).toBe('Failed');
  expect(result.exitCode).toBe(1);
  expect(result.errorMessage).toContain("current SKU is 'Standard', backup SKU is 'Premium'");
  expect(
    parseVsoCommands(result.stdout).some((c) => c.name === 'task.issue' && c.properties.type === 'error'),
  ).toBe(true);
  expect(result.summary).toContain('APIM restore failed');
});

it('rejects bad inputs together, naming the task inputs, and sends nothing', async () => {
  const before = standIn.requests.length;

  const result = await run('apim_bad', {
    storageAccess: 'user-assigned-identity',
    storageKey: '',
    pollInterval: '2h',
  });

  expect(result.result).toBe('Failed');
  expect(result.exitCode).toBe(1);
  expect(result.errorMessage).toContain("serviceName 'apim_bad'");
  expect(result.errorMessage).toContain('storageIdentityClientId is required');
  expect(result.errorMessage).toContain("pollInterval '2h' must be between 1s and 10m");
  expect(standIn.requests.length).toBe(before);
});

it('requires a service connection', async () => {
  const result = await run('apim-ado-backup', {}, { connection: undefined });

  expect(result.result).toBe('Failed');
  expect(result.errorMessage).toContain('azureSubscription is required');
});

it('never prints the client secret, storage key, access token or tokens, with System.Debug on', async () => {
  standIn.addService({
    subscriptionId: SUBSCRIPTION_ID,
    resourceGroup: RESOURCE_GROUP,
    name: 'apim-ado-secret',
  });
  const tokensBefore = standIn.issuedTokens.length;

  const runs = [
    await run('apim-ado-secret', {}, { env: { SYSTEM_DEBUG: 'true' } }),
    await run(
      'apim-ado-secret',
      { operation: 'restore', backupName: 'missing.apimbackup' },
      {
        connection: connection('WorkloadIdentityFederation'),
        env: { SYSTEM_DEBUG: 'true', ...azureDevOpsOidcEnv(standIn) },
      },
    ),
  ];

  expect(runs.map((r) => r.result)).toEqual(['Succeeded', 'Failed']);
  expect(runs[0].stdout).toContain('##vso[task.debug]');
  expect(runs[0].stdout).toContain(`##vso[task.setsecret]${CLIENT_SECRET}`);
  const tokens = standIn.issuedTokens.slice(tokensBefore);
  expect(tokens.length).toBeGreaterThan(1);
  for (const result of runs) {
    expect(
      leakedSecrets(result, [CLIENT_SECRET, STORAGE_KEY, standIn.azureDevOps.systemAccessToken, ...tokens]),
    ).toEqual([]);
  }
});

/**
 * The GitHub Action end to end: dist/github/index.js spawned as the runner spawns it, against the https stand-in
 * of ARM and Entra ID, with the real SDKs inside.
 */
import { backupBlobContent } from '../stand-in';
import {
  CLIENT_SECRET,
  CONTAINER,
  githubIdTokenEnv,
  requestsFor,
  RESOURCE_GROUP,
  STORAGE_ACCOUNT,
  STORAGE_KEY,
  SUBSCRIPTION_ID,
  TENANT_ID,
  useLocalAzure,
} from './fixtures';
import { leakedSecrets } from './harness';

const standIn = useLocalAzure();

function run(serviceName: string, overrides: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) {
  return standIn.runGitHub({ operation: 'backup', 'service-name': serviceName, ...overrides }, { env });
}

/** Plants a backup blob as an earlier backup of a `sku` instance would have left it. */
async function plantBackup(blob: string, sku: string, ageDays = 1): Promise<void> {
  const createdAt = new Date(Date.now() - ageDays * 86_400_000).toISOString();
  await standIn.blobStore.write(
    STORAGE_ACCOUNT,
    CONTAINER,
    blob,
    backupBlobContent({ service: 'apim-source', sku, createdAt }),
  );
}

describe('backup', () => {
  it('backs up with a client secret, sends the REST body, and reports outputs and a summary', async () => {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-gh-backup',
    });

    const result = await run('apim-gh-backup');

    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const name = result.outputs['backup-name'];
    expect(name).toMatch(/^apim-gh-backup-\d{8}-\d{6}\.apimbackup$/);
    expect(result.outputs['backup-url']).toBe(`${standIn.blobEndpoint}/${CONTAINER}/${name}`);
    expect(Number(result.outputs['duration-seconds'])).toBeGreaterThanOrEqual(0);
    expect(result.outputs['operation-url']).toMatch(
      new RegExp(`^${standIn.url}/subscriptions/.+/service/apim-gh-backup/operationresults/`),
    );

    const { starts, polls } = requestsFor(standIn, 'apim-gh-backup');
    expect(starts).toHaveLength(1);
    expect(starts[0].path).toMatch(/\/backup$/);
    expect(JSON.parse(starts[0].body)).toEqual({
      storageAccount: STORAGE_ACCOUNT,
      containerName: CONTAINER,
      backupName: name,
      accessType: 'AccessKey',
      accessKey: STORAGE_KEY,
    });
    expect(polls.length).toBeGreaterThanOrEqual(1);
    expect(await standIn.blobStore.read(STORAGE_ACCOUNT, CONTAINER, name)).toContain('apim-gh-backup');

    expect(result.stdout).toContain(
      `Backing up API Management instance 'apim-gh-backup' (resource group '${RESOURCE_GROUP}'`,
    );
    expect(result.stdout).toContain('Backup succeeded');
    expect(result.summary).toContain('APIM backup succeeded');
    expect(result.summary).toContain(name);
  });

  it('uses the system-assigned identity of the instance when no storage key is given', async () => {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-gh-msi',
    });

    const result = await run('apim-gh-msi', {
      'storage-key': '',
      'backup-name': 'nightly/{date}-{run-id}.apimbackup',
    });

    expect(result.exitCode).toBe(0);
    expect(result.outputs['backup-name']).toMatch(/^nightly\/\d{4}-\d{2}-\d{2}-4242\.apimbackup$/);
    const body = JSON.parse(requestsFor(standIn, 'apim-gh-msi').starts[0].body);
    expect(body).toEqual({
      storageAccount: STORAGE_ACCOUNT,
      containerName: CONTAINER,
      backupName: result.outputs['backup-name'],
      accessType: 'SystemAssignedManagedIdentity',
    });
  });

  it('signs in with OIDC through the runner ID token when no client secret is given', async () => {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-gh-oidc',
    });
    const idTokensBefore = standIn.issued.idTokens;

    const result = await run('apim-gh-oidc', { 'client-secret': '' }, githubIdTokenEnv(standIn));

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Signing in with oidc');
    expect(standIn.issued.idTokens - idTokensBefore).toBe(1);
    const tokenRequest = standIn.requests.filter((r) => r.path.endsWith('/oauth2/v2.0/token')).pop()!;
    expect(new URLSearchParams(tokenRequest.body).get('client_assertion_type')).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
    const idTokenRequest = standIn.requests.filter((r) => r.path === '/github/idtoken').pop()!;
    expect(idTokenRequest.query.audience).toBe('api://AzureADTokenExchange');
  });

  it('says to grant id-token: write when OIDC has no ID token, before any request', async () => {
    const before = standIn.requests.length;

    const result = await run('apim-gh-oidc', { 'client-secret': '' });

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain('permissions: id-token: write');
    expect(standIn.requests.length).toBe(before);
  });
});

describe('restore', () => {
  it('restores from a named blob', async () => {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-gh-restore',
    });
    await plantBackup('prod/latest.apimbackup', 'Developer');

    const result = await run('apim-gh-restore', {
      operation: 'restore',
      'backup-name': 'prod/latest.apimbackup',
    });

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`Restoring API Management instance 'apim-gh-restore'`);
    // The safety backup first (copy.test.ts proves it), then the restore.
    const [safety, start] = requestsFor(standIn, 'apim-gh-restore').starts;
    expect(safety.path).toMatch(/\/backup$/);
    expect(start.path).toMatch(/\/restore$/);
    expect(JSON.parse(start.body)).toMatchObject({
      backupName: 'prod/latest.apimbackup',
      accessType: 'AccessKey',
    });
    expect(result.outputs['backup-url']).toBe(`${standIn.blobEndpoint}/${CONTAINER}/prod/latest.apimbackup`);
    expect(result.summary).toContain('APIM restore succeeded');
  });

  it('fails on an expired backup, with the Azure code and message and what to do', async () => {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-gh-expired',
    });
    await plantBackup('old.apimbackup', 'Developer', 40);

    const result = await run('apim-gh-expired', { operation: 'restore', 'backup-name': 'old.apimbackup' });

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toMatch(
      /Restore of API Management instance 'apim-gh-expired' failed: \w+: .*backup expired/,
    );
    expect(result.errorMessage).toContain('30 days');
    expect(result.summary).toContain('APIM restore failed');
  });

  it('fails on a tier mismatch, naming both tiers', async () => {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-gh-tier',
      sku: 'Premium',
    });
    await plantBackup('developer.apimbackup', 'Developer');

    const result = await run('apim-gh-tier', { operation: 'restore', 'backup-name': 'developer.apimbackup' });

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain("current SKU is 'Premium', backup SKU is 'Developer'");
    expect(result.errorMessage).toContain('Scale');
  });

  it('requires backup-name for a restore, before any request', async () => {
    const before = standIn.requests.length;

    const result = await run('apim-gh-restore', { operation: 'restore' });

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain('backup-name is required for a restore');
    expect(standIn.requests.length).toBe(before);
  });
});

describe('failures Azure reports', () => {
  it('explains storage access denied for the access type used', async () => {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-gh-storage',
      failure: {
        code: 'BackupFailed',
        message:
          'Backup failed: the remote server returned an error: (403) Forbidden. AuthorizationPermissionMismatch',
      },
    });

    const result = await run('apim-gh-storage', { 'storage-key': '' });

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain('BackupFailed');
    expect(result.errorMessage).toContain('Storage Blob Data Contributor');
    expect(result.errorMessage).toContain('trusted Microsoft services');
  });

  it('explains a missing permission, naming the role and scope', async () => {
    const deniedClient = 'c0ffee00-1111-4222-8333-444455556666';
    standIn.addApp({ tenantId: TENANT_ID, clientId: deniedClient, clientSecret: CLIENT_SECRET });
    standIn.deny(deniedClient);
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-gh-denied',
    });

    const result = await run('apim-gh-denied', { 'client-id': deniedClient });

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain('AuthorizationFailed');
    expect(result.errorMessage).toContain('API Management Service Contributor');
    expect(result.errorMessage).toContain('/providers/Microsoft.ApiManagement/service/apim-gh-denied');
  });

  it('explains another operation in progress', async () => {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-gh-conflict',
      startError: {
        status: 409,
        code: 'Conflict',
        message: 'Another operation is in progress on the service.',
      },
    });

    const result = await run('apim-gh-conflict');

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain('Conflict');
    expect(result.errorMessage).toContain('Another management operation');
  });

  it('reports a missing instance with the ARM error', async () => {
    const result = await run('apim-gh-missing');

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain('ResourceNotFound');
    expect(result.errorMessage).toContain('apim-gh-missing');
    expect(result.errorMessage).toContain('Check service-name, resource-group and subscription-id');
    expect(requestsFor(standIn, 'apim-gh-missing').starts).toHaveLength(0);
  });

  it.each(['Consumption', 'StandardV2'])('refuses the %s tier before starting anything', async (sku) => {
    const name = `apim-gh-${sku.toLowerCase()}`;
    standIn.addService({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: RESOURCE_GROUP, name, sku });

    const result = await run(name);

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain(`'${name}' is on the ${sku} tier`);
    expect(result.errorMessage).toContain('Developer, Basic, Standard, Premium');
    expect(requestsFor(standIn, name).starts).toHaveLength(0);
  });
});

describe('waiting', () => {
  it('waits while the instance is Updating, saying so', async () => {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-gh-updating',
      updatingForGets: 2,
    });

    const result = await run('apim-gh-updating');

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("API Management instance 'apim-gh-updating' is Updating");
    expect(result.stdout).toContain('Waiting for it to finish');
    const { reads, starts } = requestsFor(standIn, 'apim-gh-updating');
    expect(reads).toHaveLength(3);
    expect(starts).toHaveLength(1);
  });

  it('fails at the timeout, saying the operation may still run, with the operation URL as output', async () => {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-gh-slow',
      neverFinishes: true,
    });

    const result = await run('apim-gh-slow', { timeout: '3s', 'poll-interval': '2s' });

    expect(result.exitCode).toBe(1);
    expect(result.errorMessage).toContain('timed out after 3s');
    expect(result.errorMessage).toContain('may still be running in Azure');
    expect(result.outputs['operation-url']).toContain('/service/apim-gh-slow/operationresults/');
    expect(result.errorMessage).toContain(result.outputs['operation-url']);
    // Failing at the timeout, not at the next poll: the 2s rhythm allows two polls, never a third.
    expect(requestsFor(standIn, 'apim-gh-slow').polls.length).toBeLessThanOrEqual(2);
    // And at the timeout itself: within a second of it, from the step's first line.
    expect(result.elapsedMs).toBeLessThan(3_000 + 1_000);
  });

  it('honours Retry-After instead of poll-interval, and rides out throttled polls', async () => {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-gh-throttled',
      retryAfterSeconds: 1,
      throttledPolls: 2,
      operationPolls: 2,
    });

    const result = await run('apim-gh-throttled', { 'poll-interval': '1m', timeout: '5m' });

    expect(result.exitCode).toBe(0);
    const { polls } = requestsFor(standIn, 'apim-gh-throttled');
    // Two 429s retried by the SDK pipeline, then 202s until done.
    expect(polls.length).toBeGreaterThanOrEqual(5);
  });
});

describe('inputs', () => {
  it('rejects every bad input at once and sends nothing', async () => {
    const before = standIn.requests.length;

    const result = await run('-bad-name-', {
      'subscription-id': 'not-a-guid',
      'storage-account': 'Has_Upper',
      container: 'a--b',
      'storage-access': 'user-assigned-identity',
      'storage-key': '',
      timeout: 'soon',
    });

    expect(result.exitCode).toBe(1);
    for (const expected of [
      "subscription-id 'not-a-guid' must be a GUID",
      "service-name '-bad-name-'",
      "storage-account 'Has_Upper'",
      "container 'a--b'",
      'storage-identity-client-id is required',
      "timeout 'soon' is not a duration",
    ]) {
      expect(result.errorMessage).toContain(expected);
    }
    expect(standIn.requests.length).toBe(before);
  });
});

describe('secrets', () => {
  it('never prints the client secret, storage key or tokens, in debug mode, on success and failure', async () => {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-gh-secret',
    });
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-gh-secret-fail',
      failure: { code: 'BackupFailed', message: `Storage refused key ${STORAGE_KEY}` },
    });
    const tokensBefore = standIn.issuedTokens.length;

    const runs = [
      await run('apim-gh-secret', {}, { RUNNER_DEBUG: '1' }),
      await run('apim-gh-secret-fail', {}, { RUNNER_DEBUG: '1' }),
      await run('apim-gh-secret', { 'storage-key': 'not base64!!', 'client-secret': 'short-bad-secret' }),
    ];

    expect(runs.map((r) => r.exitCode)).toEqual([0, 1, 1]);
    expect(runs[0].stdout).toContain('::debug::');
    expect(runs[0].stdout).toContain(`::add-mask::${CLIENT_SECRET}`);
    const tokens = standIn.issuedTokens.slice(tokensBefore);
    expect(tokens.length).toBeGreaterThan(0);
    for (const result of runs) {
      expect(
        leakedSecrets(result, [CLIENT_SECRET, STORAGE_KEY, 'not base64!!', 'short-bad-secret', ...tokens]),
      ).toEqual([]);
    }
  });
});

/**
 * The GitHub bundle against Azure's own recorded answers (Azure/azure-sdk-for-net's session recordings, copied into
 * test/stand-in/recordings with their source): the POST answered 202 with `…//operationresults/{id}`, empty 202s
 * without a content type and Retry-After on every one, the one-slash Location from the first poll on, an id with
 * `==` padding, and a final 200 carrying the whole service. Then what the recordings do not show but Azure may do:
 * a Location that changes between polls, one that fails the checks, and a poll the identity may not read.
 */
import { loadRecording, recordedOperation } from '../stand-in';
import {
  armPath,
  CLIENT_ID,
  CLIENT_SECRET,
  CONTAINER,
  requestsFor,
  RESOURCE_GROUP,
  STORAGE_ACCOUNT,
  STORAGE_KEY,
  SUBSCRIPTION_ID,
  TENANT_ID,
  useLocalAzure,
} from './fixtures';
import { runGitHubAction } from './harness';
import { addRecordedService, expectedRequests, onStandIn, seedBackup, sentRequests } from './recorded';

const recording = loadRecording('backup-and-restore-2021');
const backup = recordedOperation(recording, 'backup');
const restore = recordedOperation(recording, 'restore');

const standIn = useLocalAzure();

beforeAll(() => addRecordedService(standIn, recording));

/** A run on the recording's instance. */
function github(inputs: Record<string, string>) {
  return standIn.runGitHub({
    'subscription-id': recording.subscriptionId,
    'resource-group': recording.resourceGroup,
    'service-name': recording.serviceName,
    timeout: '2m',
    ...inputs,
  });
}

/** The one-slash form of a recorded Location, on the stand-in. */
const canonical = (url: string) =>
  onStandIn(standIn, url).replace('//operationresults/', '/operationresults/');

describe('as Azure answered in 2021', () => {
  it('backup: followed to success, with the requests Azure expects', async () => {
    const from = standIn.requests.length;
    const name = 'sdktestapim4219/2021-05-02.apimbackup';
    const run = await github({ operation: 'backup', 'backup-name': name });

    expect(run.errorMessage).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.outputs['operation-status']).toBe('Succeeded');
    expect(run.outputs['operation-url']).toBe(canonical(backup.answer.headers.Location));
    expect(run.stdout).not.toContain('::warning::');
    expect(sentRequests(standIn, recording, from)).toEqual(expectedRequests(backup));
    expect(await standIn.blobStore.read(STORAGE_ACCOUNT, CONTAINER, name, STORAGE_KEY)).toBeDefined();
  }, 60_000);

  it('restore, after its safety backup: the recorded backup, then the recorded restore with its == id', async () => {
    await seedBackup(standIn, recording, 'sdktestapim4219/2021-05-01.apimbackup');
    const from = standIn.requests.length;
    const run = await github({
      operation: 'restore',
      'backup-name': 'sdktestapim4219/2021-05-01.apimbackup',
    });

    expect(run.errorMessage).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.outputs['operation-status']).toBe('Succeeded');
    expect(run.outputs['operation-url']).toBe(canonical(restore.answer.headers.Location));
    expect(run.outputs['operation-url']).toMatch(
      /\/operationresults\/[A-Za-z0-9+/]+==\?api-version=2020-12-01$/,
    );
    expect(sentRequests(standIn, recording, from)).toEqual([
      ...expectedRequests(backup),
      ...expectedRequests(restore),
    ]);
  }, 90_000);

  it('wait: false, then operation: status with the recorded //operationresults URL', async () => {
    const from = standIn.requests.length;
    const started = await github({
      operation: 'backup',
      'backup-name': 'sdktestapim4219/later.apimbackup',
      wait: 'false',
    });
    expect(started.errorMessage).toBe('');
    expect(started.outputs['operation-status']).toBe('InProgress');

    const recordedUrl = onStandIn(standIn, backup.answer.headers.Location);
    expect(recordedUrl).toContain('//operationresults/');
    const waited = await runGitHubAction({
      inputs: {
        operation: 'status',
        'operation-url': recordedUrl,
        'tenant-id': TENANT_ID,
        'client-id': CLIENT_ID,
        'client-secret': CLIENT_SECRET,
        'poll-interval': '1s',
        timeout: '1m',
        'resource-manager-endpoint': standIn.url,
        'authority-host': standIn.url,
      },
      caCertPath: standIn.caCertPath,
    });

    expect(waited.errorMessage).toBe('');
    expect(waited.exitCode).toBe(0);
    expect(waited.outputs['operation-status']).toBe('Succeeded');
    expect(waited.outputs['operation-url']).toBe(canonical(backup.answer.headers.Location));
    // The first run only started it; the second asked for its status as the recorded client did.
    expect(sentRequests(standIn, recording, from)).toEqual(expectedRequests(backup));
  }, 60_000);
});

describe('beyond the recordings', () => {
  /** A run on an instance of the stand-in's own (default subscription and group). */
  function githubOn(serviceName: string, inputs: Record<string, string> = {}) {
    return standIn.runGitHub({ operation: 'backup', 'service-name': serviceName, timeout: '1m', ...inputs });
  }

  it('a Location that changes between polls is followed, each poll asking where the last 202 pointed', async () => {
    const service = standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-moving-status',
      operationPolls: 3,
      retryAfterSeconds: 1,
      movesStatus: true,
    });

    const run = await githubOn('apim-moving-status');

    expect(run.errorMessage).toBe('');
    expect(run.exitCode).toBe(0);
    const polled = requestsFor(standIn, 'apim-moving-status').polls.map((request) => request.path);
    expect(polled).toHaveLength(4);
    expect(new Set(polled).size).toBe(4);
    const last = new URL(service.operations[0].url);
    expect(polled.at(-1)).toBe(last.pathname);
    expect(run.outputs['operation-url']).toBe(last.href);
    expect(run.stdout).toContain(`Azure moved the operation status to ${last.href}`);
  }, 60_000);

  it('a new Location on another host, or of another instance, is not followed: the wait goes on where it was', async () => {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-stray-location',
      operationPolls: 3,
      retryAfterSeconds: 1,
    });
    const elsewhere = `https://127.0.0.1:1${armPath('apim-stray-location')}/operationresults/eA==?api-version=2024-05-01`;
    const otherInstance = `${standIn.url}${armPath('apim-other')}/operationresults/eA==?api-version=2024-05-01`;
    for (const location of [elsewhere, otherInstance]) {
      standIn.faults.add(
        'operation-status',
        { kind: 'reply', reply: { status: 202, headers: { location, 'retry-after': '1' } } },
        1,
        'apim-stray-location',
      );
    }

    const run = await githubOn('apim-stray-location');

    expect(run.errorMessage).toBe('');
    expect(run.exitCode).toBe(0);
    const polled = requestsFor(standIn, 'apim-stray-location').polls.map((request) => request.path);
    expect(new Set(polled).size).toBe(1);
    expect(standIn.requests.some((request) => request.path.includes('apim-other'))).toBe(false);
    expect(run.stdout).toContain('must be on the Azure Resource Manager host');
    expect(run.stdout).toContain("names another instance ('apim-other'");
    expect(run.stdout).toContain('the step does not follow it and keeps asking');
  }, 60_000);

  it('a poll the identity may not read stops at once, naming operationresults/read, its role and the running backup', async () => {
    const principal = '5d0c3b1a-7e2f-4a6b-9c8d-1e2f3a4b5c6d';
    standIn.addApp({ tenantId: TENANT_ID, clientId: principal, clientSecret: CLIENT_SECRET });
    standIn.denyAction(principal, 'Microsoft.ApiManagement/service/operationresults/read');
    const service = standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: 'apim-unreadable-status',
      operationPolls: 5,
      retryAfterSeconds: 1,
    });

    const run = await githubOn('apim-unreadable-status', { 'client-id': principal });

    expect(run.exitCode).toBe(1);
    const url = run.outputs['operation-url'];
    expect(url).toContain(`${armPath('apim-unreadable-status')}/operationresults/`);
    expect(run.errorMessage).toContain(
      "perform action 'Microsoft.ApiManagement/service/operationresults/read'",
    );
    expect(run.errorMessage).toContain(`The backup goes on in Azure: its status is at ${url}`);
    expect(run.errorMessage).toContain(
      "'API Management Service Contributor' (or a custom role with Microsoft.ApiManagement/service/operationresults/read)",
    );
    expect(run.errorMessage).toContain(
      `on scope '/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.ApiManagement/service/apim-unreadable-status'`,
    );
    expect(run.errorMessage).toContain(`operation: status and operation-url: ${url}`);
    expect(requestsFor(standIn, 'apim-unreadable-status').polls).toHaveLength(1);
    expect(service.operations.map((operation) => operation.status)).toEqual(['InProgress']);
  }, 60_000);
});

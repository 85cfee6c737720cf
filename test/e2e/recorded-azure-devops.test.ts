/**
 * The Azure DevOps bundle against Azure's own recorded answers (test/stand-in/recordings, with their source): the
 * 2021 backup (`…//operationresults/{id}` first, the one-slash form after) and the 2023 restore with a user-assigned
 * identity (one-slash Location from the start, id with `==` padding), each answered as recorded; then a poll the
 * identity may not read.
 */
import { loadRecording, recordedOperation } from '../stand-in';
import {
  armPath,
  azureRmConnection,
  CLIENT_SECRET,
  CONTAINER,
  requestsFor,
  RESOURCE_GROUP,
  secretConnection,
  STORAGE_ACCOUNT,
  STORAGE_KEY,
  SUBSCRIPTION_ID,
  TENANT_ID,
  useLocalAzure,
} from './fixtures';
import { ServiceConnection } from './harness';
import { addRecordedService, expectedRequests, onStandIn, seedBackup, sentRequests } from './recorded';

const backups2021 = loadRecording('backup-and-restore-2021');
const restores2023 = loadRecording('restore-managed-identity-2023');

const standIn = useLocalAzure();

beforeAll(() => {
  addRecordedService(standIn, backups2021);
  addRecordedService(standIn, restores2023);
});

/** The secret connection, on the recording's subscription. */
function connectionTo(subscriptionId: string): ServiceConnection {
  const connection = secretConnection(standIn);
  return { ...connection, data: { ...connection.data, subscriptionId } };
}

it('backup: the recorded 2021 answers are followed to success, with the requests Azure expects', async () => {
  const backup = recordedOperation(backups2021, 'backup');
  const from = standIn.requests.length;
  const name = 'sdktestapim4219/2021-05-02.apimbackup';
  const run = await standIn.runAzureDevOps(
    {
      operation: 'backup',
      resourceGroupName: backups2021.resourceGroup,
      serviceName: backups2021.serviceName,
      backupName: name,
      timeout: '1m',
    },
    { connection: connectionTo(backups2021.subscriptionId) },
  );

  expect(run.errorMessage).toBe('');
  expect(run.result).toBe('Succeeded');
  expect(run.outputs.operationStatus).toBe('Succeeded');
  expect(run.outputs.operationUrl).toBe(
    onStandIn(standIn, backup.answer.headers.Location).replace('//operationresults/', '/operationresults/'),
  );
  expect(run.stdout).not.toContain('##vso[task.logissue type=warning');
  expect(sentRequests(standIn, backups2021, from)).toEqual(expectedRequests(backup));
  expect(await standIn.blobStore.read(STORAGE_ACCOUNT, CONTAINER, name, STORAGE_KEY)).toBeDefined();
}, 60_000);

it('restore with a user-assigned identity: the recorded 2023 answers are followed to success', async () => {
  const restore = recordedOperation(restores2023, 'restore');
  const recordedBody = restore.request.body as { accessType: string; clientId: string };
  await seedBackup(standIn, restores2023, 'sdktestapim1777/2023-07-19.apimbackup');
  const from = standIn.requests.length;
  const run = await standIn.runAzureDevOps(
    {
      operation: 'restore',
      resourceGroupName: restores2023.resourceGroup,
      serviceName: restores2023.serviceName,
      backupName: 'sdktestapim1777/2023-07-19.apimbackup',
      storageAccess: 'user-assigned-identity',
      storageIdentityClientId: recordedBody.clientId,
      storageKey: '',
      safetyBackup: 'false',
      timeout: '1m',
    },
    { connection: connectionTo(restores2023.subscriptionId) },
  );

  expect(run.errorMessage).toBe('');
  expect(run.result).toBe('Succeeded');
  expect(run.outputs.operationStatus).toBe('Succeeded');
  expect(run.outputs.operationUrl).toBe(onStandIn(standIn, restore.answer.headers.Location));
  expect(run.outputs.operationUrl).toMatch(/\/operationresults\/[A-Za-z0-9+/]+==\?api-version=2022-08-01$/);
  expect(sentRequests(standIn, restores2023, from)).toEqual(expectedRequests(restore));
  const post = standIn.requests
    .slice(from)
    .find((request) => request.method === 'POST' && request.path.endsWith('/restore'));
  expect(JSON.parse(post?.body ?? '{}')).toMatchObject({
    accessType: recordedBody.accessType,
    clientId: recordedBody.clientId,
  });
}, 60_000);

it('a poll the identity may not read stops at once, naming operationresults/read, its role and the running backup', async () => {
  const principal = '6e1d4c2b-8f3a-4b7c-8d9e-2f3a4b5c6d7e';
  standIn.addApp({ tenantId: TENANT_ID, clientId: principal, clientSecret: CLIENT_SECRET });
  standIn.denyAction(principal, 'Microsoft.ApiManagement/service/operationresults/read');
  const service = standIn.addService({
    subscriptionId: SUBSCRIPTION_ID,
    resourceGroup: RESOURCE_GROUP,
    name: 'apim-unreadable-status',
    operationPolls: 5,
    retryAfterSeconds: 1,
  });

  const run = await standIn.runAzureDevOps(
    { operation: 'backup', serviceName: 'apim-unreadable-status' },
    {
      connection: azureRmConnection(standIn, 'ServicePrincipal', {
        authenticationType: 'spnKey',
        serviceprincipalid: principal,
        serviceprincipalkey: CLIENT_SECRET,
      }),
    },
  );

  expect(run.result).toBe('Failed');
  const url = run.outputs.operationUrl;
  expect(url).toContain(`${armPath('apim-unreadable-status')}/operationresults/`);
  expect(run.errorMessage).toContain(
    "perform action 'Microsoft.ApiManagement/service/operationresults/read'",
  );
  expect(run.errorMessage).toContain(`The backup goes on in Azure: its status is at ${url}`);
  expect(run.errorMessage).toContain(
    "'API Management Service Contributor' (or a custom role with Microsoft.ApiManagement/service/operationresults/read)",
  );
  expect(run.errorMessage).toContain(`operation: status and operationUrl: ${url}`);
  expect(requestsFor(standIn, 'apim-unreadable-status').polls).toHaveLength(1);
  expect(service.operations.map((operation) => operation.status)).toEqual(['InProgress']);
}, 60_000);

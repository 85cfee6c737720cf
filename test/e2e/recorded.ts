/**
 * Instances that answer backup and restore as Azure did in its recordings (test/stand-in/recordings), and the
 * requests the step sent them, side by side with the ones the recorded client sent.
 */
import {
  backupBlobContent,
  RECORDED_ARM,
  RecordedOperation,
  recordedRequests,
  Recording,
  ServiceState,
  StandIn,
} from '../stand-in';
import { APP_OBJECT_ID, CONTAINER, STORAGE_ACCOUNT, STORAGE_KEY } from './fixtures';

/**
 * The recording's instance on the stand-in (its subscription, group, name and region as recorded), set up soundly
 * around it as the recorded test's was: the storage account beside it, the step's app with its roles there, and the
 * user-assigned identity the recorded requests name attached, so pre-flight passes and only the replay is judged.
 */
export function addRecordedService(standIn: StandIn, recording: Recording): ServiceState {
  const { subscriptionId, resourceGroup } = recording;
  standIn.addStorageAccount({ subscriptionId, resourceGroup, name: STORAGE_ACCOUNT });
  for (const role of ['API Management Service Contributor', 'Reader']) {
    standIn.authorization.assign(APP_OBJECT_ID, role, `/subscriptions/${subscriptionId}`);
  }
  const userAssignedClientIds = recording.operations
    .map((operation) => (operation.request.body as { clientId?: string } | undefined)?.clientId)
    .filter((clientId): clientId is string => clientId !== undefined);
  return standIn.addService({
    subscriptionId,
    resourceGroup,
    name: recording.serviceName,
    location: recording.location,
    replay: recording.operations,
    ...(userAssignedClientIds.length > 0 ? { identity: 'UserAssigned', userAssignedClientIds } : {}),
  });
}

/** A URL of the recording, on the stand-in. */
export function onStandIn(standIn: StandIn, url: string): string {
  return url.startsWith(RECORDED_ARM) ? `${standIn.url}${url.slice(RECORDED_ARM.length)}` : url;
}

/** A backup of the recording's instance in the container, as APIM would have written it. */
export async function seedBackup(standIn: StandIn, recording: Recording, name: string): Promise<void> {
  const content = backupBlobContent({
    service: recording.serviceName,
    sku: 'Developer',
    createdAt: new Date(),
  });
  await standIn.blobStore.write(STORAGE_ACCOUNT, CONTAINER, name, content, STORAGE_KEY);
}

/**
 * What the recorded client sent for an operation, in the form the step must send it: the POST by its path (the step
 * sends its own api-version, 2024-05-01, where the recorded client sent 2020-12-01 or 2022-08-01), each poll by
 * path and query. Two slashes become one: Azure accepts both (the recorded client GET the two-slash URL of the
 * first Location and was answered 202 with the one-slash form, which it used from then on; since 2023 Azure hands
 * out only that form), so the step sends the one Azure names itself.
 */
export function expectedRequests(operation: RecordedOperation): string[] {
  return recordedRequests(operation).map((line) => {
    const [method, uri] = line.split(' ');
    const [path, query] = uri.split('?');
    const normalised = path.replace(/\/{2,}/g, '/');
    return method === 'POST' ? `POST ${normalised}` : `GET ${normalised}?${query}`;
  });
}

/** The backup and restore POSTs and the operation-status GETs the step sent the instance, from request `from` on. */
export function sentRequests(standIn: StandIn, recording: Recording, from = 0): string[] {
  const base =
    `/subscriptions/${recording.subscriptionId}/resourceGroups/${recording.resourceGroup}/providers/Microsoft.ApiManagement/service/${recording.serviceName}`.toLowerCase();
  return standIn.requests
    .slice(from)
    .filter((request) => request.path.toLowerCase().startsWith(base))
    .filter((request) => request.method === 'POST' || /\/operationresults\//i.test(request.path))
    .map((request) =>
      request.method === 'POST' ? `POST ${request.path}` : `GET ${request.path}${request.search}`,
    );
}

/** Local stand-ins of Entra ID, ARM + API Management, the pipelines' OIDC endpoints and Blob Storage. */
export { startStandIn } from './server';
export type { StandIn, StandInOptions } from './server';
export { ServiceState } from './service-state';
export type { OperationRecord, ServiceBehaviour, ServiceSetup, ServiceSpec } from './service-state';
export { StorageAccountState } from './storage-accounts';
export type { StorageAccountSpec } from './storage-accounts';
export { Authorization, BUILT_IN_ROLES } from './authorization';
export type { RoleAssignmentState, RoleDefinitionState, RolePermissions } from './authorization';
export type { AccessType, BackupRestoreParameters } from './backup-parameters';
export { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME, startAzurite } from './azurite';
export type { Azurite, AzuriteAccount, AzuriteOptions } from './azurite';
export { startStorageProxy, storageErrorXml } from './storage-proxy';
export type { ProxiedRequest, StorageProxy, StorageProxyOptions, StorageRole } from './storage-proxy';
export { backupBlobName, backupSeeds, listBlobsWithMetadata, seedBlobs } from './backup-seeds';
export type { BackupSeedOptions, ListedBlob, SeedBlob, SeedResult } from './backup-seeds';
export { storageClient, tlsTrust } from './trust';
export type { StorageClientOptions } from './trust';
export { isStorageResource, objectIdOf } from './tokens';
export { backupBlobContent, parseBackupBlob } from './backup-blob';
export type { BackupBlob } from './backup-blob';
export { BlobAccessDeniedError, createAzuriteBlobStore, createMemoryBlobStore } from './blob-store';
export type { BlobStore } from './blob-store';
export { createClientCertificate, createTestCertificate, FAKE_AZURE_DOMAIN } from './certificate';
export { fakeAzureHost, startForwardProxy } from './forward-proxy';
export type { ForwardProxy, ForwardProxyOptions, ProxyConnect } from './forward-proxy';
export type { ClientCertificate, TestCertificate } from './certificate';
export type { AppRegistration, FederatedCredential } from './entra';
export { AZURE_DEVOPS_ISSUER, GITHUB_ISSUER, TOKEN_EXCHANGE_AUDIENCE } from './id-tokens';
export type { AzureDevOpsOidc, GitHubOidc, IdTokenRequest } from './id-tokens';
export type { ManagedIdentityConfig } from './managed-identity';
export type { RecordedRequest } from './http';
export { decodeJwt } from './jwt';
export { FaultRegistry, routeOf } from './faults';
export {
  loadRecording,
  RECORDED_ARM,
  recordedOperation,
  recordedRequests,
  ReplayedOperation,
} from './replay';
export type { RecordedOperation, Recording, RecordingName } from './replay';
export type { Fault, FaultRoute } from './faults';

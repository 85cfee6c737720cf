/**
 * Trusting the test CA inside the jest process, where NODE_EXTRA_CA_CERTS (read once at Node start) does not name it.
 *
 * @azure/identity credentials and ARM clients take `tlsOptions: { ca }` (core-rest-pipeline PipelineOptions).
 * @azure/storage-blob's typed options lack it, but its clients hand every option on to core-client's
 * createClientPipeline, which adds the same tlsPolicy; storageClient() below does that with the right cast, so a
 * test does not rely on the cast itself. `ca` replaces the default CAs: these clients trust only the test CA.
 */
type StorageBlob = typeof import('@azure/storage-blob');
type TokenCredential = import('@azure/core-auth').TokenCredential;

// Required lazily (see blob-store.ts): the CommonJS build, and nothing loaded for users that never touch storage.
function storageBlob(): StorageBlob {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@azure/storage-blob') as StorageBlob;
}

/** `{ tlsOptions: { ca } }` for @azure/identity credential options and ARM / storage client options. */
export function tlsTrust(caPem: string | string[] | undefined): { tlsOptions?: { ca: string[] } } {
  if (caPem === undefined) return {};
  return { tlsOptions: { ca: Array.isArray(caPem) ? caPem : [caPem] } };
}

export interface StorageClientOptions {
  /** PEM of the CA to trust for an https endpoint (Azurite's or the proxy's certificate). */
  ca?: string | string[];
  /** Tries per request; default 1 (no retries), so a test sees a 403 at once. */
  maxTries?: number;
}

/**
 * A BlobServiceClient for `endpoint` (…/devstoreaccount1) signing with a Shared Key ({accountName, accountKey}) or
 * a TokenCredential (bearer for https://storage.azure.com/.default), trusting `ca` in process.
 */
export function storageClient(
  endpoint: string,
  credential: { accountName: string; accountKey: string } | TokenCredential,
  options: StorageClientOptions = {},
): import('@azure/storage-blob').BlobServiceClient {
  const { BlobServiceClient, StorageSharedKeyCredential } = storageBlob();
  const signer =
    'accountKey' in credential
      ? new StorageSharedKeyCredential(credential.accountName, credential.accountKey)
      : credential;
  const pipelineOptions = {
    retryOptions: { maxTries: options.maxTries ?? 1 },
    ...tlsTrust(options.ca),
  } as import('@azure/storage-blob').StoragePipelineOptions;
  return new BlobServiceClient(endpoint, signer, pipelineOptions);
}

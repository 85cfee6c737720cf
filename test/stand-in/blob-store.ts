/**
 * Where the stand-in's APIM keeps backups: in memory, or in a real Azurite blob service. A store throws
 * BlobAccessDeniedError where Azure Storage would answer 403, so the stand-in can fail the operation like APIM.
 */
import { storageClient } from './trust';

type StorageBlob = typeof import('@azure/storage-blob');

// Required lazily, not imported: memory-store users skip loading it, and a bundler then takes its CommonJS build
// (the ESM build of @azure/storage-common reads import.meta.url, which is empty in a CJS bundle and throws).
function storageBlob(): StorageBlob {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@azure/storage-blob') as StorageBlob;
}

export interface BlobStore {
  /** accessKey: the key APIM was given (accessType AccessKey); undefined when APIM uses its managed identity. */
  write(account: string, container: string, blob: string, content: string, accessKey?: string): Promise<void>;
  /** undefined when the container or blob does not exist. */
  read(account: string, container: string, blob: string, accessKey?: string): Promise<string | undefined>;
}

export class BlobAccessDeniedError extends Error {
  constructor(
    readonly account: string,
    detail = 'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
  ) {
    super(`The remote server returned an error: (403) Forbidden. ${detail}`);
    this.name = 'BlobAccessDeniedError';
  }
}

/**
 * Blobs keyed 'account/container/blob'. Any key is accepted, unless `keys` names the account's key: then a
 * different key is refused (403). Managed-identity access (no key) is always allowed.
 */
export function createMemoryBlobStore(options: { keys?: Record<string, string> } = {}): BlobStore & {
  blobs: Map<string, string>;
} {
  const blobs = new Map<string, string>();
  const check = (account: string, accessKey: string | undefined) => {
    const expected = options.keys?.[account];
    if (accessKey !== undefined && expected !== undefined && accessKey !== expected) {
      throw new BlobAccessDeniedError(account);
    }
  };
  return {
    blobs,
    async write(account, container, blob, content, accessKey) {
      check(account, accessKey);
      blobs.set(`${account}/${container}/${blob}`, content);
    },
    async read(account, container, blob, accessKey) {
      check(account, accessKey);
      return blobs.get(`${account}/${container}/${blob}`);
    },
  };
}

/**
 * Backups in Azurite. Every APIM storage account maps to Azurite's one account. A given access key is used as the
 * account key, so Azurite itself refuses a wrong one (pass the Azurite key as the storage key to succeed); without a
 * key (managed identity) the Azurite key is used.
 */
export function createAzuriteBlobStore(azurite: {
  blobEndpoint: string;
  accountName: string;
  accountKey: string;
  /** Set for an https Azurite: the stand-in then trusts it in process. */
  caCertPem?: string;
}): BlobStore {
  const { RestError } = storageBlob();
  const client = (accessKey: string | undefined) =>
    storageClient(
      azurite.blobEndpoint,
      { accountName: azurite.accountName, accountKey: accessKey ?? azurite.accountKey },
      { ca: azurite.caCertPem },
    );
  const denied = (account: string, error: unknown) =>
    error instanceof RestError && error.statusCode === 403
      ? new BlobAccessDeniedError(account, error.message)
      : error;
  return {
    async write(account, container, blob, content, accessKey) {
      try {
        const containerClient = client(accessKey).getContainerClient(container);
        await containerClient.createIfNotExists();
        await containerClient.getBlockBlobClient(blob).upload(content, Buffer.byteLength(content));
      } catch (error) {
        throw denied(account, error);
      }
    },
    async read(account, container, blob, accessKey) {
      try {
        const buffer = await client(accessKey)
          .getContainerClient(container)
          .getBlobClient(blob)
          .downloadToBuffer();
        return buffer.toString('utf8');
      } catch (error) {
        if (error instanceof RestError && error.statusCode === 404) return undefined;
        throw denied(account, error);
      }
    },
  };
}

/**
 * The backups in blob storage, as the step itself sees them through @azure/storage-blob: which blobs are backups
 * of an instance, their age and expiry, their provenance metadata, and deleting old ones.
 */
import type { TokenCredential } from '@azure/identity';
import {
  BlobServiceClient,
  ContainerClient,
  RestError,
  StorageSharedKeyCredential,
  StoragePipelineOptions,
} from '@azure/storage-blob';
import type { PipelineOptions } from '@azure/core-rest-pipeline';
import type { StorageLocation } from '../inputs/config';
import type { Network } from '../net/network';
import { explainStorageError, StorageNeed } from '../report/errors';
import { Backup, ListedBlob, newestFirst, ownership, Provenance, toBackup } from './backup-entry';
import { forEachConcurrently } from '../base/concurrently';
import { blobUrl } from './blob-url';
import type { Deadline } from '../base/deadline';

/** How many deletions are in flight at once: storage latency, not Azurite or the client, sets prune's pace. */
const DELETE_CONCURRENCY = 32;

/** The backups of an instance, and the blobs that may be its backups but are not provably so. */
export interface Listing {
  /** Newest first. */
  backups: Backup[];
  /** Unstamped blobs whose names start with the instance name but go on with letters: never used or deleted. */
  unproven: string[];
}

export interface DeleteOutcome {
  deleted: string[];
  leased: string[];
  failed: { name: string; message: string }[];
}

/** The token scope of Blob Storage in every cloud, as @azure/storage-blob asks for it. */
const STORAGE_SCOPE = 'https://storage.azure.com/.default';

export class BackupCatalog {
  private readonly container: ContainerClient;

  constructor(
    private readonly location: StorageLocation,
    private readonly credential: TokenCredential | undefined,
    /** Who the step reads storage as, for messages: "app '…'", "the storage key". */
    private readonly identity: string,
    private readonly deadline: Deadline,
    private readonly network: Network,
    private readonly now: () => number = Date.now,
  ) {
    const auth = location.sharedKey
      ? new StorageSharedKeyCredential(location.sharedKey.accountName, location.sharedKey.key)
      : credential;
    if (!auth) throw new Error('Reading storage needs a storage key or a sign-in');
    // Few, quick retries: a storage the step cannot reach is often a firewall, which retrying does not mend.
    const options: StoragePipelineOptions & Pick<PipelineOptions, 'agent'> = {
      retryOptions: { maxTries: 3, retryDelayInMs: 500, maxRetryDelayInMs: 2_000 },
      userAgentOptions: { userAgentPrefix: 'apim-backup-restore' },
      // Not in the storage typings, but handed on to core-rest-pipeline's pipeline, where it comes before the SDK's
      // own proxy policy: every connection to storage goes the Network's route.
      agent: network.agentFor(location.blobEndpoint),
    };
    const service = new BlobServiceClient(location.blobEndpoint, auth, options);
    this.container = service.getContainerClient(location.container);
  }

  /**
   * Readies the first request while something else runs: with a sign-in, fetches the storage token (kept by the
   * credential), so a stamp after a backup is one request. A failure here is left to that request to report.
   */
  async prepare(): Promise<void> {
    await this.credential
      ?.getToken(STORAGE_SCOPE, { abortSignal: this.deadline.signal })
      .catch(() => undefined);
  }

  /** "container 'c' of storage account 'a'", for activity and messages. */
  private get where(): string {
    return `container '${this.location.container}' of storage account '${this.location.account}'`;
  }

  url(name: string): string {
    return blobUrl(this.location, name);
  }

  /**
   * Backups of the instance, newest first, and the names of the unproven ones (see `ownership`). Every other blob
   * in the container is left out.
   */
  async list(serviceName: string): Promise<Listing> {
    const backups: Backup[] = [];
    const unproven: string[] = [];
    try {
      await this.deadline.race(`listing the backups in ${this.where}`, async (abortSignal) => {
        const pages = this.container
          .listBlobsFlat({ includeMetadata: true, abortSignal })
          .byPage({ maxPageSize: 5000 });
        for await (const page of pages) {
          for (const item of page.segment.blobItems) {
            const owner = ownership(item.name, item.metadata, serviceName);
            if (owner === 'own') backups.push(toBackup(item, this.url(item.name), this.now()));
            else if (owner === 'unproven') unproven.push(item.name);
          }
        }
      });
    } catch (error) {
      throw this.explain(error, 'read');
    }
    return { backups: backups.sort(newestFirst), unproven };
  }

  /** Can the step read the container? Lists at most one blob; 'no-container' when it does not exist yet. */
  async probe(): Promise<'ok' | 'no-container'> {
    try {
      await this.deadline.race(`reading ${this.where}`, (abortSignal) =>
        this.container.listBlobsFlat({ abortSignal }).byPage({ maxPageSize: 1 }).next(),
      );
      return 'ok';
    } catch (error) {
      if (error instanceof RestError && isContainerMissing(error)) return 'no-container';
      throw this.explain(error, 'read');
    }
  }

  /** One blob by name, whatever it holds; undefined when it does not exist. */
  async get(name: string): Promise<Backup | undefined> {
    try {
      const properties = await this.deadline.race(
        `reading backup '${name}' in ${this.where}`,
        (abortSignal) => this.container.getBlobClient(name).getProperties({ abortSignal }),
      );
      const blob: ListedBlob = {
        name,
        metadata: properties.metadata,
        properties: {
          createdOn: properties.createdOn,
          lastModified: properties.lastModified ?? new Date(this.now()),
          contentLength: properties.contentLength,
          leaseState: properties.leaseState,
        },
      };
      return toBackup(blob, this.url(name), this.now());
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404 && !isContainerMissing(error))
        return undefined;
      throw this.explain(error, 'read');
    }
  }

  async stamp(name: string, provenance: Provenance): Promise<void> {
    const metadata = Object.fromEntries(
      Object.entries(provenance)
        .filter(([, value]) => value !== undefined && value !== '')
        .map(([key, value]) => [key, asciiOnly(String(value))]),
    );
    try {
      await this.deadline.race(`stamping backup '${name}' in ${this.where}`, (abortSignal) =>
        this.container.getBlobClient(name).setMetadata(metadata, { abortSignal }),
      );
    } catch (error) {
      throw this.explain(error, 'write');
    }
  }

  /** Deletes the blobs concurrently; a leased blob is skipped, a failure recorded, and the others still tried. */
  async delete(names: string[], onDeleted: (name: string) => void): Promise<DeleteOutcome> {
    const outcome: DeleteOutcome = { deleted: [], leased: [], failed: [] };
    this.deadline.activity = `deleting ${names.length} backup(s) in ${this.where}`;
    await forEachConcurrently(names, DELETE_CONCURRENCY, async (name) => {
      try {
        await this.container.deleteBlob(name, { abortSignal: this.deadline.signal });
        outcome.deleted.push(name);
        onDeleted(name);
      } catch (error) {
        if (this.deadline.expired) throw error;
        if (error instanceof RestError && /^LeaseIdMissing|LeaseLost/.test(String(error.code))) {
          outcome.leased.push(name);
        } else {
          outcome.failed.push({ name, message: this.explain(error, 'delete').message });
        }
      }
    });
    return outcome;
  }

  private explain(error: unknown, need: StorageNeed): Error {
    if (this.deadline.expired) return error as Error;
    return explainStorageError(error, {
      location: this.location,
      identity: this.identity,
      need,
      network: this.network,
    });
  }
}

/** Metadata values are ASCII: anything else (a project name with accents in a run URL) is percent-encoded. */
function asciiOnly(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, (c) => encodeURIComponent(c));
}

function isContainerMissing(error: RestError): boolean {
  return error.code === 'ContainerNotFound';
}

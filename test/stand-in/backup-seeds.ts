/**
 * Filling a container with many blobs fast, and reading it back, for tests and the benchmark of the operations that
 * read backups in storage (list, verify, prune, restore latest).
 *
 * Azurite stamps a blob's creation time when it is uploaded and cannot backdate it, so a backup's age lives in its
 * `apimcreated` metadata (ISO 8601), which is what the product reads.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { backupBlobContent } from './backup-blob';

export interface SeedBlob {
  name: string;
  /** Blob metadata; names must be C# identifiers, values ASCII. */
  metadata?: Record<string, string>;
  /** Default: an empty blob. */
  content?: string | Buffer;
}

export interface SeedResult {
  uploaded: number;
  ms: number;
  /** The highest number of uploads in flight at once. */
  maxInFlight: number;
}

/**
 * Uploads `blobs` into `container` with at most `concurrency` (default 64) in flight; creates the container first
 * unless `createContainer` is false. Rejects with the first failure (the rest still settle first).
 */
export async function seedBlobs(
  container: ContainerClient,
  blobs: SeedBlob[],
  options: { concurrency?: number; createContainer?: boolean } = {},
): Promise<SeedResult> {
  const start = Date.now();
  if (options.createContainer !== false) await container.createIfNotExists();
  const concurrency = Math.max(1, options.concurrency ?? 64);
  let next = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < blobs.length && failure === undefined) {
      const blob = blobs[next++];
      const content = blob.content ?? '';
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await container
          .getBlockBlobClient(blob.name)
          .upload(content, Buffer.byteLength(content), { metadata: blob.metadata });
      } catch (error) {
        failure ??= error;
      } finally {
        inFlight -= 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, blobs.length) }, worker));
  if (failure !== undefined) throw failure;
  return { uploaded: blobs.length, ms: Date.now() - start, maxInFlight };
}

export interface BackupSeedOptions {
  service: string;
  count: number;
  /** When the newest backup was taken; default now. */
  newest?: Date;
  /** The oldest is this many days before the newest, the rest spread evenly between; default 60. */
  spreadDays?: number;
  sku?: string;
  resourceGroup?: string;
  subscriptionId?: string;
  /** Name prefix inside the container, e.g. 'nightly/'; default none. */
  prefix?: string;
  /** Extra metadata on every blob. */
  metadata?: Record<string, string>;
  /** Content: default the stand-in's backup JSON (so the stand-in APIM can restore it); 'empty' for none. */
  content?: 'backup' | 'empty';
}

/** `{service}-YYYYMMDD-HHMMSS.apimbackup` of a time (UTC), the product's default backup name. */
export function backupBlobName(service: string, at: Date, prefix = ''): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d{3}Z$/, '')
    .replace(/[-:]/g, '')
    .replace('T', '-');
  return `${prefix}${service}-${stamp}.apimbackup`;
}

/**
 * `count` backups of one instance, newest first, with apimservice, apimsku, apimcreated (and apimresourcegroup,
 * apimsubscription when given) metadata; created times spread evenly over `spreadDays` and made unique to the second.
 */
export function backupSeeds(options: BackupSeedOptions): SeedBlob[] {
  const newest = (options.newest ?? new Date()).getTime();
  const span = (options.spreadDays ?? 60) * 86_400_000;
  const step = options.count > 1 ? Math.floor(span / (options.count - 1) / 1000) * 1000 : 0;
  const sku = options.sku ?? 'Developer';
  const seeds: SeedBlob[] = [];
  for (let i = 0; i < options.count; i++) {
    // Whole seconds, and at least a second apart, so names never collide.
    const at = new Date(Math.floor(newest / 1000) * 1000 - i * Math.max(step, 1000));
    const metadata: Record<string, string> = {
      apimservice: options.service,
      apimsku: sku,
      apimcreated: at.toISOString(),
      ...(options.resourceGroup ? { apimresourcegroup: options.resourceGroup } : {}),
      ...(options.subscriptionId ? { apimsubscription: options.subscriptionId } : {}),
      ...options.metadata,
    };
    const content =
      options.content === 'empty' ? '' : backupBlobContent({ service: options.service, sku, createdAt: at });
    seeds.push({ name: backupBlobName(options.service, at, options.prefix), metadata, content });
  }
  return seeds;
}

export interface ListedBlob {
  name: string;
  metadata: Record<string, string>;
  createdOn?: Date;
  lastModified: Date;
  contentLength?: number;
}

/** Every blob in the container (optionally under a prefix) with its metadata, sorted by name. */
export async function listBlobsWithMetadata(
  container: ContainerClient,
  prefix?: string,
): Promise<ListedBlob[]> {
  const listed: ListedBlob[] = [];
  for await (const item of container.listBlobsFlat({ includeMetadata: true, prefix })) {
    listed.push({
      name: item.name,
      metadata: item.metadata ?? {},
      createdOn: item.properties.createdOn,
      lastModified: item.properties.lastModified,
      contentLength: item.properties.contentLength,
    });
  }
  return listed.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** What the step knows of a backup blob, and the rules that need no storage client (kept free of the SDK). */

/** Azure refuses to restore a backup older than this. */
export const BACKUP_LIFETIME_MS = 30 * 86_400_000;
const BACKUP_SUFFIX = '.apimbackup';
/** Provenance stamped on every backup the step makes (metadata names must be C# identifiers). */
export interface Provenance {
  apimservice: string;
  apimresourcegroup: string;
  apimsubscription: string;
  apimsku: string;
  apimlocation?: string;
  apimcreated: string;
  apimrun?: string;
  apimcommit?: string;
}

export interface Backup {
  name: string;
  url: string;
  createdOn: Date;
  expiresOn: Date;
  sizeBytes: number;
  /** Tier of the instance it was taken from, when stamped. */
  sku?: string;
  /** Instance it was taken from, when stamped. */
  service?: string;
  /** The pipeline run that made it, when stamped. */
  run?: string;
  expired: boolean;
  leased: boolean;
}

/**
 * Whose a blob is, for one instance: 'own' (a backup of it), 'unproven' (unstamped, and its name starts with the
 * instance name but does not show it is that instance's: `apim-prod-dr-20261201.apimbackup` for `apim-prod`), or
 * 'other' (another instance's, or no backup at all).
 */
export type Ownership = 'own' | 'unproven' | 'other';

/** What an unstamped name must go on with after the instance name and a separator. */
const DATED = /^\d/;
/** The step's default safety-backup name, `{service}-pre-restore-{timestamp}`, after the instance name. */
const SAFETY_MARKER = /^pre-restore-\d/;

/**
 * Ownership of a `.apimbackup` blob, never guessed. Its `apimservice` stamp decides (instance names are unique in
 * a cloud, and an instance moved to another resource group or subscription keeps its name and its backups, so the
 * other stamps are not compared). Unstamped (another tool's, or a stamp that failed), the name decides only when it
 * is the instance name alone, or the instance name, `-`, `_`, `.` or `/`, then a digit (a date, time or run
 * number, as `{service}-{timestamp}`, `{service}/{date}-{run-id}` and PowerShell's `{Name}-{yyyy-MM-dd-HH-mm}`
 * make) or the step's own safety-backup marker `pre-restore-` and a digit. Letters there may be another
 * instance's name (`apim-prod-dr`), so such a blob is 'unproven': never used or deleted.
 */
export function ownership(
  name: string,
  metadata: Record<string, string> | undefined,
  serviceName: string,
): Ownership {
  if (!name.toLowerCase().endsWith(BACKUP_SUFFIX)) return 'other';
  const service = serviceName.toLowerCase();
  const stampedService = lowerKeys(metadata).apimservice?.trim();
  if (stampedService) return stampedService.toLowerCase() === service ? 'own' : 'other';
  const lower = name.toLowerCase();
  if (lower === service + BACKUP_SUFFIX) return 'own';
  if (!lower.startsWith(service) || !'-_./'.includes(lower.charAt(service.length))) return 'other';
  const rest = lower.slice(service.length + 1);
  return DATED.test(rest) || SAFETY_MARKER.test(rest) ? 'own' : 'unproven';
}

/** What a blob listing says of one blob: the fields of the SDK's BlobItem that make it a Backup. */
export interface ListedBlob {
  name: string;
  metadata?: Record<string, string>;
  properties: { createdOn?: Date; lastModified: Date; contentLength?: number; leaseState?: string };
}

/** A blob of the instance as a Backup: its stamped creation time wins over the blob's (a copy resets that). */
export function toBackup(item: ListedBlob, url: string, now: number): Backup {
  const metadata = lowerKeys(item.metadata);
  const stamped = metadata.apimcreated ? Date.parse(metadata.apimcreated) : NaN;
  const createdOn = Number.isNaN(stamped)
    ? (item.properties.createdOn ?? item.properties.lastModified)
    : new Date(stamped);
  const expiresOn = new Date(createdOn.getTime() + BACKUP_LIFETIME_MS);
  return {
    name: item.name,
    url,
    createdOn,
    expiresOn,
    sizeBytes: item.properties.contentLength ?? 0,
    sku: metadata.apimsku,
    service: metadata.apimservice,
    run: metadata.apimrun,
    expired: expiresOn.getTime() <= now,
    leased: item.properties.leaseState === 'leased',
  };
}

/** Listing order: newest first, then by name, so equal times list the same way every run. */
export function newestFirst(a: Backup, b: Backup): number {
  return b.createdOn.getTime() - a.createdOn.getTime() || a.name.localeCompare(b.name);
}

export function ageMs(backup: Backup, now = Date.now()): number {
  return Math.max(0, now - backup.createdOn.getTime());
}

export function lowerKeys(metadata: Record<string, string> | undefined): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key.toLowerCase(), value]));
}

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
 * A backup of the instance: a `.apimbackup` blob stamped with its name, or (made by another tool, unstamped) whose
 * name starts with it followed by `-`, `_`, `.` or `/`.
 */
export function isBackupOf(
  name: string,
  metadata: Record<string, string> | undefined,
  serviceName: string,
): boolean {
  if (!name.toLowerCase().endsWith(BACKUP_SUFFIX)) return false;
  const stampedService = lowerKeys(metadata).apimservice;
  const service = serviceName.toLowerCase();
  if (stampedService !== undefined) return stampedService.toLowerCase() === service;
  const lower = name.toLowerCase();
  return lower.startsWith(service) && '-_./'.includes(lower.charAt(service.length));
}

export function ageMs(backup: Backup, now = Date.now()): number {
  return Math.max(0, now - backup.createdOn.getTime());
}

export function lowerKeys(metadata: Record<string, string> | undefined): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key.toLowerCase(), value]));
}

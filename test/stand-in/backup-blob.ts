/** The content of a backup blob in the stand-in, so tests can plant one (e.g. 40 days old) and read one back. */
/** What a backup blob holds here: JSON naming the instance and its tier (real backups are opaque binaries). */
export interface BackupBlob {
  service: string;
  sku: string;
  /** ISO 8601; restore refuses backups older than 30 days. */
  createdAt: string;
}

export function backupBlobContent(backup: {
  service: string;
  sku: string;
  createdAt: string | Date;
}): string {
  const createdAt = backup.createdAt instanceof Date ? backup.createdAt.toISOString() : backup.createdAt;
  return JSON.stringify({ service: backup.service, sku: backup.sku, createdAt } satisfies BackupBlob);
}

/** undefined when the content is not a backup the stand-in wrote (or a test planted). */
export function parseBackupBlob(content: string): BackupBlob | undefined {
  try {
    const value = JSON.parse(content) as Partial<BackupBlob>;
    const valid =
      typeof value.service === 'string' &&
      typeof value.sku === 'string' &&
      typeof value.createdAt === 'string' &&
      !Number.isNaN(Date.parse(value.createdAt));
    return valid ? (value as BackupBlob) : undefined;
  } catch {
    return undefined;
  }
}

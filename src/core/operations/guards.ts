/**
 * Checks on a backup before Azure is asked to restore it, so a restore that would fail after up to an hour of
 * Azure's work fails in seconds instead. Also the release gate of verify.
 */
import { ageMs, Backup } from '../azure/backup-entry';
import { formatDuration } from '../base/duration';

/** Why the backup cannot be restored into an instance of `tier`, or undefined when it can. */
export function restoreProblem(
  backup: Backup,
  tier: string | undefined,
  now = Date.now(),
): string | undefined {
  const age = formatDuration(ageMs(backup, now));
  if (backup.sizeBytes === 0) return `backup '${backup.name}' is empty (0 bytes; taken ${age} ago)`;
  if (backup.expired) {
    return `backup '${backup.name}' has expired: it was taken ${age} ago, and Azure restores backups only for 30 days`;
  }
  if (tier && backup.sku && backup.sku.toLowerCase() !== tier.toLowerCase()) {
    return `backup '${backup.name}' was taken from a ${backup.sku} instance, and the instance is ${tier}: a backup restores only into the same tier`;
  }
  return undefined;
}

/** The newest backup that has not expired (backups come newest first), and how many expired ones were passed over. */
export function newestUsable(backups: Backup[]): { backup?: Backup; skippedExpired: number } {
  return {
    backup: backups.find((backup) => !backup.expired),
    skippedExpired: backups.filter((backup) => backup.expired).length,
  };
}

export function describeBackup(backup: Backup, now = Date.now()): string {
  const details = [
    `taken ${formatDuration(ageMs(backup, now))} ago`,
    backup.sku ? `tier ${backup.sku}` : 'tier not recorded',
    `${backup.sizeBytes} bytes`,
  ];
  return `'${backup.name}' (${details.join(', ')})`;
}

/** list: the backups of an instance in storage, newest first, as outputs and a summary table. */
import { ageMs, Backup } from '../azure/backup-entry';
import { formatDuration } from '../inputs/duration';
import { code, markdownTable } from '../report/summary';
import { CatalogConfig, describeCatalog, listBackups } from './catalog-config';
import { describeBackup } from './guards';
import type { Operation } from './operation';

/** The log names this many; the output and the summary hold them all. */
const LOGGED = 10;

export const list: Operation<CatalogConfig> = {
  name: 'list',
  usesInstance: false,
  configure: (builder, common) => ({ ...common, sourceServiceName: builder.sourceServiceName() }),
  title: () => 'APIM backup list',
  action: (config) => `Listing the ${describeCatalog(config)}`,
  describe: (config) => `Listing the ${describeCatalog(config)}.`,

  async run(config, job) {
    const { backups, unproven } = await listBackups(config, job);
    const now = Date.now();
    job.setOutput('backups', JSON.stringify(backups.map(toOutput)));
    job.setOutput('backupCount', String(backups.length));

    const expired = backups.filter((backup) => backup.expired).length;
    job.log.info(
      `Found ${backups.length} ${describeCatalog(config).replace(/^backups/, backups.length === 1 ? 'backup' : 'backups')}${expired ? ` (${expired} expired)` : ''}${backups.length ? ', newest first:' : '.'}`,
    );
    for (const backup of backups.slice(0, LOGGED)) job.log.info(`  ${describeBackup(backup, now)}`);
    if (backups.length > LOGGED) job.log.info(`  … and ${backups.length - LOGGED} more (output backups).`);

    job.summary.rows.push(['Backups of', code(config.sourceServiceName)], ['Count', String(backups.length)]);
    job.summary.sections.push(backupTable(backups, now));
    if (unproven.length > 0) job.summary.sections.push(unprovenTable(config, unproven));
  },
};

function toOutput(backup: Backup) {
  return {
    name: backup.name,
    url: backup.url,
    createdOn: backup.createdOn.toISOString(),
    expiresOn: backup.expiresOn.toISOString(),
    sizeBytes: backup.sizeBytes,
    sku: backup.sku ?? null,
    service: backup.service ?? null,
    expired: backup.expired,
  };
}

function backupTable(backups: Backup[], now: number): string {
  return markdownTable(
    ['Backup', 'Age', 'Expires in', 'Size', 'Tier', 'Made by'],
    backups.map((backup) => [
      `[${code(backup.name)}](${backup.url})`,
      formatDuration(ageMs(backup, now)),
      backup.expired ? 'expired' : formatDuration(backup.expiresOn.getTime() - now),
      `${backup.sizeBytes} B`,
      backup.sku ?? '',
      backup.run ? `[run](${backup.run})` : '',
    ]),
  );
}

/** Shown apart, so a user sees what the step will not touch as this instance's, and can stamp what is. */
function unprovenTable(config: CatalogConfig, unproven: string[]): string {
  const service = config.sourceServiceName;
  const heading = `**Not counted: ${unproven.length} unstamped blob(s) starting with ${code(service)} and no date, time or run number after it.** They may be another instance's; stamp one with blob metadata ${code(`apimservice=${service}`)} to count it.`;
  return `${heading}\n\n${markdownTable(
    ['Blob'],
    unproven.map((name) => [code(name)]),
  )}`;
}

/**
 * list: the backups of an instance in storage, newest first: the newest in the backups output and the summary
 * table, every one in the backups-file.
 */
import { basename } from 'node:path';
import { ageMs, Backup } from '../azure/backup-entry';
import { formatDuration } from '../base/duration';
import { publishList } from '../report/bounded-output';
import { code, markdownTable } from '../report/summary';
import { CatalogConfig, describeCatalog, listBackups } from './catalog-config';
import { describeBackup } from './guards';
import type { Operation } from './operation';

/** The log names this many; the output, the summary and the file hold more. */
const LOGGED = 10;

export interface ListConfig extends CatalogConfig {
  /** The most entries in the backups output. */
  listLimit: number;
}

export const list: Operation<ListConfig> = {
  name: 'list',
  usesInstance: false,
  polls: false,
  configure: (builder, common) => ({
    ...common,
    sourceServiceName: builder.sourceServiceName(),
    listLimit: builder.wholeNumber('listLimit', 1, 1000),
  }),
  title: () => 'APIM backup list',
  action: (config) => `Listing the ${describeCatalog(config)}`,
  describe: (config) => `Listing the ${describeCatalog(config)}.`,

  async run(config, job) {
    const { backups, unproven } = await listBackups(config, job);
    const now = Date.now();
    job.setOutput('backupCount', String(backups.length));

    const expired = backups.filter((backup) => backup.expired).length;
    job.log.info(
      `Found ${backups.length} ${describeCatalog(config).replace(/^backups/, backups.length === 1 ? 'backup' : 'backups')}${expired ? ` (${expired} expired)` : ''}${backups.length ? ', newest first:' : '.'}`,
    );
    for (const backup of backups.slice(0, LOGGED)) job.log.info(`  ${describeBackup(backup, now)}`);
    if (backups.length > LOGGED) job.log.info(`  … and ${backups.length - LOGGED} more.`);

    const { file } = await publishList(job, {
      output: 'backups',
      fileOutput: 'backupsFile',
      fileStem: 'apim-backups',
      noun: 'backups',
      entries: backups.map(toOutput),
      limit: config.listLimit,
    });
    job.summary.rows.push(['Backups of', code(config.sourceServiceName)], ['Count', String(backups.length)]);
    if (file) job.summary.rows.push(['Every backup', code(basename(file))]);
    const whereTheRestIs = file
      ? `every backup is in ${code(basename(file))} (output ${code(config.profile.outputName('backupsFile'))})`
      : undefined;
    job.summary.sections.push(backupTable(backups, now, whereTheRestIs));
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

function backupTable(backups: Backup[], now: number, whereTheRestIs: string | undefined): string {
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
    whereTheRestIs,
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

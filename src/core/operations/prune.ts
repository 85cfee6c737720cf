/**
 * prune: deletes the backups of the source older than retention-days, never one of the newest keep-last and never
 * a blob that is not a backup of the source. A leased blob is skipped; a failed deletion fails the step after the
 * others were tried. With dry-run nothing changes.
 */
import { basename } from 'node:path';
import { ageMs, Backup } from '../azure/backup-entry';
import { formatDuration } from '../base/duration';
import { publishList } from '../report/bounded-output';
import { ActionableError } from '../report/errors';
import { code } from '../report/summary';
import { CatalogConfig, describeCatalog, listBackups } from './catalog-config';
import type { Operation } from './operation';

const DAY_MS = 86_400_000;

export interface PruneConfig extends CatalogConfig {
  retentionDays: number;
  keepLast: number;
  dryRun: boolean;
  /** The most names in the deleted output. */
  listLimit: number;
}

export const prune: Operation<PruneConfig> = {
  name: 'prune',
  usesInstance: false,
  polls: false,
  configure: (builder, common) => ({
    ...common,
    sourceServiceName: builder.sourceServiceName(),
    retentionDays: builder.wholeNumber('retentionDays', 1, 3650),
    keepLast: builder.wholeNumber('keepLast', 1, 10_000),
    dryRun: builder.flag('dryRun'),
    listLimit: builder.wholeNumber('listLimit', 1, 1000),
  }),
  title: (config) => `APIM backup prune${config.dryRun ? ' (dry run)' : ''}`,
  action: (config) => `Pruning the ${describeCatalog(config)}`,
  describe: (config) =>
    `${config.dryRun ? 'Dry run: listing what would be deleted of' : 'Pruning'} the ${describeCatalog(config)}: older than ${config.retentionDays} days, keeping the newest ${config.keepLast} whatever their age.`,

  async run(config, job) {
    const catalog = await job.catalog();
    const { backups } = await listBackups(config, job, catalog);
    const now = Date.now();
    const old = backups.slice(config.keepLast).filter((b) => ageMs(b, now) > config.retentionDays * DAY_MS);
    const leased = old.filter((backup) => backup.leased);
    const doomed = old.filter((backup) => !backup.leased);
    for (const backup of leased) {
      job.log.warning(`Skipped '${backup.name}': it is leased (something holds it); it was not deleted.`);
    }

    let deleted: string[];
    if (config.dryRun) {
      for (const backup of doomed) job.log.info(`Would delete ${describeOld(backup, now)}.`);
      deleted = doomed.map((backup) => backup.name);
    } else {
      const ages = new Map(doomed.map((backup) => [backup.name, backup]));
      const outcome = await catalog.delete(
        doomed.map((backup) => backup.name),
        (name) => job.log.info(`Deleted ${describeOld(ages.get(name)!, now)}.`),
      );
      for (const name of outcome.leased) {
        job.log.warning(`Skipped '${name}': it is leased (something holds it); it was not deleted.`);
      }
      // Newest first, as listed: deletions end in any order.
      const gone = new Set(outcome.deleted);
      deleted = doomed.filter((backup) => gone.has(backup.name)).map((backup) => backup.name);
      await report(job, config, backups.length, deleted);
      if (outcome.failed.length > 0) {
        throw new ActionableError(
          `Could not delete ${outcome.failed.length} of ${doomed.length} backup(s) (the others were deleted):\n${outcome.failed.map((f) => `  - ${f.name}: ${f.message}`).join('\n')}`,
          'DeleteFailed',
        );
      }
      return;
    }
    await report(job, config, backups.length, deleted);
  },
};

async function report(
  job: Parameters<Operation<PruneConfig>['run']>[1],
  config: PruneConfig,
  total: number,
  deleted: string[],
) {
  const kept = total - (config.dryRun ? 0 : deleted.length);
  job.setOutput('deletedCount', String(deleted.length));
  job.setOutput('keptCount', String(kept));
  const verb = config.dryRun ? 'Would delete' : 'Deleted';
  job.log.info(`${verb} ${deleted.length} of ${total} ${describeCatalog(config)}; ${kept} kept.`);
  const { file } = await publishList(job, {
    output: 'deleted',
    fileOutput: 'deletedFile',
    fileStem: 'apim-deleted',
    noun: config.dryRun ? 'backups that would be deleted' : 'deleted backups',
    entries: deleted,
    limit: config.listLimit,
  });
  job.summary.rows.push(
    ['Backups of', code(config.sourceServiceName)],
    [verb, String(deleted.length)],
    ['Kept', String(kept)],
  );
  if (file) job.summary.rows.push([`${verb} (every name)`, code(basename(file))]);
}

function describeOld(backup: Backup, now: number): string {
  return `'${backup.name}' (taken ${formatDuration(ageMs(backup, now))} ago)`;
}

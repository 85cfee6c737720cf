/**
 * verify, a release gate: the newest backup of the source is fresh (younger than max-age), has not expired, is not
 * empty and, when its tier is known, is of the instance's tier. Fails saying which condition failed.
 */
import { ageMs } from '../azure/backup-entry';
import type { Instance } from '../inputs/config';
import { formatDuration } from '../base/duration';
import type { InputKey } from '../inputs/table';
import { ActionableError } from '../report/errors';
import { code } from '../report/summary';
import { addInstanceRows, describeInstance } from './describe';
import { CatalogConfig, describeCatalog, listBackups, unprovenNote } from './catalog-config';
import { describeBackup, restoreProblem } from './guards';
import type { Operation } from './operation';

const MAX_AGE_LIMITS = { min: 60_000, max: 30 * 86_400_000, text: 'between 1m and 30d', unit: 'h' } as const;

export interface VerifyConfig extends CatalogConfig {
  instance: Instance;
  maxAgeMs: number;
}

export const verify: Operation<VerifyConfig> = {
  name: 'verify',
  usesInstance: true,
  polls: false,
  configure: (builder, common) => ({
    ...common,
    instance: builder.instance(),
    sourceServiceName: builder.sourceServiceName(),
    maxAgeMs: builder.duration('maxAge', MAX_AGE_LIMITS) ?? 0,
  }),
  title: () => 'APIM backup check',
  action: (config) => `Verifying the ${describeCatalog(config)}`,
  describe: (config) =>
    `Verifying that the newest of the ${describeCatalog(config)} is younger than ${formatDuration(config.maxAgeMs)} and restorable into ${describeInstance(config.instance)}.`,

  async run(config, job) {
    const apim = await job.apim(config.instance);
    const { tier } = await apim.read();
    addInstanceRows(job, config.instance, tier);
    const listing = await listBackups(config, job);
    const [newest] = listing.backups;
    const name = (key: InputKey) => config.profile.inputName(key);
    if (!newest) {
      throw new ActionableError(
        `Verify failed: there is no backup of '${config.sourceServiceName}' in container '${config.storage.container}' of storage account '${config.storage.account}'${unprovenNote(config, listing)}.`,
        'NoBackup',
        `Take a backup (${name('operation')}: backup) before this gate, or check ${name('sourceServiceName')}, ${name('container')} and ${name('storageAccount')}.`,
      );
    }
    const now = Date.now();
    const age = ageMs(newest, now);
    job.setOutput('backupName', newest.name);
    job.setOutput('backupUrl', newest.url);
    job.setOutput('backupAgeSeconds', String(Math.round(age / 1000)));
    job.summary.rows.push(
      ['Newest backup', `[${code(newest.name)}](${newest.url})`],
      ['Age', `${formatDuration(age)} (at most ${formatDuration(config.maxAgeMs)})`],
    );

    const problem =
      age > config.maxAgeMs
        ? `the newest backup ${describeBackup(newest, now)} is older than ${name('maxAge')} ${formatDuration(config.maxAgeMs)}`
        : restoreProblem(newest, tier, now);
    if (problem) {
      throw new ActionableError(
        `Verify failed: ${problem}.`,
        'BackupCheckFailed',
        'Take a fresh backup of the instance (operation: backup) and run the gate again.',
      );
    }
    job.log.info(
      `Verified: the newest backup ${describeBackup(newest, now)} is younger than ${formatDuration(config.maxAgeMs)}, has not expired and fits the ${tier} tier of '${config.instance.serviceName}'.`,
    );
  },
};

/**
 * restore: a named backup, or the newest usable one (`latest`), into the instance. The backup is checked in
 * storage first (exists, not empty, not expired, same tier), so a restore Azure would refuse fails in seconds.
 */
import type { ApimInstance } from '../azure/apim';
import { ageMs, Backup } from '../azure/backup-entry';
import { blobUrl } from '../azure/blob-url';
import type { ApimStorageAccess, CommonConfig, Instance } from '../inputs/config';
import { formatDuration } from '../base/duration';
import { InputKey, LATEST } from '../inputs/table';
import { ActionableError } from '../report/errors';
import { code, describeApimAccess } from '../report/summary';
import { addInstanceRows, describeBlob, describeInstance, describeTiming } from './describe';
import { listBackups, unprovenNote } from './catalog-config';
import { describeBackup, newestUsable, restoreProblem } from './guards';
import type { Job, Operation } from './operation';
import { PreflightConfig, runPreflight } from './preflight';
import { NOT_RESTORED, recoveryInputs, restoreFrom, safetyBackup } from './steps';

export interface RestoreConfig extends CommonConfig, SafetyConfig, PreflightConfig {
  instance: Instance;
  apimAccess: ApimStorageAccess;
  /** false: start the operation, hand over its URL, and succeed at once. */
  wait: boolean;
  /** A blob name, or `latest`. */
  backupName: string;
  /** Whose backups `latest` picks from. */
  sourceServiceName: string;
}

/** Restore and copy back the target up first, unless told not to. */
export interface SafetyConfig {
  safetyBackup: boolean;
  safetyBackupName: string;
}

export const restore: Operation<RestoreConfig> = {
  name: 'restore',
  usesInstance: true,
  polls: true,
  configure(builder, common) {
    const instance = builder.instance();
    return {
      ...common,
      instance,
      apimAccess: builder.apimAccess(),
      wait: builder.flag('wait'),
      backupName: builder.backupName('existing', instance),
      sourceServiceName: builder.sourceServiceName(),
      safetyBackup: builder.flag('safetyBackup'),
      safetyBackupName: builder.safetyBackupName(instance),
      preflight: builder.flag('preflight'),
      storageScope: builder.storageAccountScope(),
    };
  },
  title: () => 'APIM restore',
  action: (config) => `Restore of API Management instance '${config.instance.serviceName}'`,
  describe: (config) => {
    const from =
      config.backupName === LATEST
        ? `the newest usable backup of '${config.sourceServiceName}' in container '${config.storage.container}' of storage account '${config.storage.account}'`
        : describeBlob(config);
    return `Restoring ${describeInstance(config.instance)} from ${from}, using ${describeApimAccess(config.apimAccess)}. ${describeTiming(config)}`;
  },

  async run(config, job) {
    const { instance, storage } = config;
    const apim = await job.apim(instance);
    const facts = await apim.readWhenIdle(config.timing.pollIntervalMs);
    addInstanceRows(job, instance, facts.tier);
    // The safety backup writes to the storage as the instance, before the restore reads from it.
    const needs = config.safetyBackup ? (['read', 'write'] as const) : (['read'] as const);
    await runPreflight(
      job,
      config,
      [{ instance, facts, needs: [...needs] }],
      `the restore of '${instance.serviceName}'`,
    );

    const backupName =
      config.backupName === LATEST
        ? await pickLatest(config, job, facts.tier)
        : await checkNamed(config, job, facts.tier);
    const url = blobUrl(storage, backupName);
    job.setOutput('backupName', backupName);
    job.setOutput('backupUrl', url);
    job.summary.rows.push(['Restored from', `[${code(backupName)}](${url})`]);
    job.summary.sections.push(NOT_RESTORED);

    if (config.safetyBackup) await safetyBackup(job, config, apim, facts);
    const durationMs = await restoreInto(job, config, apim, backupName);
    if (durationMs === undefined) return;
    job.setOutput('durationSeconds', String(Math.round(durationMs / 1000)));
    job.summary.rows.push(['Duration', formatDuration(durationMs)]);
  },
};

/** The restore itself: from here on the target may change, so a failure tells how to put it back. */
export function restoreInto(
  job: Job,
  config: CommonConfig & SafetyConfig & { instance: Instance; apimAccess: ApimStorageAccess; wait?: boolean },
  apim: ApimInstance,
  backupName: string,
  label = 'Restore',
): Promise<number | undefined> {
  if (config.safetyBackup) job.recovery = recoveryInputs(config, config.instance);
  return restoreFrom(job, config, apim, backupName, config.apimAccess, label);
}

/** `latest`: reading the storage is required; the newest backup that has not expired, checked like a named one. */
async function pickLatest(config: RestoreConfig, job: Job, tier: string): Promise<string> {
  const listing = await listBackups(config, job);
  const { backups } = listing;
  const name = (key: InputKey) => config.profile.inputName(key);
  const { backup, skippedExpired } = newestUsable(backups);
  const where = `in container '${config.storage.container}' of storage account '${config.storage.account}'`;
  if (!backup) {
    throw new ActionableError(
      `No usable backup of '${config.sourceServiceName}' ${where}: ${backups.length === 0 ? 'there is none' : `all ${backups.length} have expired (older than 30 days)`}${unprovenNote(config, listing)}.`,
      'NoBackup',
      `Take a backup first (${name('operation')}: backup), or check ${name('sourceServiceName')}, ${name('container')} and ${name('storageAccount')}.`,
    );
  }
  const skipped = skippedExpired > 0 ? `; ${skippedExpired} expired one(s) skipped` : '';
  job.log.info(
    `latest: restoring ${describeBackup(backup)}, the newest backup of '${config.sourceServiceName}' ${where} that has not expired (of ${backups.length}${skipped}).`,
  );
  job.setOutput('backupAgeSeconds', String(Math.round(ageMs(backup) / 1000)));
  refuseIfUnrestorable(backup, tier, config);
  return backup.name;
}

/**
 * A named backup is checked when the step can read the storage; a common set-up lets only the instance itself
 * through the storage firewall, so when it cannot, the step says which checks it skipped and goes on.
 */
async function checkNamed(config: RestoreConfig, job: Job, tier: string): Promise<string> {
  const name = config.backupName;
  let backup: Backup | undefined;
  try {
    const catalog = await job.catalog();
    backup = await catalog.get(name);
  } catch (error) {
    if (job.deadline.expired) throw error;
    job.storageRefused = (error as Error).message;
    const stamp = config.safetyBackup ? ' and the provenance stamp of the safety backup' : '';
    job.log.warning(
      `The step could not read the storage, so it skipped the checks on backup '${name}' (exists, not empty, not expired, same tier)${stamp}; Azure checks the backup during the restore. ${job.storageRefused}`,
    );
    return name;
  }
  if (!backup) {
    throw new ActionableError(
      `Backup '${name}' does not exist in container '${config.storage.container}' of storage account '${config.storage.account}'; nothing was restored.`,
      'BlobNotFound',
      `Check ${config.profile.inputName('backupName')} (list shows the backups there), or use ${LATEST}.`,
    );
  }
  job.log.info(`Checked backup ${describeBackup(backup)}.`);
  refuseIfUnrestorable(backup, tier, config);
  return name;
}

function refuseIfUnrestorable(backup: Backup, tier: string, config: RestoreConfig): void {
  const problem = restoreProblem(backup, tier);
  if (!problem) return;
  const hint = backup.expired
    ? `Restore a newer backup (${config.profile.inputName('backupName')}: ${LATEST} picks the newest one that has not expired), or take a new one.`
    : backup.sizeBytes === 0
      ? 'The blob holds no backup: restore another one.'
      : `Scale '${config.instance.serviceName}' to ${backup.sku} first, or restore a backup taken from a ${tier} instance.`;
  throw new ActionableError(`Cannot restore: ${problem}. Nothing was restored.`, 'BackupNotRestorable', hint);
}

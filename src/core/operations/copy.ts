/**
 * copy: backs up the source instance and restores that backup into the target, in one step. The backup of the source
 * and the safety backup of the target run at the same time (two instances, no conflict), so a copy takes about
 * max(source backup, target backup) + restore. Both instances are read first: they must differ and share a tier
 * with backup, or nothing starts.
 */
import { blobUrl } from '../azure/blob-url';
import type { ApimStorageAccess, CommonConfig, Instance } from '../inputs/config';
import { formatDuration } from '../base/duration';
import { ActionableError, explainError } from '../report/errors';
import { code, describeApimAccess } from '../report/summary';
import { addInstanceRows, describeInstance, describeTiming } from './describe';
import type { Operation } from './operation';
import { PreflightConfig, runPreflight } from './preflight';
import { restoreInto, SafetyConfig } from './restore';
import { backUp, NOT_RESTORED, safetyBackup } from './steps';

export interface CopyConfig extends CommonConfig, SafetyConfig, PreflightConfig {
  /** The target: overwritten by the restore. */
  instance: Instance;
  source: Instance;
  apimAccess: ApimStorageAccess;
  /** The new backup of the source. */
  backupName: string;
}

const same = (a: Instance, b: Instance) =>
  a.subscriptionId.toLowerCase() === b.subscriptionId.toLowerCase() &&
  a.resourceGroup.toLowerCase() === b.resourceGroup.toLowerCase() &&
  a.serviceName.toLowerCase() === b.serviceName.toLowerCase();

export const copy: Operation<CopyConfig> = {
  name: 'copy',
  usesInstance: true,
  polls: true,
  configure(builder, common) {
    const instance = builder.instance();
    const source = builder.sourceInstance(instance);
    const config: CopyConfig = {
      ...common,
      instance,
      source,
      apimAccess: builder.apimAccess(),
      backupName: builder.backupName('new', source),
      safetyBackup: builder.flag('safetyBackup'),
      safetyBackupName: builder.safetyBackupName(instance),
      preflight: builder.flag('preflight'),
      storageScope: builder.storageAccountScope(),
    };
    if (source.serviceName && same(source, instance)) {
      builder.report(
        `${builder.name('sourceServiceName')} names the target itself ('${instance.serviceName}' in resource group '${instance.resourceGroup}'): a copy needs two instances`,
      );
    }
    if (config.safetyBackup && config.backupName && config.backupName === config.safetyBackupName) {
      builder.report(
        `${builder.name('backupName')} and ${builder.name('safetyBackupName')} are the same blob '${config.backupName}'`,
      );
    }
    return config;
  },
  title: () => 'APIM copy',
  action: (config) => `Copy of '${config.source.serviceName}' into '${config.instance.serviceName}'`,
  describe: (config) =>
    `Copying ${describeInstance(config.source)} into ${describeInstance(config.instance)} through blob '${config.backupName}' in container '${config.storage.container}' of storage account '${config.storage.account}', using ${describeApimAccess(config.apimAccess)}; ${config.safetyBackup ? `a safety backup of '${config.instance.serviceName}' to '${config.safetyBackupName}' first` : 'no safety backup'}. ${describeTiming(config)}`,

  async run(config, job) {
    const { source, instance: target } = config;
    const startedAt = Date.now();
    const [sourceApim, targetApim] = await Promise.all([job.apim(source), job.apim(target)]);
    const [sourceFacts, targetFacts] = await Promise.all([
      sourceApim.readWhenIdle(config.timing.pollIntervalMs),
      targetApim.readWhenIdle(config.timing.pollIntervalMs),
    ]);
    if (sourceFacts.tier.toLowerCase() !== targetFacts.tier.toLowerCase()) {
      throw new ActionableError(
        `Cannot copy '${source.serviceName}' (${sourceFacts.tier}) into '${target.serviceName}' (${targetFacts.tier}): a backup restores only into an instance of the same tier. Nothing was started.`,
        'TierMismatch',
        `Scale '${target.serviceName}' to ${sourceFacts.tier} first, or copy from an instance on the ${targetFacts.tier} tier.`,
      );
    }
    job.summary.rows.push([
      'Source',
      `${code(source.serviceName)} (${sourceFacts.tier}) in resource group ${code(source.resourceGroup)}`,
    ]);
    addInstanceRows(job, target, targetFacts.tier);
    // Both instances before either backup starts: the target is backed up (safety) and restored into.
    await runPreflight(
      job,
      config,
      [
        { instance: target, facts: targetFacts, needs: config.safetyBackup ? ['read', 'write'] : ['read'] },
        { instance: source, facts: sourceFacts, needs: ['write'] },
      ],
      `the copy of '${source.serviceName}' into '${target.serviceName}'`,
    );
    const url = blobUrl(config.storage, config.backupName);
    job.setOutput('backupName', config.backupName);
    job.setOutput('backupUrl', url);
    job.summary.rows.push(['Copied through', `[${code(config.backupName)}](${url})`]);
    job.summary.sections.push(NOT_RESTORED);

    // Two instances: the backup of the source and the safety backup of the target do not conflict.
    const [sourceBackup, targetBackup] = await Promise.allSettled([
      backUp(job, config, {
        apim: sourceApim,
        facts: sourceFacts,
        backupName: config.backupName,
        access: config.apimAccess,
        label: `Backup of '${source.serviceName}'`,
      }).catch((error: unknown) => {
        if (job.deadline.expired) throw error;
        // Hints must name the source, whose backup this is.
        throw explainError(error, {
          action: `Backup of the source '${source.serviceName}'`,
          config: { ...config, instance: source },
        });
      }),
      config.safetyBackup ? safetyBackup(job, config, targetApim, targetFacts) : Promise.resolve(),
    ]);
    if (sourceBackup.status === 'rejected') {
      job.done.push(`Nothing was restored: '${target.serviceName}' is unchanged.`);
      throw sourceBackup.reason;
    }
    if (targetBackup.status === 'rejected') throw targetBackup.reason;

    await restoreInto(job, config, targetApim, config.backupName, `Restore of '${target.serviceName}'`);
    const durationMs = Date.now() - startedAt;
    job.setOutput('durationSeconds', String(Math.round(durationMs / 1000)));
    job.summary.rows.push(['Duration', formatDuration(durationMs)]);
  },
};

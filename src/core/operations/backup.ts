/** backup: the instance into a new blob, waited for, then stamped with where it came from. */
import { blobUrl } from '../azure/blob-url';
import type { ApimStorageAccess, CommonConfig, Instance } from '../inputs/config';
import { formatDuration } from '../base/duration';
import { code, describeApimAccess } from '../report/summary';
import { addInstanceRows, describeBlob, describeInstance, describeTiming } from './describe';
import type { Operation } from './operation';
import { PreflightConfig, runPreflight } from './preflight';
import { backUp } from './steps';

export interface BackupConfig extends CommonConfig, PreflightConfig {
  instance: Instance;
  apimAccess: ApimStorageAccess;
  /** false: start the operation, hand over its URL, and succeed at once. */
  wait: boolean;
  backupName: string;
}

export const backup: Operation<BackupConfig> = {
  name: 'backup',
  usesInstance: true,
  polls: true,
  configure(builder, common) {
    const instance = builder.instance();
    return {
      ...common,
      instance,
      apimAccess: builder.apimAccess(),
      wait: builder.flag('wait'),
      backupName: builder.backupName('new', instance),
      preflight: builder.flag('preflight'),
      storageScope: builder.storageAccountScope(),
    };
  },
  title: () => 'APIM backup',
  action: (config) => `Backup of API Management instance '${config.instance.serviceName}'`,
  describe: (config) =>
    `Backing up ${describeInstance(config.instance)} to ${describeBlob(config)}, using ${describeApimAccess(config.apimAccess)}. ${describeTiming(config)}`,

  async run(config, job) {
    const { instance, storage, backupName } = config;
    const url = blobUrl(storage, backupName);
    job.setOutput('backupName', backupName);
    job.setOutput('backupUrl', url);
    const apim = await job.apim(instance);
    const facts = await apim.readWhenIdle(config.timing.pollIntervalMs);
    addInstanceRows(job, instance, facts.tier);
    job.summary.rows.push(['Backup', `[${code(backupName)}](${url})`]);
    await runPreflight(
      job,
      config,
      [{ instance, facts, needs: ['write'] }],
      `the backup of '${instance.serviceName}'`,
    );

    const durationMs = await backUp(job, config, {
      apim,
      facts,
      backupName,
      access: config.apimAccess,
      label: 'Backup',
      wait: config.wait,
    });
    if (durationMs === undefined) return;
    job.setOutput('durationSeconds', String(Math.round(durationMs / 1000)));
    job.summary.rows.push(['Duration', formatDuration(durationMs)]);
  },
};

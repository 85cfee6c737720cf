/** How the operations name an instance, a blob and the timing in their log lines, and the summary's instance rows. */
import type { CommonConfig, Instance } from '../inputs/config';
import { formatDuration } from '../base/duration';
import { code } from '../report/summary';
import type { Job } from './operation';

export function describeInstance(instance: Instance): string {
  return `API Management instance '${instance.serviceName}' (resource group '${instance.resourceGroup}', subscription '${instance.subscriptionId}')`;
}

export function describeBlob(config: CommonConfig & { backupName: string }): string {
  return `blob '${config.backupName}' in container '${config.storage.container}' of storage account '${config.storage.account}'`;
}

export function describeTiming(config: CommonConfig): string {
  return `Timeout ${formatDuration(config.timing.timeoutMs)}, polling every ${formatDuration(config.timing.pollIntervalMs)} unless Azure asks otherwise.`;
}

export function addInstanceRows(job: Job, instance: Instance, tier?: string): void {
  job.summary.rows.push(
    [
      'Instance',
      `${code(instance.serviceName)}${tier ? ` (${tier})` : ''} in resource group ${code(instance.resourceGroup)}`,
    ],
    ['Subscription', code(instance.subscriptionId)],
  );
}

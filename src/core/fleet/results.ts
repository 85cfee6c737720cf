/** A fleet's results: one entry per instance, as the `results` output and as rows of the job summary. */
import type { CommonConfig, Instance } from '../inputs/config';
import { formatDuration } from '../base/duration';
import type { OutputName } from '../inputs/outputs';
import type { OperationName } from '../inputs/table';
import type { Job } from '../operations/operation';
import { publishList } from '../report/bounded-output';
import { code, markdownTable } from '../report/summary';

export type InstanceStatus = 'succeeded' | 'failed' | 'skipped';

export interface InstanceResult {
  instance: Instance;
  status: InstanceStatus;
  backupName?: string;
  backupUrl?: string;
  durationMs?: number;
  /** One line: what happened, or why it failed or was skipped. */
  message: string;
  /** An operation started for the instance that may still be running in Azure. */
  operationUrl?: string;
  /** The summary sections its run wrote (e.g. list's table of backups). */
  sections?: string[];
}

/** The entries of the `results` output: the one place results are serialised. */
export function resultEntries(results: InstanceResult[]): object[] {
  return results.map((result) => ({
    service: result.instance.serviceName,
    resourceGroup: result.instance.resourceGroup,
    subscription: result.instance.subscriptionId,
    status: result.status,
    ...(result.backupName ? { backupName: result.backupName, backupUrl: result.backupUrl } : {}),
    ...(result.durationMs === undefined ? {} : { durationSeconds: Math.round(result.durationMs / 1000) }),
    message: result.message,
    ...(result.operationUrl ? { operationUrl: result.operationUrl } : {}),
  }));
}

/** What an instance's run achieved, in a line, from the outputs it set. */
export function succeededMessage(
  operation: OperationName,
  config: CommonConfig,
  outputs: Partial<Record<OutputName, string>>,
): string {
  switch (operation) {
    case 'backup':
      return 'Backed up.';
    case 'verify':
      return `Verified: the newest backup '${outputs.backupName}' is ${formatDuration(Number(outputs.backupAgeSeconds) * 1000)} old.`;
    case 'list':
      return `${outputs.backupCount} backup(s).`;
    case 'prune':
      return `${(config as { dryRun?: boolean }).dryRun ? 'Would delete' : 'Deleted'} ${outputs.deletedCount}, kept ${outputs.keptCount}.`;
    case 'check':
      return 'No check would fail an operation.';
    default:
      return 'Succeeded.';
  }
}

export async function publishResults(
  job: Job,
  results: InstanceResult[],
  maxParallel: number,
): Promise<void> {
  // Bounded like every list output: as many entries as fit in 32 KiB, every one in results-file.
  await publishList(job, {
    output: 'results',
    fileOutput: 'resultsFile',
    fileStem: 'apim-results',
    noun: 'instance results',
    entries: resultEntries(results),
    limit: Infinity,
    kept: 'first',
  });
  const count = (status: InstanceStatus) => results.filter((result) => result.status === status).length;
  const tally = (['succeeded', 'failed', 'skipped'] as const)
    .filter((status) => count(status) > 0)
    .map((status) => `${count(status)} ${status}`)
    .join(', ');
  job.summary.rows.push(
    ['Instances', `${results.length}: ${tally}`],
    ['At most at once', String(maxParallel)],
  );
  job.summary.sections.push(
    markdownTable(
      ['Instance', 'Resource group', 'Status', 'Backup', 'Duration', 'Message'],
      results.map((result) => [
        code(result.instance.serviceName),
        code(result.instance.resourceGroup),
        { succeeded: '✅ succeeded', failed: '❌ failed', skipped: '⏭️ skipped' }[result.status],
        result.backupName ? `[${code(result.backupName)}](${result.backupUrl})` : '',
        result.durationMs === undefined ? '' : formatDuration(result.durationMs),
        result.message,
      ]),
    ),
    ...results.flatMap((result) =>
      result.sections?.length ? [`#### ${code(result.instance.serviceName)}`, ...result.sections] : [],
    ),
  );
}

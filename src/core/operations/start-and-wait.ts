/** Starting a backup or restore and seeing it through, shared by both: `wait: false` hands the URL over instead. */
import type { ApimInstance, ApimOperationKind, BackupLocation } from '../azure/apim';
import { MIN_POLL_MS } from '../azure/wait';
import type { CommonConfig } from '../inputs/config';
import { formatDuration } from '../base/duration';
import { resumeHint } from '../report/resume-hint';
import type { Job } from './operation';

/** Returns how long the operation took, or undefined when the step did not wait for it. */
export async function startAndWait(
  job: Job,
  apim: ApimInstance,
  kind: ApimOperationKind,
  location: BackupLocation,
  config: CommonConfig & { wait: boolean },
  /** Starts its log lines, e.g. "Backup of 'apim-prod'", so two running at once can be told apart. */
  label: string = kind === 'backup' ? 'Backup' : 'Restore',
  /** Called once Azure runs the operation and the step waits for it: work that can be readied meanwhile. */
  whileWaiting?: () => void,
): Promise<number | undefined> {
  const verb = label;
  const { pollIntervalMs } = config.timing;
  const startedAt = Date.now();
  const started = await apim.start(kind, location);
  if (started.done) {
    job.setOutput('operationStatus', 'Succeeded');
    job.log.info(`${verb} succeeded at once.`);
    return Date.now() - startedAt;
  }
  if (!started.operationUrl) {
    await apim.waitUntilNotUpdating(kind, pollIntervalMs);
    job.setOutput('operationStatus', 'Succeeded');
    return Date.now() - startedAt;
  }
  job.trackOperation(label, started.operationUrl);
  job.setOutput('operationStatus', 'InProgress');
  job.log.info(`${verb} started; operation status: ${started.operationUrl}`);
  if (!config.wait) {
    job.log.info(
      `Not waiting for the ${kind} (wait is false): it runs on in Azure. ${resumeHint(config.profile, started.operationUrl)}`,
    );
    job.summary.rows.push(['Status', 'started, not waited for']);
    return undefined;
  }
  let url = started.operationUrl;
  whileWaiting?.();
  await apim.waitFor(url, {
    pollIntervalMs,
    label: verb,
    startedAt,
    firstWaitMs: Math.max(MIN_POLL_MS, started.retryAfterMs ?? pollIntervalMs),
    onStatus: (status) => job.setOutput('operationStatus', status),
    onUrl: (to, from) => {
      job.operationMoved(from, to);
      url = to;
    },
  });
  job.operationFinished(url);
  job.log.debug(`${verb} took ${formatDuration(Date.now() - startedAt)}.`);
  return Date.now() - startedAt;
}

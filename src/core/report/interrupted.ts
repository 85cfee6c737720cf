/** What the step says when it stops early (timeout or cancel), and where things stand in Azure when it fails. */
import type { CommonConfig } from '../inputs/config';
import { formatDuration } from '../inputs/duration';
import { inputName } from '../inputs/table';
import type { Job } from '../operations/operation';
import { resumeHint } from '../operations/status';
import { ActionableError } from './errors';

export function timeoutError(
  action: string,
  config: CommonConfig,
  operationUrl: string | undefined,
  activity: string | undefined,
): ActionableError {
  const waited = `${action} timed out after ${formatDuration(config.timing.timeoutMs)}${activity ? ` while ${activity}` : ''}.`;
  if (!operationUrl) {
    return new ActionableError(
      `${waited} Nothing is running in Azure on its behalf.`,
      'Timeout',
      'Raise timeout, or check that the runner reaches Azure quickly (sign-in, Resource Manager, storage).',
    );
  }
  const started = config.operation === 'status' ? 'The operation' : `The ${config.operation}`;
  return new ActionableError(
    `${waited} ${started} may still be running in Azure: its status is at ${operationUrl} (output ${inputName('operationUrl', config.platform)}). ${resumeHint(config.platform, operationUrl)}`,
    'Timeout',
    `Check the instance in the Azure portal before retrying: a second backup or restore now would conflict with the running one. Raise timeout for large instances (restores can take over an hour).`,
  );
}

export function cancelError(
  action: string,
  config: CommonConfig,
  operationUrl: string | undefined,
  activity: string | undefined,
): ActionableError {
  if (!operationUrl) {
    return new ActionableError(
      `${action} was cancelled${activity ? ` while ${activity}` : ''}. Nothing was started in Azure.`,
      'Cancelled',
    );
  }
  const started = config.operation === 'status' ? 'The operation' : `The ${config.operation}`;
  return new ActionableError(
    `${action} was cancelled: the step stopped waiting. ${started} continues in Azure: its status is at ${operationUrl} (output ${inputName('operationUrl', config.platform)}). ${resumeHint(config.platform, operationUrl)}`,
    'Cancelled',
    'Do not start another backup or restore of the instance until this one ends: it would conflict.',
  );
}

/** What finished, what may still run in Azure (the operation-url output names the last), and how to undo. */
export function whereThingsStand(job: Job): string[] {
  const lines: string[] = [];
  if (job.done.length > 0) lines.push('Done:', ...job.done.map((note) => `  - ${note}`));
  if (job.running.length > 0) {
    lines.push(
      'May still be running in Azure (output operation-url has the last):',
      ...job.running.map(({ label, url }) => `  - ${label}: ${url}`),
    );
  }
  if (job.recovery) lines.push(job.recovery);
  return lines;
}

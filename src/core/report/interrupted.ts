/** What the step says when it stops early (timeout or cancel), and where things stand in Azure when it fails. */
import type { CommonConfig } from '../inputs/config';
import { formatDuration } from '../base/duration';
import { ActionableError } from './errors';
import { resumeHint } from './resume-hint';

/** What these messages read of the step's Job (operations/operation.ts): what is done, what still runs in Azure. */
export interface JobState {
  readonly running: { label: string; url: string }[];
  readonly operationUrl: string | undefined;
  readonly done: string[];
  readonly recovery?: string;
}

/** Several operations still running (a fleet): each is listed below the message, with its URL. */
function severalRunning(config: CommonConfig, count: number): string {
  const { profile } = config;
  return `${count} operations may still be running in Azure, each listed below with its status URL (output ${profile.outputName('operationUrl')} has the last). To wait for one later, run the step with ${profile.inputName('operation')}: status and ${profile.inputName('operationUrl')}: its URL.`;
}

export function timeoutError(
  action: string,
  config: CommonConfig,
  operationUrl: string | undefined,
  activity: string | undefined,
  running = operationUrl ? 1 : 0,
): ActionableError {
  const waited = `${action} timed out after ${formatDuration(config.timing.timeoutMs)}${activity ? ` while ${activity}` : ''}.`;
  const hint = `Check the instance in the Azure portal before retrying: a second backup or restore now would conflict with the running one. Raise timeout for large instances (restores can take over an hour).`;
  if (running > 1)
    return new ActionableError(`${waited} ${severalRunning(config, running)}`, 'Timeout', hint);
  if (!operationUrl) {
    return new ActionableError(
      `${waited} Nothing is running in Azure on its behalf.`,
      'Timeout',
      'Raise timeout, or check that the runner reaches Azure quickly (sign-in, Resource Manager, storage).',
    );
  }
  const started = config.operation === 'status' ? 'The operation' : `The ${config.operation}`;
  return new ActionableError(
    `${waited} ${started} may still be running in Azure: its status is at ${operationUrl} (output ${config.profile.outputName('operationUrl')}). ${resumeHint(config.profile, operationUrl)}`,
    'Timeout',
    hint,
  );
}

export function cancelError(
  action: string,
  config: CommonConfig,
  operationUrl: string | undefined,
  activity: string | undefined,
  running = operationUrl ? 1 : 0,
): ActionableError {
  const hint =
    'Do not start another backup or restore of the instance until this one ends: it would conflict.';
  if (running > 1) {
    return new ActionableError(
      `${action} was cancelled: the step stopped waiting. ${severalRunning(config, running)}`,
      'Cancelled',
      hint,
    );
  }
  if (!operationUrl) {
    return new ActionableError(
      `${action} was cancelled${activity ? ` while ${activity}` : ''}. Nothing was started in Azure.`,
      'Cancelled',
    );
  }
  const started = config.operation === 'status' ? 'The operation' : `The ${config.operation}`;
  return new ActionableError(
    `${action} was cancelled: the step stopped waiting. ${started} continues in Azure: its status is at ${operationUrl} (output ${config.profile.outputName('operationUrl')}). ${resumeHint(config.profile, operationUrl)}`,
    'Cancelled',
    hint,
  );
}

/** Said the moment the runner cancels: what goes on in Azure (every operation still running), else what stops. */
export function cancelNotice(config: CommonConfig, job: JobState, activity: string | undefined): string {
  const { running } = job;
  if (running.length > 1) {
    return `Cancelled: the step stops waiting. These go on in Azure:\n${running.map(({ label, url }) => `  - ${label}: ${url}`).join('\n')}`;
  }
  return job.operationUrl
    ? `Cancelled: the step stops waiting. The ${config.operation} goes on in Azure: ${job.operationUrl}`
    : `Cancelled: the step stops${activity ? ` ${activity}` : ''}.`;
}

/** What finished, what may still run in Azure (the operation-url output names the last), and how to undo. */
export function whereThingsStand(config: CommonConfig, job: JobState): string[] {
  const lines: string[] = [];
  if (job.done.length > 0) lines.push('Done:', ...job.done.map((note) => `  - ${note}`));
  if (job.running.length > 0) {
    lines.push(
      `May still be running in Azure (output ${config.profile.outputName('operationUrl')} has the last):`,
      ...job.running.map(({ label, url }) => `  - ${label}: ${url}`),
    );
  }
  if (job.recovery) lines.push(job.recovery);
  return lines;
}

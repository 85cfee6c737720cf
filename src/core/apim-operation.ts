/**
 * Runs one backup or restore through @azure/arm-apimanagement: checks the instance, starts the long-running
 * operation and polls it until it is done or the timeout passes.
 */
import {
  ApiManagementClient,
  ApiManagementServiceBackupOptionalParams,
  ApiManagementServiceBackupRestoreParameters,
  ApiManagementServiceResource,
} from '@azure/arm-apimanagement';
import type { TokenCredential } from '@azure/identity';
import type { Config } from './config';
import { formatDuration } from './duration';
import { ActionableError } from './errors';
import type { Logger } from './ports';
import { Progress } from './progress';

const SUPPORTED_TIERS = ['Developer', 'Basic', 'Standard', 'Premium'];
const UNSUPPORTED_TIERS = ['Consumption', 'BasicV2', 'StandardV2', 'PremiumV2'];
/** Provisioning states that end by themselves: another operation is running, so wait for it. */
const BUSY_STATES = ['updating', 'activating', 'creating', 'upgrading', 'migrating', 'applyingchanges'];

export interface OperationOutcome {
  operationUrl?: string;
  durationMs: number;
  tier?: string;
}

export interface OperationHooks {
  /** Called as soon as Azure names the operation-status URL, so it is reported even if the wait times out. */
  onOperationUrl(url: string): void;
}

type RawResponse = Parameters<NonNullable<ApiManagementServiceBackupOptionalParams['onResponse']>>[0];

export class OperationTimeoutError extends ActionableError {}

export async function runApimOperation(
  config: Config,
  credential: TokenCredential,
  log: Logger,
  hooks: OperationHooks,
): Promise<OperationOutcome> {
  const client = new ApiManagementClient(credential, config.subscriptionId, {
    endpoint: config.cloud.resourceManagerEndpoint,
    userAgentOptions: { userAgentPrefix: 'apim-backup-restore' },
  });
  const deadline = new Deadline(config.timeoutMs);
  const outcome: OperationOutcome = { durationMs: 0 };
  try {
    const service = await waitUntilIdle(client, config, log, deadline);
    outcome.tier = service.sku.name;
    await startAndPoll(client, config, log, deadline, (url) => {
      outcome.operationUrl = url;
      hooks.onOperationUrl(url);
    }).then((ms) => (outcome.durationMs = ms));
    return outcome;
  } catch (error) {
    if (deadline.expired) throw timeoutError(config, outcome.operationUrl);
    throw error;
  } finally {
    deadline.clear();
  }
}

/** Reads the instance, refuses tiers without backup, and waits while another operation keeps it busy. */
async function waitUntilIdle(
  client: ApiManagementClient,
  config: Config,
  log: Logger,
  deadline: Deadline,
): Promise<ApiManagementServiceResource> {
  const label = `API Management instance '${config.serviceName}'`;
  let progress: Progress | undefined;
  try {
    for (;;) {
      const service = await readService(client, config, deadline);
      checkTier(service, config);
      const state = service.provisioningState ?? 'Succeeded';
      if (!BUSY_STATES.includes(state.toLowerCase())) {
        progress?.finish(`${label} is ${state}`);
        return service;
      }
      if (!progress) {
        log.info(
          `${label} is ${state}: another operation is in progress. Waiting for it to finish (within the ${formatDuration(config.timeoutMs)} timeout).`,
        );
        progress = new Progress(log, `Waiting for ${label}`, state);
      }
      progress.update(state);
      await deadline.delay(config.pollIntervalMs);
    }
  } finally {
    progress?.stop();
  }
}

function readService(
  client: ApiManagementClient,
  config: Config,
  deadline: Deadline,
): Promise<ApiManagementServiceResource> {
  return client.apiManagementService.get(config.resourceGroup, config.serviceName, {
    abortSignal: deadline.signal,
  });
}

function checkTier(service: ApiManagementServiceResource, config: Config): void {
  const tier = service.sku?.name ?? 'unknown';
  if (UNSUPPORTED_TIERS.includes(tier)) {
    throw new ActionableError(
      `API Management instance '${config.serviceName}' is on the ${tier} tier, which has no ${config.operation}.`,
      'UnsupportedTier',
      `Backup and restore exist only on the ${SUPPORTED_TIERS.join(', ')} tiers. For ${tier}, export the configuration instead (APIOps, Bicep or Terraform).`,
    );
  }
}

/** Starts the operation and polls it with our own loop, so the first wait honours Retry-After (no back-to-back poll). */
async function startAndPoll(
  client: ApiManagementClient,
  config: Config,
  log: Logger,
  deadline: Deadline,
  onOperationUrl: (url: string) => void,
): Promise<number> {
  let operationUrl: string | undefined;
  let retryAfterMs: number | undefined;
  const onResponse = (response: RawResponse) => {
    const location = response.headers.get('location');
    if (!operationUrl && location) {
      operationUrl = location;
      onOperationUrl(location);
    }
    retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    log.debug(`${response.request.method} ${response.request.url.split('?')[0]}: HTTP ${response.status}`);
  };
  const options = { abortSignal: deadline.signal, onResponse, updateIntervalInMs: config.pollIntervalMs };
  const parameters = backupRestoreParameters(config);
  const verb = config.operation === 'backup' ? 'Backup' : 'Restore';

  const startedAt = Date.now();
  const poller =
    config.operation === 'backup'
      ? await client.apiManagementService.beginBackup(
          config.resourceGroup,
          config.serviceName,
          parameters,
          options,
        )
      : await client.apiManagementService.beginRestore(
          config.resourceGroup,
          config.serviceName,
          parameters,
          options,
        );
  log.info(`${verb} started${operationUrl ? `; operation status: ${operationUrl}` : ''}.`);

  const progress = new Progress(log, verb, poller.getOperationState().status, startedAt);
  try {
    while (!poller.isDone()) {
      const waitMs = retryAfterMs ?? config.pollIntervalMs;
      log.debug(
        `Next poll in ${formatDuration(waitMs)}${retryAfterMs !== undefined ? ' (Retry-After)' : ''}.`,
      );
      await deadline.delay(waitMs);
      await poller.poll({ abortSignal: deadline.signal });
      if (!poller.isDone()) progress.update(poller.getOperationState().status);
    }
    // Done: returns the result, or throws the operation's error, without another request.
    await poller.pollUntilDone({ abortSignal: deadline.signal });
    progress.finish(`${verb} succeeded`);
    return Date.now() - startedAt;
  } finally {
    progress.stop();
  }
}

export function backupRestoreParameters(config: Config): ApiManagementServiceBackupRestoreParameters {
  const access = config.storageAccess;
  return {
    storageAccount: config.storageAccount,
    containerName: config.container,
    backupName: config.backupName,
    accessType: access.type,
    ...(access.type === 'AccessKey' ? { accessKey: access.key } : {}),
    ...(access.type === 'UserAssignedManagedIdentity' ? { clientId: access.clientId } : {}),
  };
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Otherwise only an HTTP date (it has a weekday or month name): "1.5" or "-5" must not parse as a year.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function timeoutError(config: Config, operationUrl: string | undefined): OperationTimeoutError {
  const verb = config.operation === 'backup' ? 'backup' : 'restore';
  return new OperationTimeoutError(
    `Timed out after ${formatDuration(config.timeoutMs)} waiting for the ${verb} of API Management instance '${config.serviceName}'. The operation may still be running in Azure${operationUrl ? `: its status is at ${operationUrl} (output operation-url)` : ''}.`,
    'Timeout',
    `Check the instance in the Azure portal before retrying: a second ${verb} now would conflict with the running one. Raise timeout for large instances (restores can take over an hour).`,
  );
}

/** One timeout for the whole run: waits and requests end the moment it passes. */
class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(timeoutMs: number) {
    this.timer = setTimeout(() => this.controller.abort(), timeoutMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  delay(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.expired) return reject(new Error('aborted'));
      const onAbort = () => {
        clearTimeout(timer);
        reject(new Error('aborted'));
      };
      const timer = setTimeout(() => {
        this.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/**
 * One API Management instance through @azure/arm-apimanagement: read it (waiting while another operation keeps it
 * busy, refusing tiers without backup), and run a backup or restore to the end.
 */
import {
  ApiManagementClient,
  ApiManagementServiceBackupRestoreParameters,
  ApiManagementServiceResource,
} from '@azure/arm-apimanagement';
import type { TokenCredential } from '@azure/identity';
import { createPipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import type { ApimStorageAccess, Instance } from '../inputs/config';
import { formatDuration } from '../base/duration';
import type { Network } from '../net/network';
import { sdkHttpClient } from '../net/sdk-http';
import type { Logger, PlatformProfile } from '../ports';
import { ActionableError } from '../report/errors';
import { Cloud, resourceManagerScope } from '../inputs/clouds';
import type { Deadline } from '../base/deadline';
import { checkOperationUrl, OperationUrlCheck, sameInstance } from '../inputs/operation-url';
import { Progress } from './progress';
import { lacksBackup, SUPPORTED_TIERS } from './tiers';
import {
  AzureError,
  isTransientError,
  isTransientStatus,
  MIN_POLL_MS,
  nextBackoff,
  parseRetryAfter,
} from './wait';

/** Provisioning states that end by themselves: another operation is running, so wait for it. */
const BUSY_STATES = ['updating', 'activating', 'creating', 'upgrading', 'migrating', 'applyingchanges'];

export type ApimOperationKind = 'backup' | 'restore';

/**
 * What the step learns of an instance: its tier and location are stamped on backups and guard restores; its
 * identities and network are what the pre-flight checks hold against the storage account.
 */
export interface InstanceFacts {
  tier: string;
  location?: string;
  /** The instance's resource ID, as Resource Manager spells it. */
  id: string;
  identity: InstanceIdentity;
  network: InstanceNetwork;
}

export interface InstanceIdentity {
  /** SystemAssigned, UserAssigned, "SystemAssigned, UserAssigned" or None. */
  type: string;
  /** Of the system-assigned identity. */
  principalId?: string;
  userAssigned: { resourceId: string; clientId?: string; principalId?: string }[];
}

export interface InstanceNetwork {
  publicIPAddresses: string[];
  /** None, External or Internal. */
  virtualNetworkType: string;
  subnetResourceId?: string;
}

/** What the operation-status URL says: still running, or done (a failure is thrown). */
export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed';

export interface WaitOptions {
  pollIntervalMs: number;
  /** e.g. "Backup": progress lines start with it. */
  label: string;
  /** Ask once and report, rather than wait to the end. */
  once?: boolean;
  /** Milliseconds to wait before the first poll (Retry-After of the start answer). */
  firstWaitMs?: number;
  startedAt?: number;
  onStatus?: (status: OperationStatus) => void;
  /** Azure named the operation's status at a new URL (a 202's Location), which the step follows from now on. */
  onUrl?: (url: string, previous: string) => void;
}

export interface BackupLocation {
  storageAccount: string;
  container: string;
  backupName: string;
  access: ApimStorageAccess;
}

const FAILED_STATES = ['failed', 'canceled', 'cancelled'];

/** Whether the instance, seen busy (or not yet seen), may cut the next wait short by leaving its busy state. */
interface InstanceWatch {
  armed: boolean;
}

export class ApimInstance {
  private readonly client: ApiManagementClient;
  readonly label: string;

  constructor(
    credential: TokenCredential,
    readonly instance: Instance,
    private readonly cloud: Cloud,
    private readonly log: Logger,
    private readonly deadline: Deadline,
    network: Network,
    /** Names the inputs and outputs a message points at, as the user writes them. */
    private readonly profile: PlatformProfile,
  ) {
    this.client = new ApiManagementClient(credential, instance.subscriptionId, {
      endpoint: cloud.resourceManagerEndpoint,
      httpClient: sdkHttpClient(network),
      credentialScopes: [resourceManagerScope(cloud)],
      userAgentOptions: { userAgentPrefix: 'apim-backup-restore' },
      // The pipeline's own retries ride out a short fault; the poll loop rides out longer ones on top.
      retryOptions: { maxRetries: 3, retryDelayInMs: 1_000, maxRetryDelayInMs: 8_000 },
    });
    this.label = `API Management instance '${instance.serviceName}'`;
  }

  /** Reads the instance and refuses a tier without backup. */
  async read(): Promise<InstanceFacts> {
    const service = await this.get();
    return checkTier(service, this.instance.serviceName);
  }

  /** Reads the instance, whatever its tier (operation: check reports the tier as one finding among others). */
  async inspect(): Promise<InstanceFacts> {
    return factsOf(await this.get());
  }

  /** Reads the instance, refuses a tier without backup, and waits while another operation keeps it busy. */
  async readWhenIdle(pollIntervalMs: number): Promise<InstanceFacts> {
    let progress: Progress | undefined;
    try {
      for (;;) {
        const service = await this.get();
        const facts = checkTier(service, this.instance.serviceName);
        const state = service.provisioningState ?? 'Succeeded';
        if (!BUSY_STATES.includes(state.toLowerCase())) {
          progress?.finish(`${this.label} is ${state}`);
          return facts;
        }
        if (!progress) {
          this.log.info(
            `${this.label} is ${state}: another operation is in progress. Waiting for it to finish (within the ${formatDuration(this.deadline.timeoutMs)} timeout).`,
          );
          progress = new Progress(this.log, `Waiting for ${this.label}`, state);
        }
        progress.update(state);
        await this.deadline.delay(pollIntervalMs, `waiting for ${this.label} to leave ${state}`);
      }
    } finally {
      progress?.stop();
    }
  }

  /**
   * Starts a backup or restore. Returns the operation-status URL (checked: https, on the Resource Manager host)
   * and how long Azure asks to wait before the first poll; no URL when Azure gave none.
   */
  async start(
    kind: ApimOperationKind,
    location: BackupLocation,
  ): Promise<{ operationUrl?: string; retryAfterMs?: number; done?: boolean }> {
    const { subscriptionId, resourceGroup, serviceName } = this.instance;
    const path = `/subscriptions/${encodeURIComponent(subscriptionId)}/resourceGroups/${encodeURIComponent(resourceGroup)}/providers/Microsoft.ApiManagement/service/${encodeURIComponent(serviceName)}/${kind}`;
    const url = `${this.cloud.resourceManagerEndpoint}${path}?api-version=${encodeURIComponent(this.client.apiVersion)}`;
    // A POST is not retried by the poll loop: a second start would conflict with (or repeat) the first.
    const response = await this.send(`starting the ${kind} (POST ${url.split('?')[0]})`, 'POST', url, {
      body: JSON.stringify(backupRestoreParameters(location)),
    });
    if (response.status >= 400) throw azureError(response);
    if (response.status === 200) {
      successBody(response, `${kind} start`);
      return { done: true };
    }
    if (response.status !== 202) throw unexpected(response, `the ${kind} start`);
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    const location_ = response.headers.get('location');
    if (!location_) return { retryAfterMs };
    const checked = this.checkStatusUrl(location_);
    if (!checked.ok) {
      throw new ActionableError(
        `Azure accepted the ${kind}, but its operation-status URL ${checked.problem}; the step did not follow it. The ${kind} may be running in Azure.`,
        'UnexpectedOperationUrl',
        `Check the instance in the Azure portal, and that ${this.profile.inputName('resourceManagerEndpoint')} is the Resource Manager URL of your cloud.`,
      );
    }
    return { operationUrl: checked.url, retryAfterMs };
  }

  /**
   * Polls an operation-status URL until the operation ends (or once, with `once`). 202 is running; only a 200
   * whose body does not say Failed or Canceled is success. 5xx, 408, 429 and broken connections are retried with
   * backoff for as long as the deadline allows: the operation runs on in Azure meanwhile. A poll never comes
   * sooner than a second after the last, whatever Retry-After says. A 202 that names the status at a new URL
   * (Location) moves the wait there, once that URL passes the same checks as the first.
   * While a Retry-After longer than the poll
   * interval is honoured, the instance is watched (see waitForNextPoll): the end is seen within a poll interval.
   */
  async waitFor(startUrl: string, options: WaitOptions): Promise<OperationStatus> {
    const { pollIntervalMs, label } = options;
    const startedAt = options.startedAt ?? Date.now();
    let url = startUrl;
    let refusedLocation: string | undefined;
    let progress: Progress | undefined;
    let waitMs = options.firstWaitMs;
    /** The wait is what Azure asked for (Retry-After or poll interval), not a backoff after a fault. */
    let asked = true;
    let backoffMs = 0;
    let faults = 0;
    const watch: InstanceWatch = { armed: true };
    try {
      for (;;) {
        if (waitMs !== undefined) {
          this.log.debug(`Next poll in ${formatDuration(waitMs)}.`);
          const activity = `waiting for the ${label.toLowerCase()} to finish (${formatDuration(Date.now() - startedAt)} since it started; the next status request was due in ${formatDuration(waitMs)})`;
          if (asked && waitMs > pollIntervalMs) {
            await this.waitForNextPoll(waitMs, pollIntervalMs, activity, watch, label);
          } else {
            await this.deadline.delay(waitMs, activity);
          }
        }
        asked = true;
        let response: PipelineResponse;
        try {
          response = await this.send(
            `waiting for the ${label.toLowerCase()} (GET ${url.split('?')[0]})`,
            'GET',
            url,
          );
        } catch (error) {
          if (this.deadline.ended || !isTransientError(error)) throw error;
          backoffMs = nextBackoff(backoffMs, pollIntervalMs);
          faults += 1;
          this.log.warning(
            `${label}: the status request failed (${(error as Error).message.split('\n')[0]}); the operation is still running in Azure. Retrying in ${formatDuration(backoffMs)} (fault ${faults}).`,
          );
          waitMs = backoffMs;
          asked = false;
          continue;
        }
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        if (isTransientStatus(response.status)) {
          backoffMs = nextBackoff(backoffMs, pollIntervalMs);
          faults += 1;
          this.log.warning(
            `${label}: Azure answered HTTP ${response.status} on the operation status; the operation is still running in Azure. Retrying in ${formatDuration(Math.max(backoffMs, retryAfterMs ?? 0))} (fault ${faults}).`,
          );
          waitMs = Math.max(backoffMs, retryAfterMs ?? 0);
          asked = false;
          continue;
        }
        backoffMs = 0;
        if (response.status === 202) {
          const moved = this.followLocation(response.headers.get('location'), url, label, refusedLocation);
          if (moved.refused) refusedLocation = moved.refused;
          if (moved.url !== url) {
            options.onUrl?.(moved.url, url);
            url = moved.url;
          }
          options.onStatus?.('InProgress');
          if (options.once) return 'InProgress';
          progress ??= new Progress(this.log, label, 'InProgress', startedAt);
          waitMs = Math.max(MIN_POLL_MS, retryAfterMs ?? pollIntervalMs);
          continue;
        }
        if (response.status === 200) {
          try {
            successBody(response, `${label} status`);
          } catch (error) {
            options.onStatus?.('Failed');
            throw error;
          }
          options.onStatus?.('Succeeded');
          if (progress) progress.finish(`${label} succeeded`);
          else this.log.info(`${label} succeeded after ${formatDuration(Date.now() - startedAt)}.`);
          return 'Succeeded';
        }
        options.onStatus?.('Failed');
        if (response.status === 404) throw operationNotFound(url, response, this.profile);
        if (response.status >= 400) throw azureError(response, url);
        throw unexpected(response, `the ${label.toLowerCase()} status`);
      }
    } finally {
      progress?.stop();
    }
  }

  /**
   * The status URL to poll next, given a 202's Location: the new one when it passes the checks the first passed
   * (https, the Resource Manager host, an operationresults URL of this instance); else the current one, saying once
   * why the new one is not followed (no token goes to a URL that fails them).
   */
  private followLocation(
    location: string | undefined,
    current: string,
    label: string,
    alreadyRefused: string | undefined,
  ): { url: string; refused?: string } {
    if (!location) return { url: current };
    const checked = this.checkStatusUrl(location);
    if (checked.ok) {
      if (checked.url !== current)
        this.log.info(`${label}: Azure moved the operation status to ${checked.url}`);
      return { url: checked.url };
    }
    if (location !== alreadyRefused) {
      this.log.warning(
        `${label}: Azure named a new operation-status URL that ${checked.problem}; the step does not follow it and keeps asking ${current.split('?')[0]}.`,
      );
    }
    return { url: current, refused: location };
  }

  /** checkOperationUrl, and the URL must name this instance: another instance's operation is not this one's. */
  private checkStatusUrl(value: string): OperationUrlCheck {
    const checked = checkOperationUrl(value, this.cloud.resourceManagerEndpoint);
    if (!checked.ok || sameInstance(checked.instance, this.instance)) return checked;
    return {
      ok: false,
      problem: `names another instance ('${checked.instance.serviceName}' in resource group '${checked.instance.resourceGroup}', subscription '${checked.instance.subscriptionId}')`,
    };
  }

  /**
   * Waits until the next status request is due, reading the instance every poll interval meanwhile: Azure asks
   * for Retry-After (60 s for a backup) whatever the operation's length, but the instance shows Updating while
   * the operation runs. When it is seen leaving a busy state, the wait ends at once, so that one status request
   * confirms the end; its state alone never decides anything. Once a confirmation found the operation still
   * running, the instance must be seen busy again before it can cut another wait short: no status request comes
   * sooner than Azure asked because the instance looks idle. A read that fails or is slow only means no shortcut.
   */
  private async waitForNextPoll(
    waitMs: number,
    pollIntervalMs: number,
    activity: string,
    watch: InstanceWatch,
    label: string,
  ): Promise<void> {
    const dueAt = Date.now() + waitMs;
    for (;;) {
      const leftMs = dueAt - Date.now();
      if (leftMs <= pollIntervalMs) {
        await this.deadline.delay(Math.max(0, leftMs), activity);
        return;
      }
      await this.deadline.delay(pollIntervalMs, activity);
      const state = await this.peekState(dueAt - Date.now(), activity);
      if (state === undefined) continue;
      if (BUSY_STATES.includes(state.toLowerCase())) {
        watch.armed = true;
        continue;
      }
      if (watch.armed) {
        watch.armed = false;
        this.log.debug(
          `${this.label} is ${state}: asking the operation status now rather than in ${formatDuration(dueAt - Date.now())} (${label}).`,
        );
        return;
      }
    }
  }

  /** The instance's provisioning state, or undefined when it cannot be read within `withinMs`. */
  private async peekState(withinMs: number, activity: string): Promise<string | undefined> {
    const slow = new AbortController();
    const timer = setTimeout(
      () => slow.abort(new Error('no answer before the status request was due')),
      withinMs,
    );
    const tooSlow = new Promise<never>((_, reject) =>
      slow.signal.addEventListener('abort', () => reject(slow.signal.reason as Error), { once: true }),
    );
    tooSlow.catch(() => undefined); // met in the race below, if the read starts at all
    try {
      const service = await this.deadline.race(activity, (abortSignal) => {
        const read = this.client.apiManagementService.get(
          this.instance.resourceGroup,
          this.instance.serviceName,
          { abortSignal: AbortSignal.any([abortSignal, slow.signal]) },
        );
        read.catch(() => undefined); // abandoned when too slow
        // Given up when due, whether or not the SDK honours the signal at the stage it is in.
        return Promise.race([read, tooSlow]);
      });
      return service.provisioningState ?? 'Succeeded';
    } catch (error) {
      if (this.deadline.ended) throw error;
      this.log.debug(
        `Could not read ${this.label} while waiting (${(error as Error).message.split('\n')[0]}); the next status request comes when due.`,
      );
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Azure accepted an operation without giving a status URL: the instance shows it as Updating while it runs.
   * Success only when it was seen Updating and then left it for Succeeded; anything else fails, saying why.
   */
  async waitUntilNotUpdating(kind: ApimOperationKind, pollIntervalMs: number): Promise<void> {
    const verb = kind === 'backup' ? 'Backup' : 'Restore';
    this.log.warning(
      `Azure accepted the ${kind} but gave no operation-status URL (no Location header): waiting for ${this.label} to leave Updating instead.`,
    );
    let sawBusy = false;
    for (;;) {
      const service = await this.get();
      const state = service.provisioningState ?? 'unknown';
      if (BUSY_STATES.includes(state.toLowerCase())) {
        sawBusy = true;
        await this.deadline.delay(Math.max(MIN_POLL_MS, pollIntervalMs));
        continue;
      }
      if (!sawBusy) {
        throw new ActionableError(
          `${verb} of ${this.label}: Azure accepted it (HTTP 202) without an operation-status URL, and the instance is ${state}, not Updating, so the step cannot tell whether the ${kind} ran. It does not report success without evidence.`,
          'NoOperationUrl',
          `Check the instance's activity log in the Azure portal${kind === 'backup' ? ' and whether the backup blob exists' : ''}, then run the step again.`,
        );
      }
      if (state.toLowerCase() !== 'succeeded') {
        throw new ActionableError(
          `${verb} of ${this.label} failed: the instance left Updating for ${state}.`,
          'OperationFailed',
          "Check the instance's activity log in the Azure portal.",
        );
      }
      this.log.info(`${this.label} left Updating for ${state}: the ${kind} finished.`);
      return;
    }
  }

  private get(): Promise<ApiManagementServiceResource> {
    return this.deadline.race(`reading ${this.label}`, (abortSignal) =>
      this.client.apiManagementService.get(this.instance.resourceGroup, this.instance.serviceName, {
        abortSignal,
      }),
    );
  }

  private send(
    activity: string,
    method: 'GET' | 'POST',
    url: string,
    options: { body?: string } = {},
  ): Promise<PipelineResponse> {
    return this.deadline.race(activity, async (abortSignal) => {
      const request = createPipelineRequest({ url, method, abortSignal, body: options.body });
      if (options.body !== undefined) request.headers.set('content-type', 'application/json');
      let response: PipelineResponse;
      try {
        response = await this.client.sendRequest(request);
      } catch (error) {
        // The client pipeline parses JSON bodies itself; an unreadable one is judged here, with its status.
        const failed = error as { code?: string; response?: PipelineResponse };
        if (failed.code !== 'PARSE_ERROR' || !failed.response) throw error;
        response = failed.response;
      }
      this.log.debug(`${method} ${url.split('?')[0]}: HTTP ${response.status}`);
      return response;
    });
  }
}

/** The body of a 200: success unless it says Failed or Canceled, or cannot be read. */
function successBody(response: PipelineResponse, what: string): void {
  let body: { status?: unknown; properties?: { provisioningState?: unknown }; error?: unknown };
  try {
    body = response.bodyAsText ? (JSON.parse(response.bodyAsText) as typeof body) : {};
  } catch {
    throw new ActionableError(
      `Azure answered HTTP 200 on the ${what} with a body that is not JSON, so the step cannot tell whether the operation succeeded.`,
      'UnreadableAnswer',
      'Check the instance in the Azure portal; a proxy between the runner and Azure may have answered instead of Azure.',
    );
  }
  const reported = body?.properties?.provisioningState ?? body?.status;
  const state = typeof reported === 'string' ? reported : '';
  if (FAILED_STATES.includes(state.toLowerCase()) || body?.error) {
    const error = (body.error ?? {}) as { code?: string; message?: string };
    throw new AzureError(
      error.message ??
        `Azure reports the operation ${state || 'failed'} (HTTP 200 with provisioningState ${state}).`,
      error.code ?? `Operation${state || 'Failed'}`,
      200,
    );
  }
}

function azureError(response: PipelineResponse, operationUrl?: string): AzureError {
  let error: { code?: string; message?: string } = {};
  try {
    const body = JSON.parse(response.bodyAsText ?? '') as { error?: { code?: string; message?: string } };
    error = body.error ?? {};
  } catch {
    // Not JSON: the status says what there is to say.
  }
  return new AzureError(
    error.message ?? `Azure answered HTTP ${response.status} without an error description.`,
    error.code,
    response.status,
    operationUrl,
  );
}

function operationNotFound(
  url: string,
  response: PipelineResponse,
  profile: PlatformProfile,
): ActionableError {
  const cause = azureError(response);
  return new ActionableError(
    `The operation-status URL ${url.split('?')[0]} is not known to Azure (HTTP 404${cause.code ? ` ${cause.code}` : ''}: ${cause.message}).`,
    'OperationNotFound',
    `Azure keeps operation status for a limited time, and only in the subscription that started it: check the URL (output ${profile.outputName('operationUrl')} of the step that started the operation), and the instance in the Azure portal.`,
  );
}

function unexpected(response: PipelineResponse, what: string): ActionableError {
  return new ActionableError(
    `Azure answered HTTP ${response.status} on ${what}, which the step does not know how to read; it does not report success without evidence.`,
    'UnexpectedAnswer',
    'Check the instance in the Azure portal.',
  );
}

function checkTier(service: ApiManagementServiceResource, serviceName: string): InstanceFacts {
  const tier = service.sku?.name ?? 'unknown';
  if (lacksBackup(tier)) {
    throw new ActionableError(
      `API Management instance '${serviceName}' is on the ${tier} tier, which has no backup or restore.`,
      'UnsupportedTier',
      `Backup and restore exist only on the ${SUPPORTED_TIERS.join(', ')} tiers. For ${tier}, export the configuration instead (APIOps, Bicep or Terraform).`,
    );
  }
  return factsOf(service);
}

function factsOf(service: ApiManagementServiceResource): InstanceFacts {
  const identity = service.identity;
  return {
    tier: service.sku?.name ?? 'unknown',
    location: service.location,
    id: service.id ?? '',
    identity: {
      type: identity?.type ?? 'None',
      principalId: identity?.principalId,
      userAssigned: Object.entries(identity?.userAssignedIdentities ?? {}).map(([resourceId, value]) => ({
        resourceId,
        clientId: value.clientId,
        principalId: value.principalId,
      })),
    },
    network: {
      publicIPAddresses: service.publicIPAddresses ?? [],
      virtualNetworkType: service.virtualNetworkType ?? 'None',
      subnetResourceId: service.virtualNetworkConfiguration?.subnetResourceId,
    },
  };
}

export function backupRestoreParameters(
  location: BackupLocation,
): ApiManagementServiceBackupRestoreParameters {
  const { access } = location;
  return {
    storageAccount: location.storageAccount,
    containerName: location.container,
    backupName: location.backupName,
    accessType: access.type,
    ...(access.type === 'AccessKey' ? { accessKey: access.key } : {}),
    ...(access.type === 'UserAssignedManagedIdentity' ? { clientId: access.clientId } : {}),
  };
}

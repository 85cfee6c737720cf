/**
 * One API Management instance through @azure/arm-apimanagement: read it (waiting while another operation keeps it
 * busy, refusing tiers without backup), and run a backup or restore to the end.
 */
import {
  ApiManagementClient,
  ApiManagementServiceBackupOptionalParams,
  ApiManagementServiceBackupRestoreParameters,
  ApiManagementServiceResource,
} from '@azure/arm-apimanagement';
import type { TokenCredential } from '@azure/identity';
import type { ApimStorageAccess, Instance } from '../inputs/config';
import { formatDuration } from '../inputs/duration';
import type { Logger } from '../ports';
import { ActionableError } from '../report/errors';
import type { Cloud } from '../sign-in/clouds';
import type { Deadline } from './deadline';
import { Progress } from './progress';
import { parseRetryAfter, pollUntilDone } from './wait';

export const SUPPORTED_TIERS = ['Developer', 'Basic', 'Standard', 'Premium'];
const UNSUPPORTED_TIERS = ['Consumption', 'BasicV2', 'StandardV2', 'PremiumV2'];
/** Provisioning states that end by themselves: another operation is running, so wait for it. */
const BUSY_STATES = ['updating', 'activating', 'creating', 'upgrading', 'migrating', 'applyingchanges'];

export type ApimOperationKind = 'backup' | 'restore';

/** What the step learns of an instance: its tier and location are stamped on backups and guard restores. */
export interface InstanceFacts {
  tier: string;
  location?: string;
}

export interface BackupLocation {
  storageAccount: string;
  container: string;
  backupName: string;
  access: ApimStorageAccess;
}

type RawResponse = Parameters<NonNullable<ApiManagementServiceBackupOptionalParams['onResponse']>>[0];

export class ApimInstance {
  private readonly client: ApiManagementClient;
  readonly label: string;

  constructor(
    credential: TokenCredential,
    readonly instance: Instance,
    cloud: Cloud,
    private readonly log: Logger,
    private readonly deadline: Deadline,
  ) {
    this.client = new ApiManagementClient(credential, instance.subscriptionId, {
      endpoint: cloud.resourceManagerEndpoint,
      userAgentOptions: { userAgentPrefix: 'apim-backup-restore' },
    });
    this.label = `API Management instance '${instance.serviceName}'`;
  }

  /** Reads the instance and refuses a tier without backup. */
  async read(): Promise<InstanceFacts> {
    const service = await this.get();
    return checkTier(service, this.instance.serviceName);
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
        await this.deadline.delay(pollIntervalMs);
      }
    } finally {
      progress?.stop();
    }
  }

  /**
   * Starts a backup or restore and polls it to the end; returns how long it took. `label` starts its log lines,
   * e.g. "Backup of 'apim-prod'", so two running at once can be told apart.
   */
  async run(
    kind: ApimOperationKind,
    location: BackupLocation,
    pollIntervalMs: number,
    label: string,
    onOperationUrl: (url: string) => void,
  ): Promise<number> {
    let operationUrl: string | undefined;
    let retryAfterMs: number | undefined;
    const onResponse = (response: RawResponse) => {
      const url = response.headers.get('location');
      if (!operationUrl && url) {
        operationUrl = url;
        onOperationUrl(url);
      }
      retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      this.log.debug(
        `${response.request.method} ${response.request.url.split('?')[0]}: HTTP ${response.status}`,
      );
    };
    const options = { abortSignal: this.deadline.signal, onResponse, updateIntervalInMs: pollIntervalMs };
    const parameters = backupRestoreParameters(location);
    const { resourceGroup, serviceName } = this.instance;

    const startedAt = Date.now();
    const service = this.client.apiManagementService;
    const poller =
      kind === 'backup'
        ? await service.beginBackup(resourceGroup, serviceName, parameters, options)
        : await service.beginRestore(resourceGroup, serviceName, parameters, options);
    this.log.info(`${label} started${operationUrl ? `; operation status: ${operationUrl}` : ''}.`);
    return pollUntilDone(poller, {
      log: this.log,
      deadline: this.deadline,
      pollIntervalMs,
      label,
      retryAfterMs: () => retryAfterMs,
      startedAt,
    });
  }

  private get(): Promise<ApiManagementServiceResource> {
    return this.client.apiManagementService.get(this.instance.resourceGroup, this.instance.serviceName, {
      abortSignal: this.deadline.signal,
    });
  }
}

function checkTier(service: ApiManagementServiceResource, serviceName: string): InstanceFacts {
  const tier = service.sku?.name ?? 'unknown';
  if (UNSUPPORTED_TIERS.includes(tier)) {
    throw new ActionableError(
      `API Management instance '${serviceName}' is on the ${tier} tier, which has no backup or restore.`,
      'UnsupportedTier',
      `Backup and restore exist only on the ${SUPPORTED_TIERS.join(', ')} tiers. For ${tier}, export the configuration instead (APIOps, Bicep or Terraform).`,
    );
  }
  return { tier, location: service.location };
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

/**
 * Backup and restore as ARM long-running operations (202 + Location, polled on operationresults) whose pace and
 * outcome tests set, over the instances the stand-in holds.
 */
import { randomBytes } from 'node:crypto';
import { backupBlobContent, parseBackupBlob } from './backup-blob';
import { parseParameters } from './backup-parameters';
import { BlobAccessDeniedError, BlobStore } from './blob-store';
import { json, Reply } from './http';
import { ReplayedOperation } from './replay';
import { OperationRecord, ServiceBehaviour, ServiceSpec, ServiceState } from './service-state';

const SUPPORTED_TIERS = ['Developer', 'Basic', 'Standard', 'Premium'];
const BACKUP_LIFETIME_MS = 30 * 86_400_000;

interface Operation {
  record: OperationRecord;
  service: ServiceState;
  throttledLeft: number;
  runningAnswers: number;
  outcome?: Promise<Reply>;
  /** Answers recorded from Azure, when the service replays a recording. */
  replay?: ReplayedOperation;
  baseUrl: string;
  apiVersion: string;
}

export class ApiManagement {
  private readonly services = new Map<string, ServiceState>();
  private readonly operations = new Map<string, Operation>();
  /** Services per page of a service list; the rest follow through nextLink. */
  listPageSize = 2;

  constructor(private readonly blobStore: BlobStore) {}

  add(spec: ServiceSpec): ServiceState {
    const service = new ServiceState(spec);
    this.services.set(key(spec.subscriptionId, spec.resourceGroup, spec.name), service);
    return service;
  }

  find(subscriptionId: string, resourceGroup: string, name: string): ServiceState | undefined {
    return this.services.get(key(subscriptionId, resourceGroup, name));
  }

  /** The services of a subscription, or of one of its resource groups, in the order they were added. */
  list(subscriptionId: string, resourceGroup?: string): ServiceState[] {
    return [...this.services.values()].filter(
      (s) =>
        same(s.subscriptionId, subscriptionId) &&
        (resourceGroup === undefined || same(s.resourceGroup, resourceGroup)),
    );
  }

  /**
   * One page of GET …/providers/Microsoft.ApiManagement/service (ApiManagementServiceListResult): `value`, and a
   * `nextLink` carrying api-version and a $skipToken while more remain. `listUrl` is the list's URL without query.
   */
  listPage(
    services: ServiceState[],
    skipToken: string | undefined,
    listUrl: string,
    apiVersion: string,
  ): Reply {
    const start = skipToken === undefined ? 0 : Number(Buffer.from(skipToken, 'base64url').toString());
    if (!Number.isInteger(start) || start < 0) {
      return json(400, {
        error: { code: 'InvalidSkipToken', message: `The $skipToken '${skipToken}' is invalid.` },
      });
    }
    const end = start + Math.max(1, this.listPageSize);
    const next = Buffer.from(String(end)).toString('base64url');
    return json(200, {
      value: services.slice(start, end).map((service) => service.resource()),
      ...(end < services.length
        ? { nextLink: `${listUrl}?api-version=${encodeURIComponent(apiVersion)}&%24skipToken=${next}` }
        : {}),
    });
  }

  hasSubscription(subscriptionId: string): boolean {
    return [...this.services.values()].some((s) => same(s.subscriptionId, subscriptionId));
  }

  hasResourceGroup(subscriptionId: string, resourceGroup: string): boolean {
    return [...this.services.values()].some(
      (s) => same(s.subscriptionId, subscriptionId) && same(s.resourceGroup, resourceGroup),
    );
  }

  /** POST …/backup or …/restore; `baseUrl` is the stand-in's ARM URL. */
  start(
    service: ServiceState,
    kind: 'backup' | 'restore',
    body: string,
    baseUrl: string,
    apiVersion: string,
  ): Reply {
    const { behaviour } = service;
    if (behaviour.startError) {
      const { status, code, message } = behaviour.startError;
      return json(status, { error: { code, message } });
    }
    const parsed = parseParameters(body);
    if ('error' in parsed) return parsed.error;
    if (!SUPPORTED_TIERS.includes(behaviour.sku)) {
      return json(400, {
        error: {
          code: 'MethodNotAllowedInPricingTier',
          message: `${kind === 'backup' ? 'Backup' : 'Restore'} is not supported in the '${behaviour.sku}' pricing tier.`,
        },
      });
    }
    if (service.busy) {
      return json(409, {
        error: {
          code: 'Conflict',
          message: `Operation cannot be performed because another operation is in progress on the API Management service '${service.name}'. Please retry after it completes.`,
        },
      });
    }
    const recorded = behaviour.replay?.find((operation) => operation.kind === kind);
    const replay = recorded ? new ReplayedOperation(recorded, baseUrl) : undefined;
    const id = replay?.id ?? operationId(service, kind);
    const record: OperationRecord = {
      id,
      kind,
      parameters: parsed.parameters,
      url: replay?.url ?? statusUrl(baseUrl, service, id, apiVersion),
      startedAt: Date.now(),
      polls: 0,
      status: 'InProgress',
    };
    service.operations.push(record);
    this.operations.set(id, {
      record,
      service,
      throttledLeft: behaviour.throttledPolls,
      runningAnswers: 0,
      replay,
      baseUrl,
      apiVersion,
    });
    if (replay) return replay.startReply();
    return { status: 202, headers: { location: record.url, ...retryAfter(behaviour) } };
  }

  /** GET …/operationresults/{id}. */
  async poll(service: ServiceState, id: string): Promise<Reply> {
    const operation = this.operations.get(id);
    if (!operation || operation.service !== service) {
      return json(404, { error: { code: 'NotFound', message: `The operation '${id}' was not found.` } });
    }
    const {
      record,
      service: { behaviour },
    } = operation;
    record.polls += 1;
    if (operation.throttledLeft > 0) {
      operation.throttledLeft -= 1;
      return json(
        429,
        {
          error: {
            code: 'TooManyRequests',
            message: `Number of 'read' requests for subscription '${service.subscriptionId}' exceeded. Please try again after '1' seconds after additional tokens are available.`,
          },
        },
        { 'retry-after': '1' },
      );
    }
    if (operation.replay && !operation.outcome) {
      const { reply, final } = operation.replay.nextPoll();
      if (!final) return reply;
      operation.outcome = this.finish(operation, reply);
    }
    const elapsed = Date.now() - record.startedAt;
    const due = operation.runningAnswers >= behaviour.operationPolls && elapsed >= behaviour.operationMs;
    if (!operation.outcome && (behaviour.neverFinishes || !due)) {
      operation.runningAnswers += 1;
      if (behaviour.movesStatus) this.move(operation);
      return { status: 202, headers: { location: record.url, ...retryAfter(behaviour) } };
    }
    operation.outcome ??= this.finish(operation);
    return operation.outcome;
  }

  /** The operation's status moves to a new id, answered from now on (the old ones still are). */
  private move(operation: Operation): void {
    const { record, service, baseUrl, apiVersion } = operation;
    const id = operationId(service, record.kind);
    record.url = statusUrl(baseUrl, service, id, apiVersion);
    this.operations.set(id, operation);
  }

  private async finish({ record, service }: Operation, success?: Reply): Promise<Reply> {
    const { failure } = service.behaviour;
    const fails = failure && (failure.kind === undefined || failure.kind === record.kind);
    const error = fails ? failure : await this.doWork(record, service);
    record.finishedAt = Date.now();
    if (error) {
      record.status = 'Failed';
      record.error = { code: error.code, message: error.message };
      return json(error.status ?? 400, { error: record.error });
    }
    record.status = 'Succeeded';
    service.touch();
    return success ?? json(200, service.resource());
  }

  /** Writes or checks the backup blob; the error APIM would report, if any. */
  private async doWork(
    record: OperationRecord,
    service: ServiceState,
  ): Promise<{ status?: number; code: string; message: string } | undefined> {
    const {
      storageAccount: account,
      containerName: container,
      backupName: blob,
      accessKey,
    } = record.parameters;
    const code = record.kind === 'backup' ? 'BackupFailed' : 'RestoreFailed';
    try {
      if (record.kind === 'backup') {
        const content = backupBlobContent({
          service: service.name,
          sku: service.behaviour.sku,
          createdAt: new Date(),
        });
        await this.blobStore.write(account, container, blob, content, accessKey);
        return undefined;
      }
      const content = await this.blobStore.read(account, container, blob, accessKey);
      if (content === undefined) {
        return {
          code,
          message: `Cannot restore: backup blob '${blob}' was not found in container '${container}' of storage account '${account}'.`,
        };
      }
      const backup = parseBackupBlob(content);
      if (!backup)
        return { code, message: `Cannot restore: blob '${blob}' is not an API Management backup.` };
      if (Date.now() - Date.parse(backup.createdAt) > BACKUP_LIFETIME_MS) {
        return { code, message: 'Cannot restore: backup expired' };
      }
      if (backup.sku !== service.behaviour.sku) {
        return {
          code,
          message: `Cannot restore: current SKU is '${service.behaviour.sku}', backup SKU is '${backup.sku}'`,
        };
      }
      service.restoredFrom = backup.service;
      return undefined;
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      if (error instanceof BlobAccessDeniedError) {
        return {
          code,
          message: `Failed to access storage account '${account}' container '${container}': ${detail}`,
        };
      }
      return { status: 500, code: 'InternalServerError', message: `Storage request failed: ${detail}` };
    }
  }
}

/** An id shaped as Azure's: base64 (with its `=` padding) of `{location}:{name}_{Kind}_{hex}`. */
function operationId(service: ServiceState, kind: 'backup' | 'restore'): string {
  const region = service.location.replace(/\s+/g, '').toLowerCase();
  const verb = kind === 'backup' ? 'Backup' : 'Restore';
  return Buffer.from(`${region}:${service.name}_${verb}_${randomBytes(4).toString('hex')}`).toString(
    'base64',
  );
}

function statusUrl(baseUrl: string, service: ServiceState, id: string, apiVersion: string): string {
  return `${baseUrl}${service.id}/operationresults/${id}?api-version=${encodeURIComponent(apiVersion)}`;
}

function retryAfter(behaviour: ServiceBehaviour): Record<string, string> {
  return behaviour.retryAfterSeconds === undefined
    ? {}
    : { 'retry-after': String(behaviour.retryAfterSeconds) };
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function key(subscriptionId: string, resourceGroup: string, name: string): string {
  return `${subscriptionId}/${resourceGroup}/${name}`.toLowerCase();
}

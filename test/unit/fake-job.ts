/**
 * Operations run in-process, in milliseconds: the step runs through run.ts with the Job createJob builds (its
 * outputs, summary, tracked operations and failure report are the real ones), only its Azure clients are fakes that
 * record what was asked and answer as the test scripted. The fakes implement the public surface of the real classes
 * (`Pick<T, keyof T>`: tsc fails when that surface changes) and keep their contracts: a backup writes its blob, the
 * catalog counts a blob as an instance's by the real ownership rule and lists newest first, a leased blob is not
 * deleted, and every storage refusal is explained as BackupCatalog explains it.
 */
import { PassThrough } from 'node:stream';
import { createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import type {
  ApimInstance,
  ApimOperationKind,
  BackupLocation,
  InstanceFacts,
  OperationStatus,
  WaitOptions,
} from '../../src/core/azure/apim';
import type { ArmResources } from '../../src/core/azure/arm-resources';
import {
  Backup,
  ListedBlob,
  newestFirst,
  ownership,
  Provenance,
  toBackup,
} from '../../src/core/azure/backup-entry';
import type { BackupCatalog, DeleteOutcome, Listing } from '../../src/core/azure/backups';
import { blobUrl } from '../../src/core/azure/blob-url';
import type { Deadline } from '../../src/core/base/deadline';
import type { FoundInstance } from '../../src/core/azure/instances';
import type { CommonConfig, Instance, RunContext, StorageLocation } from '../../src/core/inputs/config';
import type { OutputName } from '../../src/core/inputs/outputs';
import { parseJob } from '../../src/core/parse';
import {
  inputDefinition,
  InputKey,
  OperationName,
  Platform,
  RawInputs,
  usedBy,
} from '../../src/core/inputs/table';
import { isFleet } from '../../src/core/inputs/selection';
import * as jobModule from '../../src/core/job';
import { Network } from '../../src/core/net/network';
import type { Job } from '../../src/core/operations/operation';
import type { Host, Logger } from '../../src/core/ports';
import { explainStorageError, StorageNeed } from '../../src/core/report/errors';
import { SecretRegistry } from '../../src/core/report/secrets';
import { runJob, RunResult } from '../../src/core/run';
import { connectionOf, PROFILES } from './platforms';

export const SUBSCRIPTION = '0b5c3a8e-1f2d-4c6b-9a7e-2d3f4a5b6c7d';
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const CLIENT = '11111111-2222-3333-4444-555555555555';
export const DAY_MS = 86_400_000;
const TEMP_DIR = '/runner/temp';

/** Inputs every step here starts from, where its operation reads them; pre-flight is off (it has tests of its own). */
const BASE: Record<Platform, RawInputs> = {
  github: {
    tenantId: TENANT,
    clientId: CLIENT,
    clientSecret: 'fake-client-secret-value',
    subscriptionId: SUBSCRIPTION,
    resourceGroup: 'rg-apim',
    storageAccount: 'stbackups',
    container: 'apim-backups',
    preflight: 'false',
  },
  // The sign-in comes from a workload-identity service connection (FakeStep's context).
  azureDevOps: {
    serviceConnection: 'prod',
    subscriptionId: SUBSCRIPTION,
    resourceGroup: 'rg-apim',
    storageAccount: 'stbackups',
    container: 'apim-backups',
    preflight: 'false',
  },
};

/** BASE, less what the operation does not read: a user would be warned of those. */
function baseInputs(platform: Platform, raw: RawInputs): RawInputs {
  const operation = (raw.operation ?? '') as OperationName;
  const fleet = isFleet(raw.serviceName);
  return Object.fromEntries(
    Object.entries(BASE[platform]).filter(([key]) =>
      usedBy(inputDefinition(key as InputKey), operation, fleet),
    ),
  );
}

/** A failure the fakes throw: an error, or one made from the fake Azure (e.g. one that needs the step's network). */
export type Failure = Error | ((azure: FakeAzure) => Error | Promise<Error>);

/** How one backup or restore of an instance goes; by default it is accepted and succeeds. */
export interface OperationScript {
  /** Azure refuses the start (the POST): nothing runs. */
  refuse?: Failure;
  /** Azure accepts it, and it ends failed (the status answers Failed). */
  fail?: Failure;
  /** Azure answers 200 to the start: done, with no operation to follow. */
  atOnce?: boolean;
  /** It runs until the step's deadline ends it (timeout or cancel). */
  hang?: boolean;
}

export interface ApimScript {
  tier?: string;
  location?: string;
  /** Reading the instance fails. */
  readFails?: Failure;
  backup?: OperationScript;
  restore?: OperationScript;
}

interface RunningOperation {
  kind: ApimOperationKind;
  location: BackupLocation;
  script: OperationScript;
}

/** An API Management instance: backups and restores are recorded and end as scripted. */
export class FakeApim implements Pick<ApimInstance, keyof ApimInstance> {
  readonly label: string;
  /** Every backup and restore started, in order. */
  readonly started: { kind: ApimOperationKind; location: BackupLocation }[] = [];
  private readonly running = new Map<string, RunningOperation>();

  constructor(
    readonly instance: Instance,
    private readonly azure: FakeAzure,
    private readonly script: ApimScript,
  ) {
    this.label = `API Management instance '${instance.serviceName}'`;
  }

  get facts(): InstanceFacts {
    const { subscriptionId, resourceGroup, serviceName } = this.instance;
    return {
      tier: this.script.tier ?? 'Developer',
      location: this.script.location ?? 'westeurope',
      id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ApiManagement/service/${serviceName}`,
      identity: {
        type: 'SystemAssigned',
        principalId: 'aaaaaaaa-0000-0000-0000-000000000001',
        userAssigned: [],
      },
      network: { publicIPAddresses: ['20.0.0.1'], virtualNetworkType: 'None' },
    };
  }

  async read(): Promise<InstanceFacts> {
    if (this.script.readFails) throw await this.azure.failure(this.script.readFails);
    return this.facts;
  }

  inspect(): Promise<InstanceFacts> {
    return this.read();
  }

  readWhenIdle(): Promise<InstanceFacts> {
    return this.read();
  }

  async start(
    kind: ApimOperationKind,
    location: BackupLocation,
  ): Promise<{ operationUrl?: string; retryAfterMs?: number; done?: boolean }> {
    const script = this.script[kind] ?? {};
    this.started.push({ kind, location });
    this.azure.actions.push(
      `${kind} ${this.instance.serviceName} ${kind === 'backup' ? 'to' : 'from'} ${location.backupName}`,
    );
    if (script.refuse) throw await this.azure.failure(script.refuse);
    if (script.atOnce) {
      this.end({ kind, location, script });
      return { done: true };
    }
    const url = `${this.azure.config.cloud.resourceManagerEndpoint}${this.facts.id}/operationresults/${kind}-${this.azure.actions.length}?api-version=2024-05-01`;
    this.running.set(url, { kind, location, script });
    return { operationUrl: url, retryAfterMs: 1_000 };
  }

  async waitFor(url: string, options: WaitOptions): Promise<OperationStatus> {
    const operation = this.running.get(url);
    if (!operation) throw new Error(`FakeApim: no operation was started at ${url}`);
    if (operation.script.hang) {
      // As the real wait does: only the deadline (timeout or cancel) ends it.
      await this.azure.deadline.delay(
        2_000_000_000,
        `waiting for the ${options.label.toLowerCase()} to finish`,
      );
    }
    if (options.once) {
      options.onStatus?.('InProgress');
      return 'InProgress';
    }
    this.running.delete(url);
    if (operation.script.fail) {
      options.onStatus?.('Failed');
      throw await this.azure.failure(operation.script.fail);
    }
    this.end(operation);
    options.onStatus?.('Succeeded');
    return 'Succeeded';
  }

  waitUntilNotUpdating(): Promise<void> {
    return Promise.reject(new Error('FakeApim: waitUntilNotUpdating is not scripted'));
  }

  /** A backup writes its blob, unstamped, where it was told to. */
  private end({ kind, location }: RunningOperation): void {
    const storage = this.azure.catalog.location;
    if (
      kind === 'backup' &&
      location.storageAccount === storage.account &&
      location.container === storage.container
    ) {
      this.azure.catalog.put(location.backupName, { ageMs: 0, sizeBytes: 4_096 });
    }
  }
}

export interface StoredBlob {
  name: string;
  metadata: Record<string, string>;
  createdOn: Date;
  sizeBytes: number;
  leased: boolean;
}

export interface BlobSpec {
  /** Age at the time of the call, in days (or ageMs). */
  ageDays?: number;
  ageMs?: number;
  metadata?: Record<string, string>;
  sizeBytes?: number;
  leased?: boolean;
}

/** The storage container, in memory: what BackupCatalog makes of it. */
export class FakeCatalog implements Pick<BackupCatalog, keyof BackupCatalog> {
  readonly blobs = new Map<string, StoredBlob>();
  /** Names deleted, in order. */
  readonly deleted: string[] = [];
  readonly stamped: { name: string; provenance: Provenance }[] = [];
  readonly listed: string[] = [];
  /** Every request fails with this storage error, explained as the real catalog explains it. */
  refusal?: unknown;
  /** Deleting these fails with the error. */
  readonly deleteFailures = new Map<string, unknown>();
  /** Runs after each listing: e.g. something takes a lease between prune's listing and its deletions. */
  afterList?: () => void;

  constructor(
    readonly location: StorageLocation,
    private readonly azure: FakeAzure,
  ) {}

  put(name: string, spec: BlobSpec = {}): this {
    const ageMs = spec.ageMs ?? (spec.ageDays ?? 1) * DAY_MS;
    this.blobs.set(name, {
      name,
      metadata: spec.metadata ?? {},
      createdOn: new Date(Date.now() - ageMs),
      sizeBytes: spec.sizeBytes ?? 4_096,
      leased: spec.leased ?? false,
    });
    return this;
  }

  /** A blob stamped as the step stamps its backups: taken `ageDays` ago from an instance of `tier`. */
  putStamped(name: string, service: string, spec: BlobSpec & { tier?: string } = {}): this {
    const ageMs = spec.ageMs ?? (spec.ageDays ?? 1) * DAY_MS;
    return this.put(name, {
      ...spec,
      ageMs,
      metadata: {
        apimservice: service,
        apimsku: spec.tier ?? 'Developer',
        apimcreated: new Date(Date.now() - ageMs).toISOString(),
        ...spec.metadata,
      },
    });
  }

  async prepare(): Promise<void> {}

  url(name: string): string {
    return blobUrl(this.location, name);
  }

  async list(serviceName: string): Promise<Listing> {
    this.listed.push(serviceName);
    this.refuseIfTold('read');
    const backups: Backup[] = [];
    const unproven: string[] = [];
    for (const blob of this.blobs.values()) {
      const owner = ownership(blob.name, blob.metadata, serviceName);
      if (owner === 'own') backups.push(this.toBackup(blob));
      else if (owner === 'unproven') unproven.push(blob.name);
    }
    this.afterList?.();
    return {
      backups: backups.sort(newestFirst),
      unproven,
    };
  }

  async probe(): Promise<'ok' | 'no-container'> {
    this.refuseIfTold('read');
    return 'ok';
  }

  async get(name: string): Promise<Backup | undefined> {
    this.refuseIfTold('read');
    const blob = this.blobs.get(name);
    return blob && this.toBackup(blob);
  }

  async stamp(name: string, provenance: Provenance): Promise<void> {
    this.refuseIfTold('write');
    const blob = this.blobs.get(name);
    if (!blob) {
      throw this.explain(storageError(404, 'BlobNotFound', 'The specified blob does not exist.'), 'write');
    }
    // Set Blob Metadata replaces the whole set; empty values are left out.
    blob.metadata = Object.fromEntries(
      Object.entries(provenance).filter((entry): entry is [string, string] => !!entry[1]),
    );
    this.stamped.push({ name, provenance });
  }

  async delete(names: string[], onDeleted: (name: string) => void): Promise<DeleteOutcome> {
    const outcome: DeleteOutcome = { deleted: [], leased: [], failed: [] };
    for (const name of names) {
      const failure = this.refusal ?? this.deleteFailures.get(name);
      if (failure) {
        outcome.failed.push({ name, message: this.explain(failure, 'delete').message });
      } else if (this.blobs.get(name)?.leased) {
        outcome.leased.push(name);
      } else {
        this.blobs.delete(name);
        this.deleted.push(name);
        outcome.deleted.push(name);
        onDeleted(name);
      }
    }
    return outcome;
  }

  private toBackup(blob: StoredBlob): Backup {
    const listed: ListedBlob = {
      name: blob.name,
      metadata: blob.metadata,
      properties: {
        createdOn: blob.createdOn,
        lastModified: blob.createdOn,
        contentLength: blob.sizeBytes,
        leaseState: blob.leased ? 'leased' : 'available',
      },
    };
    return toBackup(listed, this.url(blob.name), Date.now());
  }

  private refuseIfTold(need: StorageNeed): void {
    if (this.refusal) throw this.explain(this.refusal, need);
  }

  private explain(error: unknown, need: StorageNeed): Error {
    const { config, job } = this.azure;
    return explainStorageError(error, {
      location: this.location,
      identity: config.storage.sharedKey ? 'the storage key' : job.signedInAs,
      need,
      network: this.azure.network,
    });
  }
}

/** An error answer of Blob Storage, as @azure/storage-blob throws it. */
export function storageError(statusCode: number, code: string, message: string): RestError {
  return new RestError(message, { code, statusCode });
}

/**
 * A request that never reached `url`'s host, as the step's Network sees one: it records why the connection failed
 * (its own code, given a socket that fails as a DNS lookup would: no name is looked up), and the SDK's error names
 * the request and carries no answer.
 */
export function unreachable(url: string, code = 'ENOTFOUND'): Failure {
  return async (azure) => {
    const { hostname, port } = new URL(url);
    const message = `getaddrinfo ${code} ${hostname}`;
    await new Promise<void>((resolve) => {
      azure.network.connect(
        { host: hostname, port: Number(port) || 443 },
        true,
        () => {
          const socket = new PassThrough();
          setImmediate(() => {
            socket.emit('error', Object.assign(new Error(message), { code }));
            resolve();
          });
          return socket;
        },
        () => undefined,
      );
    });
    return new RestError(message, { code, request: createPipelineRequest({ url }) });
  };
}

/**
 * Azure as one step sees it: the instances (each scripted), the storage container, and the instances a fleet finds.
 * The step's network, deadline and job are known once run.ts has built the job.
 */
export class FakeAzure {
  readonly catalog: FakeCatalog;
  /** What the step did in Azure, in order: "backup apim-prod to x.apimbackup", "restore apim-prod from x". */
  readonly actions: string[] = [];
  /** What job.instances() finds. */
  instances: FoundInstance[] = [];
  /** For the pre-flight checks, when a test turns them on. */
  arm?: ArmResources;
  private readonly scripts = new Map<string, ApimScript>();
  private readonly apims = new Map<string, FakeApim>();
  private bound?: { job: Job; network: Network; deadline: Deadline };

  constructor(readonly config: CommonConfig) {
    this.catalog = new FakeCatalog(config.storage, this);
  }

  /** Scripts how an instance answers (before the run). */
  instance(serviceName: string, script: ApimScript): this {
    this.scripts.set(serviceName.toLowerCase(), script);
    return this;
  }

  /** The backups and restores started on an instance (after the run). */
  started(serviceName: string): { kind: ApimOperationKind; location: BackupLocation }[] {
    return this.apims.get(serviceName.toLowerCase())?.started ?? [];
  }

  get job(): Job {
    return this.binding().job;
  }

  get network(): Network {
    return this.binding().network;
  }

  get deadline(): Deadline {
    return this.binding().deadline;
  }

  async failure(failure: Failure): Promise<Error> {
    return typeof failure === 'function' ? failure(this) : failure;
  }

  /** The Job run.ts built, with its Azure clients replaced by these fakes and its files kept in memory. */
  fake(job: Job, network: Network, files: Map<string, unknown>): Job {
    this.bound = { job, network, deadline: job.deadline };
    job.apim = (instance) => {
      const key = instance.serviceName.toLowerCase();
      let apim = this.apims.get(key);
      if (!apim) {
        apim = new FakeApim(instance, this, this.scripts.get(key) ?? {});
        this.apims.set(key, apim);
      }
      const surface: Pick<ApimInstance, keyof ApimInstance> = apim;
      return Promise.resolve(surface as ApimInstance);
    };
    job.catalog = () => {
      const surface: Pick<BackupCatalog, keyof BackupCatalog> = this.catalog;
      return Promise.resolve(surface as BackupCatalog);
    };
    job.instances = () => Promise.resolve(this.instances);
    job.arm = () =>
      this.arm
        ? Promise.resolve(this.arm)
        : Promise.reject(new Error('FakeAzure: no ArmResources given (the inputs here turn preflight off)'));
    job.saveJson = (stem, value) => {
      const path = `${TEMP_DIR}/${stem}-${files.size + 1}.json`;
      files.set(path, JSON.parse(JSON.stringify(value)));
      return Promise.resolve(path);
    };
    return job;
  }

  private binding() {
    if (!this.bound) throw new Error('FakeAzure: the step has not built its job yet');
    return this.bound;
  }
}

export type LogLevel = 'info' | 'warning' | 'debug';

/** The runner: log lines, outputs and summaries as the adapter would be handed them (already redacted). */
export class RecordingHost implements Host {
  readonly lines: { level: LogLevel; message: string }[] = [];
  readonly outputs: Partial<Record<OutputName, string>> = {};
  readonly summaries: string[] = [];
  readonly cancel = new AbortController();
  readonly cancelSignal = this.cancel.signal;
  /** Called after each line and output: a test may cancel the step at a moment it chooses. */
  onEvent?: () => void;
  readonly log: Logger = {
    info: (message) => this.record('info', message),
    warning: (message) => this.record('warning', message),
    debug: (message) => this.record('debug', message),
    debugEnabled: false,
  };

  setOutput(name: OutputName, value: string): void {
    this.outputs[name] = value;
    this.onEvent?.();
  }

  private record(level: LogLevel, message: string): void {
    this.lines.push({ level, message });
    this.onEvent?.();
  }

  writeSummary(markdown: string): Promise<void> {
    this.summaries.push(markdown);
    return Promise.resolve();
  }

  /** The lines of one level (info and warning by default: what the log shows without debug). */
  text(...levels: LogLevel[]): string {
    const shown = levels.length > 0 ? levels : ['info', 'warning'];
    return this.lines
      .filter((line) => shown.includes(line.level))
      .map((line) => line.message)
      .join('\n');
  }

  warnings(): string[] {
    return this.lines.filter((line) => line.level === 'warning').map((line) => line.message);
  }
}

export interface StepRun {
  result: RunResult;
  /** The failure message as the adapter prints it ('' on success). */
  message: string;
  host: RecordingHost;
  /** The Job the operation ran with: its summary rows, what it tracked. */
  job: Job;
  /** The JSON files the step left for later steps, by path. */
  files: Map<string, unknown>;
}

/**
 * One step: inputs as a user writes them (on top of BASE), parsed by parseJob into the configuration run.ts will
 * build again; `azure` is scripted before `run()` and inspected after.
 */
export class FakeStep {
  readonly raw: RawInputs;
  readonly context: RunContext;
  readonly config: CommonConfig;
  readonly azure: FakeAzure;
  readonly host = new RecordingHost();

  constructor(raw: RawInputs, platform: Platform = 'github') {
    this.raw = { ...baseInputs(platform, raw), ...raw };
    const connection = this.raw.serviceConnection;
    this.context = {
      profile: PROFILES[platform],
      connection: connection
        ? connectionOf(
            'oidc',
            { tenantId: TENANT, clientId: CLIENT },
            'WorkloadIdentityFederation',
            connection,
          )
        : undefined,
      now: new Date(),
      runId: '42',
      runUrl: 'https://github.com/contoso/apim/actions/runs/42',
      commit: '0123456789abcdef0123456789abcdef01234567',
      idTokenAvailable: platform === 'azureDevOps',
      tempDir: TEMP_DIR,
    };
    this.config = parseJob(this.raw, this.context).config;
    this.azure = new FakeAzure(this.config);
  }

  /** Runs the step as an adapter does (run.ts), its job's Azure clients the fakes. */
  async run(options: { cancelWhen?: (host: RecordingHost) => boolean } = {}): Promise<StepRun> {
    const files = new Map<string, unknown>();
    const realCreateJob = jobModule.createJob;
    const spy = jest.spyOn(jobModule, 'createJob').mockImplementation((...args) => {
      // The step's network is found by its class, so the fake does not depend on createJob's parameter order.
      const network = args.find((arg): arg is Network => arg instanceof Network);
      if (!network) throw new Error('FakeStep: createJob was given no Network');
      return this.azure.fake(realCreateJob(...args), network, files);
    });
    const { cancelWhen } = options;
    if (cancelWhen) {
      this.host.onEvent = () => {
        if (!this.host.cancelSignal.aborted && cancelWhen(this.host)) this.host.cancel.abort();
      };
    }
    try {
      const secrets = new SecretRegistry(() => undefined);
      const result = await runJob(this.raw, this.context, this.host, secrets);
      return {
        result,
        message: result.succeeded ? '' : result.message,
        host: this.host,
        job: this.azure.job,
        files,
      };
    } finally {
      spy.mockRestore();
    }
  }
}

/** The lines of a message after "Done:" up to the next section, without their bullets. */
export function doneLines(message: string): string[] {
  const lines = message.split('\n');
  const start = lines.indexOf('Done:');
  if (start < 0) return [];
  const done: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('  - ')) break;
    done.push(line.slice(4));
  }
  return done;
}

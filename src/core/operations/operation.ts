/**
 * What an operation is: the configuration parts it needs (validated before any sign-in) and what it does with
 * them. run.ts knows nothing of any single operation; operations/index.ts lists them.
 */
import type { ApimInstance } from '../azure/apim';
import type { ArmResources } from '../azure/arm-resources';
import type { BackupCatalog } from '../azure/backups';
import type { FoundInstance } from '../azure/instances';
import type { Deadline } from '../base/deadline';
import type { ConfigBuilder } from '../inputs/builder';
import type { CommonConfig, Instance, RunContext } from '../inputs/config';
import type { FleetScope } from '../inputs/selection';
import type { OperationName } from '../inputs/table';
import type { Logger, OutputName } from '../ports';

/** What a running operation may use; Azure clients are created (and the SDKs loaded) on first use. */
export interface Job {
  log: Logger;
  context: RunContext;
  deadline: Deadline;
  setOutput(name: OutputName, value: string): void;
  /**
   * Writes `value` as JSON to a new file in the runner's temp folder, for later steps of the job to read; returns
   * its path. The name starts with `stem` and is unique to this step run, so two steps never write the same file.
   */
  saveJson(stem: string, value: unknown): Promise<string>;
  /** Rows and sections of the job summary. */
  summary: { rows: [string, string][]; sections: string[] };
  /**
   * Remembers a started operation's status URL, reported on failure, timeout or cancel while it runs; the
   * operation-url output is set at once (to the last one started). `summary: false` leaves out its summary row
   * (a fleet reports its instances in a table of its own).
   */
  trackOperation(label: string, url: string, options?: { summary?: boolean }): void;
  /** Azure named a running operation's status at a new URL: outputs, summary and messages give that one. */
  operationMoved(from: string, to: string): void;
  operationFinished(url: string): void;
  /** Operations started in Azure that have not finished. */
  readonly running: { label: string; url: string }[];
  /** The last of them, the one to resume with operation: status. */
  readonly operationUrl: string | undefined;
  /** What is done so far, told with any failure: "Backup of 'x' to 'y' finished". */
  readonly done: string[];
  /** How to undo what the step did, told with any failure once set (the restore of a safety backup). */
  recovery?: string;
  /** Set once the storage refused the step where reading it is optional: later optional uses skip quietly. */
  storageRefused?: string;
  /** `log`: where its lines go (a fleet's instance prefixes them with its name); default the step's log. */
  apim(instance: Instance, log?: Logger): Promise<ApimInstance>;
  /** The backups in storage; one client for the run, created on first use. */
  catalog(): Promise<BackupCatalog>;
  /** The API Management instances of a subscription or resource group, every page. */
  instances(scope: FleetScope): Promise<FoundInstance[]>;
  /** The Resource Manager reads of the pre-flight checks (one client for the run). */
  arm(): Promise<ArmResources>;
  /** Who the step signs in as, for messages: "app '…'". */
  readonly signedInAs: string;
}

export interface Operation<C extends CommonConfig> {
  name: OperationName;
  /** Reads or changes the instance through Azure Resource Manager, so it always needs a sign-in. */
  usesInstance: boolean;
  /** Waits for Azure, polling every poll-interval: only such an operation reads that input. */
  polls: boolean;
  /** Builds the operation's configuration from the common parts and its own inputs. */
  configure(builder: ConfigBuilder, common: CommonConfig): C;
  /** Summary heading, e.g. "APIM backup". */
  title(config: C): string;
  /** What failed, for error messages: "Backup of API Management instance 'x'". */
  action(config: C): string;
  /** The first log line: what is about to happen. */
  describe(config: C): string;
  run(config: C, job: Job): Promise<void>;
}

/** What run.ts needs of an operation once its configuration is built (a fleet's is built by parseJob). */
export type RunnableOperation<C extends CommonConfig> = Omit<Operation<C>, 'configure'>;

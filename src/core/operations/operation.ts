/**
 * What an operation is: the configuration parts it needs (validated before any sign-in) and what it does with
 * them. run.ts knows nothing of any single operation; operations/index.ts lists them.
 */
import type { ApimInstance } from '../azure/apim';
import type { BackupCatalog } from '../azure/backups';
import type { Deadline } from '../azure/deadline';
import type { ConfigBuilder } from '../inputs/builder';
import type { CommonConfig, Instance, RunContext } from '../inputs/config';
import type { OperationName } from '../inputs/table';
import type { Logger, OutputName } from '../ports';

/** What a running operation may use; Azure clients are created (and the SDKs loaded) on first use. */
export interface Job {
  log: Logger;
  context: RunContext;
  deadline: Deadline;
  setOutput(name: OutputName, value: string): void;
  /** Rows and sections of the job summary. */
  summary: { rows: [string, string][]; sections: string[] };
  /**
   * Remembers a started operation's status URL, reported on failure, timeout or cancel while it runs; the
   * operation-url output is set at once (to the last one started).
   */
  trackOperation(label: string, url: string): void;
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
  apim(instance: Instance): Promise<ApimInstance>;
  /** The backups in storage; one client for the run, created on first use. */
  catalog(): Promise<BackupCatalog>;
}

export interface Operation<C extends CommonConfig> {
  name: OperationName;
  /** Reads or changes the instance through Azure Resource Manager, so it always needs a sign-in. */
  usesInstance: boolean;
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

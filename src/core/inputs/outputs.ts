/** The one definition of every output and its name on each platform; the manifests are generated from it. */
import type { OperationName } from './table';

export interface OutputDefinition {
  /** Undefined when GitHub has no such output. */
  github?: string;
  azureDevOps: string;
  description: string;
  /** The operations that set it. */
  operations: readonly OperationName[];
}

export const OUTPUTS = [
  {
    key: 'backupName',
    github: 'backup-name',
    azureDevOps: 'backupName',
    description:
      'The blob backed up to or restored from (for `latest` and verify: the one chosen; for copy: the new backup of the source).',
    operations: ['backup', 'restore', 'copy', 'verify'],
  },
  {
    key: 'backupUrl',
    github: 'backup-url',
    azureDevOps: 'backupUrl',
    description: 'URL of that blob, in the storage domain of the chosen cloud (or under blob-endpoint).',
    operations: ['backup', 'restore', 'copy', 'verify'],
  },
  {
    key: 'backupAgeSeconds',
    github: 'backup-age-seconds',
    azureDevOps: 'backupAgeSeconds',
    description: 'restore `latest` and verify: age of the backup chosen, in whole seconds.',
    operations: ['restore', 'verify'],
  },
  {
    key: 'durationSeconds',
    github: 'duration-seconds',
    azureDevOps: 'durationSeconds',
    description:
      'How long the operation took, in whole seconds (status: how long the step waited for it to end).',
    operations: ['backup', 'restore', 'copy', 'status'],
  },
  {
    key: 'operationUrl',
    github: 'operation-url',
    azureDevOps: 'operationUrl',
    description:
      'The Azure Resource Manager operation-status URL (for restore and copy: of the restore); set as soon as the operation starts, also on timeout and cancel (give it to operation: status to wait for it later).',
    operations: ['backup', 'restore', 'copy', 'status'],
  },
  {
    key: 'safetyBackupName',
    github: 'safety-backup-name',
    azureDevOps: 'safetyBackupName',
    description: 'restore and copy: the safety backup of the target, taken before it was overwritten.',
    operations: ['restore', 'copy'],
  },
  {
    key: 'safetyBackupUrl',
    github: 'safety-backup-url',
    azureDevOps: 'safetyBackupUrl',
    description: 'restore and copy: URL of the safety backup.',
    operations: ['restore', 'copy'],
  },
  {
    key: 'backups',
    github: 'backups',
    azureDevOps: 'backups',
    description:
      'list: the newest backups as a JSON array, newest first (`name`, `url`, `createdOn`, `expiresOn`, `sizeBytes`, `sku`, `service`, `expired`): at most list-limit of them, and no more than fit in 32 KiB; the log says when the list was cut.',
    operations: ['list'],
  },
  {
    key: 'backupCount',
    github: 'backup-count',
    azureDevOps: 'backupCount',
    description: 'list: how many backups there are (all of them, however many the list output holds).',
    operations: ['list'],
  },
  {
    key: 'backupsFile',
    github: 'backups-file',
    azureDevOps: 'backupsFile',
    description:
      'list: path of a JSON file in the runner’s temp folder (`RUNNER_TEMP`, `Agent.TempDirectory`) holding every backup, in the format of `backups`, for a later step of the job to read.',
    operations: ['list'],
  },
  {
    key: 'deleted',
    github: 'deleted',
    azureDevOps: 'deleted',
    description:
      'prune: the names deleted (with dry-run: that would be deleted) as a JSON array, newest first: at most list-limit of them, and no more than fit in 32 KiB.',
    operations: ['prune'],
  },
  {
    key: 'deletedCount',
    github: 'deleted-count',
    azureDevOps: 'deletedCount',
    description: 'prune: how many backups were deleted (with dry-run: would be).',
    operations: ['prune'],
  },
  {
    key: 'deletedFile',
    github: 'deleted-file',
    azureDevOps: 'deletedFile',
    description:
      'prune: path of a JSON file in the runner’s temp folder (`RUNNER_TEMP`, `Agent.TempDirectory`) holding every name of `deleted`, for a later step of the job to read.',
    operations: ['prune'],
  },
  {
    key: 'keptCount',
    github: 'kept-count',
    azureDevOps: 'keptCount',
    description: 'prune: how many backups are kept.',
    operations: ['prune'],
  },
  {
    key: 'operationStatus',
    github: 'operation-status',
    azureDevOps: 'operationStatus',
    description:
      'backup, restore, copy, status: `InProgress`, `Succeeded` or `Failed`, as the operation status last said (for copy: of its last operation, the restore when all went well).',
    operations: ['backup', 'restore', 'copy', 'status'],
  },
  {
    key: 'results',
    github: 'results',
    azureDevOps: 'results',
    description:
      'With several instances in service-name: one entry per instance as a JSON array (`service`, `resourceGroup`, `subscription`, `status` — `succeeded`, `failed` or `skipped` —, `backupName` and `backupUrl` where there is one, `durationSeconds`, `message`; `operationUrl` of an operation that may still be running).',
    operations: ['backup', 'verify', 'list', 'prune', 'check'],
  },
  {
    key: 'resultsFile',
    github: 'results-file',
    azureDevOps: 'resultsFile',
    description:
      'With several instances in service-name: path of a JSON file in the runner’s temp folder holding every entry of `results` (the output holds as many as fit in 32 KiB).',
    operations: ['backup', 'verify', 'list', 'prune', 'check'],
  },
  {
    key: 'instances',
    github: 'instances',
    azureDevOps: 'instances',
    description:
      'discover: the instances that can be backed up, as a JSON array keyed by this step’s own input names (service name, resource group, subscription; also `tier` and `location`): on GitHub, `strategy.matrix.include` with `fromJSON`.',
    operations: ['discover'],
  },
  {
    key: 'instanceCount',
    github: 'instance-count',
    azureDevOps: 'instanceCount',
    description: 'discover: how many instances `instances` holds.',
    operations: ['discover'],
  },
  {
    key: 'instancesFile',
    github: 'instances-file',
    azureDevOps: 'instancesFile',
    description:
      'discover: path of a JSON file in the runner’s temp folder holding the same array as `instances`, for a later step to read.',
    operations: ['discover'],
  },
  {
    key: 'instancesMatrix',
    azureDevOps: 'instancesMatrix',
    description:
      'discover, Azure DevOps: the same instances as the object `strategy: matrix` expects (a job name per instance, its variables the input names).',
    operations: ['discover'],
  },
  {
    key: 'findings',
    github: 'findings',
    azureDevOps: 'findings',
    description:
      'check: every check as a JSON array (`check`, `severity` `error`, `warning`, `ok` or `skipped`, `message`, and `instance` and `fix` where they apply).',
    operations: ['check'],
  },
] as const satisfies readonly (OutputDefinition & { key: string })[];

export type OutputName = (typeof OUTPUTS)[number]['key'];

/** An output's definition: its name in each system's column, where it has one. */
export function outputDefinition(key: OutputName): OutputDefinition & { key: OutputName } {
  return (OUTPUTS as readonly (OutputDefinition & { key: OutputName })[]).find(
    (output) => output.key === key,
  )!;
}

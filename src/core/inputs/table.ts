/**
 * The one definition of every input: its name on each platform, its default, which operations use it, whether it
 * is a secret and where it shows in the Azure DevOps editor. action.yml and task.json are generated from this table
 * (scripts/manifests.ts) and checked against it, as is the README; the operation and option unions derive from it.
 */

export const OPERATIONS = [
  'backup',
  'restore',
  'copy',
  'list',
  'verify',
  'prune',
  'status',
  'discover',
  'check',
] as const;
export type OperationName = (typeof OPERATIONS)[number];

/**
 * Operations that take several instances in service-name (a list or a pattern) and run each as a single run
 * would. An operation added here runs per instance with everything its own run does (a pre-flight check inside
 * its run included); restore and copy keep one target.
 */
export const FLEET_OPERATIONS = [
  'backup',
  'verify',
  'list',
  'prune',
  'check',
] as const satisfies readonly OperationName[];
export type FleetOperationName = (typeof FLEET_OPERATIONS)[number];

export const STORAGE_ACCESS = [
  'auto',
  'access-key',
  'system-assigned-identity',
  'user-assigned-identity',
] as const;
export const ENVIRONMENTS = ['AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud'] as const;
export const GITHUB_AUTH_METHODS = [
  'auto',
  'oidc',
  'client-secret',
  'managed-identity',
  'azure-cli',
] as const;

/** Blob name of a backup when backup-name is not given. */
export const DEFAULT_BACKUP_NAME = '{service}-{timestamp}.apimbackup';
/** Blob name of the safety backup taken before a restore or copy overwrites the target. */
export const DEFAULT_SAFETY_BACKUP_NAME = '{service}-pre-restore-{timestamp}.apimbackup';
/** backup-name value that makes a restore pick the newest usable backup. */
export const LATEST = 'latest';

/** Sections of the Azure DevOps task editor. */
export const GROUPS = {
  signIn: 'Sign-in',
  instance: 'API Management instance',
  storage: 'Backup storage',
  checks: 'Pre-flight checks',
  waiting: 'Waiting',
  retention: 'Age and retention',
  outputs: 'Outputs',
} as const;
export type Group = keyof typeof GROUPS;

export interface InputDefinition {
  /** Input name in action.yml; undefined when GitHub has no such input. */
  readonly github?: string;
  /** Input name in task.json; undefined when the Azure DevOps task takes it from the service connection. */
  readonly azureDevOps?: string;
  /** The alias users write in YAML (task.json `aliases`); used in messages. */
  readonly azureDevOpsAlias?: string;
  /** Label in the Azure DevOps task editor. */
  readonly label?: string;
  readonly description: string;
  /** Replaces the description in task.json where Azure DevOps differs (it must start with the same sentence). */
  readonly azureDevOpsDescription?: string;
  /** Default shared by both platforms ('' = none). */
  readonly default?: string;
  /** Allowed values, for pick lists and docs; validation also accepts REST spellings where noted. */
  readonly options?: readonly string[];
  readonly boolean?: boolean;
  /** Required by every operation that uses it. */
  readonly required?: boolean;
  /** The operations that read this input; all when undefined. */
  readonly operations?: readonly OperationName[];
  /** Operations that do not read this input although `operations` is undefined. */
  readonly notFor?: readonly OperationName[];
  /** Operations that read this input only when service-name names several instances (a list or a pattern). */
  readonly fleetOnly?: readonly OperationName[];
  /**
   * Operations that refuse this input when service-name names several instances, because it names one instance:
   * they read it only to say so.
   */
  readonly refusedWithSeveral?: readonly OperationName[];
  /** Operations that read this input without requiring it, although it is `required`. */
  readonly optionalFor?: readonly OperationName[];
  /** Masked the moment it is read; never logged. */
  readonly secret?: boolean;
  /** GitHub only: environment variable used when the input is empty. */
  readonly githubEnvFallback?: string;
  readonly group?: Group;
}

const INSTANCE_OPERATIONS = ['backup', 'restore', 'copy', 'verify', 'check'] as const;
/** Where the instances are: one instance's, or those a fleet or discover searches. */
const SCOPE_OPERATIONS = [...INSTANCE_OPERATIONS, 'discover'] as const;
/** list and prune read only storage, unless service-name names several instances: those are found in Azure. */
const CATALOG_FLEET_OPERATIONS = ['list', 'prune'] as const;
const APIM_STORAGE_OPERATIONS = ['backup', 'restore', 'copy'] as const;
/** Operations that wait for Azure: they poll its operation status and the instance. */
const POLLING_OPERATIONS = [...APIM_STORAGE_OPERATIONS, 'status'] as const;
/** How API Management reaches the storage, and where the account is: what the operations and check use. */
const APIM_ACCESS_OPERATIONS = ['backup', 'restore', 'copy', 'check'] as const;
const CATALOG_OPERATIONS = ['restore', 'copy', 'list', 'verify', 'prune', 'check'] as const;
const OVERWRITING_OPERATIONS = ['restore', 'copy'] as const;
/** Operations whose outputs hold a list, bounded by list-limit (report/bounded-output.ts). */
const LIST_OPERATIONS = ['list', 'prune'] as const;

export const INPUTS = [
  {
    key: 'operation',
    github: 'operation',
    azureDevOps: 'operation',
    label: 'Operation',
    description:
      'What to do: `backup`, `restore`, `copy` (back up one instance and restore it into another), `list` (the backups in storage), `verify` (a fresh backup exists), `prune` (delete old backups), `status` (wait for a backup or restore started earlier, by its operation-url) `check` (every pre-flight check and the step’s own access; nothing started, nothing written) or `discover` (list the instances, as data for a CI matrix).',
    options: OPERATIONS,
    required: true,
  },
  {
    key: 'auth',
    github: 'auth',
    description:
      'How to sign in: `auto` (client secret if given, else OIDC if client-id is given and the runner offers an ID token, else an earlier azure/login session, else managed identity), `oidc`, `client-secret`, `managed-identity` or `azure-cli`.',
    default: 'auto',
    options: GITHUB_AUTH_METHODS,
  },
  {
    key: 'tenantId',
    github: 'tenant-id',
    description: 'Microsoft Entra tenant (directory) ID. Default: env `AZURE_TENANT_ID`.',
    githubEnvFallback: 'AZURE_TENANT_ID',
  },
  {
    key: 'clientId',
    github: 'client-id',
    description:
      'Client ID of the app registration or user-assigned managed identity to sign in as. Default: env `AZURE_CLIENT_ID`.',
    githubEnvFallback: 'AZURE_CLIENT_ID',
  },
  {
    key: 'clientSecret',
    github: 'client-secret',
    description:
      'Client secret of the app registration. Leave empty to use OIDC (needs `permissions: id-token: write`).',
    secret: true,
  },
  {
    key: 'audience',
    github: 'audience',
    description: 'Audience of the GitHub ID token exchanged with Entra ID (OIDC).',
    default: 'api://AzureADTokenExchange',
  },
  {
    key: 'serviceConnection',
    azureDevOps: 'ConnectedServiceName',
    azureDevOpsAlias: 'azureSubscription',
    label: 'Azure Resource Manager connection',
    description:
      'Azure Resource Manager service connection (alias `azureSubscription`). Required, except for list and prune with a storage key.',
    group: 'signIn',
  },
  {
    key: 'subscriptionId',
    github: 'subscription-id',
    azureDevOps: 'subscriptionId',
    label: 'Subscription ID (override)',
    description:
      'Subscription of the API Management instance. Default: env `AZURE_SUBSCRIPTION_ID` on GitHub, the service connection’s subscription on Azure DevOps.',
    azureDevOpsDescription:
      'Subscription of the API Management instance. Default: the service connection’s subscription.',
    githubEnvFallback: 'AZURE_SUBSCRIPTION_ID',
    operations: SCOPE_OPERATIONS,
    fleetOnly: CATALOG_FLEET_OPERATIONS,
    group: 'signIn',
  },
  {
    key: 'resourceGroup',
    github: 'resource-group',
    azureDevOps: 'resourceGroupName',
    label: 'Resource group',
    description:
      'Resource group of the API Management instance: required for one instance (backup, restore, copy, verify, check). With several instances in service-name, and for discover: where to look; empty means the whole subscription.',
    operations: SCOPE_OPERATIONS,
    fleetOnly: CATALOG_FLEET_OPERATIONS,
    group: 'instance',
  },
  {
    key: 'serviceName',
    github: 'service-name',
    azureDevOps: 'serviceName',
    label: 'API Management instance',
    description:
      'Name of the API Management instance. backup, verify, list, prune and check also take several: a list (comma- or newline-separated) or a pattern with `*` (`*`, `apim-*-prod`), matched against the instances of resource-group, or of the subscription when it is empty; they then run side by side, each as a single run would. discover: which instances to list (default `*`).',
    required: true,
    optionalFor: ['discover'],
    group: 'instance',
    notFor: ['status'],
  },
  {
    key: 'sourceServiceName',
    github: 'source-service-name',
    azureDevOps: 'sourceServiceName',
    label: 'Backups of instance',
    description:
      'The instance whose backups are meant by restore `latest`, list, verify and prune (e.g. restore a standby from the primary’s backups); for copy, the instance copied from (required); for check, a copy’s source, checked too. Default: the service name.',
    operations: CATALOG_OPERATIONS,
    refusedWithSeveral: FLEET_OPERATIONS,
    group: 'instance',
  },
  {
    key: 'sourceResourceGroup',
    github: 'source-resource-group',
    azureDevOps: 'sourceResourceGroupName',
    label: 'Source resource group',
    description: 'copy and check: resource group of the source instance. Default: the resource group.',
    operations: ['copy', 'check'],
    group: 'instance',
  },
  {
    key: 'sourceSubscriptionId',
    github: 'source-subscription-id',
    azureDevOps: 'sourceSubscriptionId',
    label: 'Source subscription ID',
    description: 'copy and check: subscription of the source instance. Default: the subscription.',
    operations: ['copy', 'check'],
    group: 'instance',
  },
  {
    key: 'storageAccount',
    github: 'storage-account',
    azureDevOps: 'storageAccount',
    label: 'Storage account',
    description: 'Storage account that holds the backups.',
    required: true,
    group: 'storage',
    notFor: ['status', 'discover'],
  },
  {
    key: 'container',
    github: 'container',
    azureDevOps: 'containerName',
    label: 'Container',
    description: 'Blob container that holds the backups.',
    required: true,
    group: 'storage',
    notFor: ['status', 'discover'],
  },
  {
    key: 'backupName',
    github: 'backup-name',
    azureDevOps: 'backupName',
    label: 'Backup blob name',
    // No default in the manifests: the runners would pass it to a restore too, hiding a missing name.
    description:
      'Blob name. Default for a backup or copy: `{service}-{timestamp}.apimbackup` (for copy, of the source); required for a restore, where `latest` picks the newest usable backup. Placeholders: `{service}`, `{resource-group}`, `{date}`, `{time}`, `{timestamp}`, `{run-id}`.',
    operations: APIM_STORAGE_OPERATIONS,
    group: 'storage',
  },
  {
    key: 'safetyBackup',
    github: 'safety-backup',
    azureDevOps: 'safetyBackup',
    label: 'Safety backup first',
    description:
      'restore and copy: back up the target before it is overwritten; if that backup fails, nothing is restored.',
    default: 'true',
    boolean: true,
    operations: OVERWRITING_OPERATIONS,
    group: 'storage',
  },
  {
    key: 'safetyBackupName',
    github: 'safety-backup-name',
    azureDevOps: 'safetyBackupName',
    label: 'Safety backup blob name',
    description:
      'Blob name of the safety backup, with the placeholders of backup-name. Default: `{service}-pre-restore-{timestamp}.apimbackup`.',
    operations: OVERWRITING_OPERATIONS,
    group: 'storage',
  },
  {
    key: 'blobEndpoint',
    github: 'blob-endpoint',
    azureDevOps: 'blobEndpoint',
    label: 'Blob endpoint',
    description:
      'Blob service URL of the storage account, replacing `https://<account>.blob.<cloud suffix>`: private DNS, a custom cloud, or a local emulator such as Azurite.',
    group: 'storage',
    notFor: ['status', 'discover'],
  },
  {
    key: 'storageAccess',
    github: 'storage-access',
    azureDevOps: 'storageAccess',
    label: 'Storage access',
    description:
      'How API Management reaches the storage account: `auto` (access key if one is given, else the system-assigned identity), `access-key`, `system-assigned-identity` or `user-assigned-identity`.',
    default: 'auto',
    options: STORAGE_ACCESS,
    operations: APIM_ACCESS_OPERATIONS,
    group: 'storage',
  },
  {
    key: 'storageKey',
    github: 'storage-key',
    azureDevOps: 'storageKey',
    label: 'Storage account key',
    description:
      'Storage account access key: API Management uses it for `access-key` access, and the step reads and prunes the backups with it (else with the signed-in identity).',
    secret: true,
    group: 'storage',
    notFor: ['status', 'discover'],
  },
  {
    key: 'storageIdentityClientId',
    github: 'storage-identity-client-id',
    azureDevOps: 'storageIdentityClientId',
    label: 'Storage identity client ID',
    description:
      'Client ID of the user-assigned identity of the API Management instance, for `user-assigned-identity` access.',
    operations: APIM_ACCESS_OPERATIONS,
    group: 'storage',
  },
  {
    key: 'storageResourceGroup',
    github: 'storage-resource-group',
    azureDevOps: 'storageResourceGroup',
    label: 'Storage account resource group',
    description:
      'Resource group of the storage account, for the pre-flight checks. Default: the account is looked for in the instance’s subscription (first in its resource group).',
    operations: APIM_ACCESS_OPERATIONS,
    group: 'checks',
  },
  {
    key: 'storageSubscriptionId',
    github: 'storage-subscription-id',
    azureDevOps: 'storageSubscriptionId',
    label: 'Storage account subscription ID',
    description:
      'Subscription of the storage account, for the pre-flight checks, when it is not the instance’s. Default: the instance’s subscription.',
    operations: APIM_ACCESS_OPERATIONS,
    group: 'checks',
  },
  {
    key: 'preflight',
    github: 'preflight',
    azureDevOps: 'preflight',
    label: 'Pre-flight checks',
    description:
      'backup, restore, copy: `true` reads, before anything starts, what would make Azure fail the operation at its end (identity, workspace gateways, Shared Key, firewall, CORS, data role) and refuses a certain failure; `false` skips the checks (for an identity that may not read the storage account).',
    default: 'true',
    boolean: true,
    operations: APIM_STORAGE_OPERATIONS,
    group: 'checks',
  },
  {
    key: 'maxAge',
    github: 'max-age',
    azureDevOps: 'maxAge',
    label: 'Maximum backup age',
    description: 'verify: the newest backup must be younger than this: `26h`, `7d`, `90m`.',
    default: '24h',
    operations: ['verify'],
    group: 'retention',
  },
  {
    key: 'retentionDays',
    github: 'retention-days',
    azureDevOps: 'retentionDays',
    label: 'Retention (days)',
    description: 'prune: delete backups older than this many days.',
    default: '30',
    operations: ['prune'],
    group: 'retention',
  },
  {
    key: 'keepLast',
    github: 'keep-last',
    azureDevOps: 'keepLast',
    label: 'Always keep the newest',
    description: 'prune: always keep this many newest backups, whatever their age (at least 1).',
    default: '1',
    operations: ['prune'],
    group: 'retention',
  },
  {
    key: 'dryRun',
    github: 'dry-run',
    azureDevOps: 'dryRun',
    label: 'Dry run',
    description: 'prune: `true` reports what would be deleted and deletes nothing.',
    default: 'false',
    boolean: true,
    operations: ['prune'],
    group: 'retention',
  },
  {
    key: 'listLimit',
    github: 'list-limit',
    azureDevOps: 'listLimit',
    label: 'Entries in a list output',
    description:
      'list and prune: at most this many entries, newest first, in the `backups` / `deleted` output (1 to 1000; fewer when more would not fit in 32 KiB). Every entry is in the file named by `backups-file` / `deleted-file`.',
    azureDevOpsDescription:
      'list and prune: at most this many entries, newest first, in the `backups` / `deleted` output (1 to 1000; fewer when more would not fit in 32 KiB). Every entry is in the file named by `backupsFile` / `deletedFile`.',
    default: '100',
    operations: LIST_OPERATIONS,
    group: 'outputs',
  },
  {
    key: 'timeout',
    github: 'timeout',
    azureDevOps: 'timeout',
    label: 'Timeout',
    description:
      'How long the step may take: `90s`, `45m`, `1h30m`, `1d`, or a bare number of minutes (1s to 24h).',
    default: '60m',
    group: 'waiting',
  },
  {
    key: 'pollInterval',
    github: 'poll-interval',
    azureDevOps: 'pollInterval',
    label: 'Poll interval',
    description:
      'How often to ask Azure for progress when it does not say (`Retry-After`), and to read the instance while a longer `Retry-After` runs, so the end is seen within one interval: `5s`, `1m`, or a bare number of seconds.',
    default: '5s',
    operations: POLLING_OPERATIONS,
    group: 'waiting',
  },
  {
    key: 'environment',
    github: 'environment',
    description: 'Azure cloud: `AzureCloud`, `AzureUSGovernment` or `AzureChinaCloud`.',
    default: 'AzureCloud',
    options: ENVIRONMENTS,
  },
  {
    key: 'resourceManagerEndpoint',
    github: 'resource-manager-endpoint',
    description: 'Replaces the cloud’s Azure Resource Manager URL (custom cloud or a local emulator).',
  },
  {
    key: 'authorityHost',
    github: 'authority-host',
    description: 'Replaces the cloud’s Microsoft Entra authority host (custom cloud or a local emulator).',
  },
  {
    key: 'wait',
    github: 'wait',
    azureDevOps: 'wait',
    label: 'Wait for the operation',
    description:
      'backup, restore, status: `true` waits for the operation to end; `false` starts it (or, for status, checks it once), sets operation-url and succeeds at once.',
    default: 'true',
    boolean: true,
    operations: ['backup', 'restore', 'status'],
    group: 'waiting',
  },
  {
    key: 'operationUrl',
    github: 'operation-url',
    azureDevOps: 'operationUrl',
    label: 'Operation URL',
    description:
      'status: the operation-url output of the step that started the backup or restore (an https URL on the Resource Manager host).',
    required: true,
    operations: ['status'],
    group: 'waiting',
  },
  {
    key: 'maxParallel',
    github: 'max-parallel',
    azureDevOps: 'maxParallel',
    label: 'Instances at once',
    description:
      'With several instances in service-name: how many run at the same time (1 to 20), all within the one timeout.',
    default: '5',
    operations: [],
    fleetOnly: FLEET_OPERATIONS,
    group: 'instance',
  },
  {
    key: 'instanceTags',
    github: 'instance-tags',
    azureDevOps: 'instanceTags',
    label: 'Instance tags',
    description:
      'Only instances carrying all these Azure tags, compared without regard to case: `env=prod,team=payments` (a name alone: the tag with any value). For discover, and with a pattern in service-name.',
    operations: ['discover'],
    fleetOnly: FLEET_OPERATIONS,
    group: 'instance',
  },
] as const satisfies readonly (InputDefinition & { key: string })[];

export type InputKey = (typeof INPUTS)[number]['key'];
export type Input = InputDefinition & { key: InputKey };
export type RawInputs = Partial<Record<InputKey, string>>;
/** A column of the tables: the system an input or output is named for (the adapters' profiles read their own). */
export type Platform = 'github' | 'azureDevOps';

const BY_KEY = new Map<InputKey, Input>(INPUTS.map((input) => [input.key, input]));

export function inputDefinition(key: InputKey): Input {
  return BY_KEY.get(key)!;
}

/** Inputs of one platform, in table order. */
export function inputsOf(platform: Platform): Input[] {
  return (INPUTS as readonly Input[]).filter((input) => input[platform] !== undefined);
}

/** Whether `operation` reads the input; `fleet`: when service-name names several instances. */
export function usedBy(input: Input, operation: OperationName, fleet = false): boolean {
  if (input.notFor?.includes(operation)) return false;
  if (fleet && input.refusedWithSeveral?.includes(operation)) return false;
  if (fleet && input.fleetOnly?.includes(operation)) return true;
  return input.operations === undefined || input.operations.includes(operation);
}

/** Whether `operation` cannot run without the input. */
export function requiredFor(input: Input, operation: OperationName): boolean {
  return input.required === true && usedBy(input, operation) && !input.optionalFor?.includes(operation);
}

export function defaultOf(key: InputKey): string {
  return inputDefinition(key).default ?? '';
}

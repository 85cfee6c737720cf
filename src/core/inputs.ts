/**
 * The one definition of every input: its name on each platform, its default and whether it is a secret.
 * action.yml, task.json and the README are checked against this table by test/manifests.test.ts;
 * validation of the values lives in config.ts.
 */

export type InputKey =
  | 'operation'
  | 'auth'
  | 'tenantId'
  | 'clientId'
  | 'clientSecret'
  | 'audience'
  | 'serviceConnection'
  | 'subscriptionId'
  | 'resourceGroup'
  | 'serviceName'
  | 'storageAccount'
  | 'container'
  | 'backupName'
  | 'storageAccess'
  | 'storageKey'
  | 'storageIdentityClientId'
  | 'timeout'
  | 'pollInterval'
  | 'environment'
  | 'resourceManagerEndpoint'
  | 'authorityHost';

export interface InputDefinition {
  key: InputKey;
  /** Input name in action.yml; undefined when GitHub has no such input. */
  github?: string;
  /** Input name in task.json; undefined when the Azure DevOps task takes it from the service connection. */
  azureDevOps?: string;
  /** The alias users write in YAML (task.json `aliases`); used in messages. */
  azureDevOpsAlias?: string;
  description: string;
  /** Default shared by both platforms ('' = none). */
  default?: string;
  /** Allowed values, for pick lists and docs; validation also accepts REST spellings where noted. */
  options?: readonly string[];
  required?: boolean;
  /** Masked the moment it is read; never logged. */
  secret?: boolean;
  /** GitHub only: environment variable used when the input is empty. */
  githubEnvFallback?: string;
}

export const OPERATIONS = ['backup', 'restore'] as const;
export const STORAGE_ACCESS = [
  'auto',
  'access-key',
  'system-assigned-identity',
  'user-assigned-identity',
] as const;
export const ENVIRONMENTS = ['AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud'] as const;
/** Blob name of a backup when backup-name is not given. */
export const DEFAULT_BACKUP_NAME = '{service}-{timestamp}.apimbackup';

export const GITHUB_AUTH_METHODS = [
  'auto',
  'oidc',
  'client-secret',
  'managed-identity',
  'azure-cli',
] as const;

export const INPUTS: readonly InputDefinition[] = [
  {
    key: 'operation',
    github: 'operation',
    azureDevOps: 'operation',
    description: 'What to do: `backup` or `restore`.',
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
    description: 'Azure Resource Manager service connection (alias `azureSubscription`).',
    required: true,
  },
  {
    key: 'subscriptionId',
    github: 'subscription-id',
    azureDevOps: 'subscriptionId',
    description:
      'Subscription of the API Management instance. Default: env `AZURE_SUBSCRIPTION_ID` on GitHub, the service connection’s subscription on Azure DevOps.',
    githubEnvFallback: 'AZURE_SUBSCRIPTION_ID',
  },
  {
    key: 'resourceGroup',
    github: 'resource-group',
    azureDevOps: 'resourceGroupName',
    description: 'Resource group of the API Management instance.',
    required: true,
  },
  {
    key: 'serviceName',
    github: 'service-name',
    azureDevOps: 'serviceName',
    description: 'Name of the API Management instance.',
    required: true,
  },
  {
    key: 'storageAccount',
    github: 'storage-account',
    azureDevOps: 'storageAccount',
    description: 'Storage account that holds the backups.',
    required: true,
  },
  {
    key: 'container',
    github: 'container',
    azureDevOps: 'containerName',
    description: 'Blob container that holds the backups.',
    required: true,
  },
  {
    key: 'backupName',
    github: 'backup-name',
    azureDevOps: 'backupName',
    // No default in the manifests: the runners would pass it to a restore too, hiding a missing name.
    description:
      'Blob name. Default for a backup: `{service}-{timestamp}.apimbackup`; required for a restore. Placeholders: `{service}`, `{resource-group}`, `{date}`, `{time}`, `{timestamp}`, `{run-id}`.',
  },
  {
    key: 'storageAccess',
    github: 'storage-access',
    azureDevOps: 'storageAccess',
    description:
      'How API Management reaches the storage account: `auto` (access key if one is given, else the system-assigned identity), `access-key`, `system-assigned-identity` or `user-assigned-identity`.',
    default: 'auto',
    options: STORAGE_ACCESS,
  },
  {
    key: 'storageKey',
    github: 'storage-key',
    azureDevOps: 'storageKey',
    description: 'Storage account access key, for `access-key` access.',
    secret: true,
  },
  {
    key: 'storageIdentityClientId',
    github: 'storage-identity-client-id',
    azureDevOps: 'storageIdentityClientId',
    description:
      'Client ID of the user-assigned identity of the API Management instance, for `user-assigned-identity` access.',
  },
  {
    key: 'timeout',
    github: 'timeout',
    azureDevOps: 'timeout',
    description: 'How long to wait for the operation: `90s`, `45m`, `1h30m`, or a bare number of minutes.',
    default: '60m',
  },
  {
    key: 'pollInterval',
    github: 'poll-interval',
    azureDevOps: 'pollInterval',
    description:
      'How often to ask Azure for progress when it does not say (`Retry-After`): `5s`, `1m`, or a bare number of seconds.',
    default: '5s',
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
];

export type RawInputs = Partial<Record<InputKey, string>>;

export type Platform = 'github' | 'azureDevOps';

/** Input names of one platform, in table order. */
export function inputsOf(platform: Platform): InputDefinition[] {
  return INPUTS.filter((input) => input[platform] !== undefined);
}

/**
 * Reads every input of a platform through its own getter, masking secrets before anything else sees them.
 * Empty strings count as "not given".
 */
export function readInputs(
  platform: Platform,
  getInput: (name: string) => string | undefined,
  maskSecret: (value: string) => void,
  env: NodeJS.ProcessEnv = {},
): RawInputs {
  const raw: RawInputs = {};
  for (const input of inputsOf(platform)) {
    let value = getInput(input[platform] as string)?.trim() ?? '';
    if (!value && platform === 'github' && input.githubEnvFallback) {
      value = env[input.githubEnvFallback]?.trim() ?? '';
    }
    if (!value) continue;
    if (input.secret) maskSecret(value);
    raw[input.key] = value;
  }
  return raw;
}

/**
 * Validates and normalises every input in one place, before any sign-in: all problems are collected and
 * reported together, and nothing is sent anywhere when there is one.
 */
import { expandBackupName } from './backup-name';
import { Cloud, findCloud, isKnownAuthority } from './clouds';
import { parseDuration } from './duration';
import { DEFAULT_BACKUP_NAME, GITHUB_AUTH_METHODS, INPUTS, InputKey, Platform, RawInputs } from './inputs';
import {
  checkBlobName,
  checkContainer,
  checkGuid,
  checkHttpsUrl,
  checkResourceGroup,
  checkServiceName,
  checkStorageAccount,
  checkStorageKey,
  checkTenant,
} from './naming-rules';

export type Operation = 'backup' | 'restore';

export type StorageAccess =
  | { type: 'AccessKey'; key: string }
  | { type: 'SystemAssignedManagedIdentity' }
  | { type: 'UserAssignedManagedIdentity'; clientId: string };

export type SignIn =
  | { method: 'client-secret'; tenantId: string; clientId: string; clientSecret: string }
  | { method: 'client-certificate'; tenantId: string; clientId: string; certificatePem: string }
  | { method: 'oidc'; tenantId: string; clientId: string; audience: string }
  | { method: 'managed-identity'; clientId?: string }
  | { method: 'azure-cli'; tenantId?: string };

export type SignInMethod = SignIn['method'];

export interface Config {
  operation: Operation;
  subscriptionId: string;
  resourceGroup: string;
  serviceName: string;
  storageAccount: string;
  container: string;
  backupName: string;
  storageAccess: StorageAccess;
  timeoutMs: number;
  pollIntervalMs: number;
  cloud: Cloud;
  signIn: SignIn;
  /** Why `signIn.method` was chosen, for the log. */
  signInReason: string;
}

/** Facts about the run that are not inputs. */
export interface RunContext {
  platform: Platform;
  now: Date;
  runId?: string;
  /** The runner can hand out an OIDC ID token (GitHub: `id-token: write`; Azure DevOps: federated connection). */
  idTokenAvailable: boolean;
  /** An Azure CLI session exists (e.g. from an earlier azure/login step). */
  azureCliSignedIn?: boolean;
}

/**
 * Inputs the Azure DevOps adapter takes from the service connection rather than from task inputs.
 * `auth` then holds the connection's scheme mapped to a sign-in method.
 */
export type ConnectionInputs = { clientCertificate?: string };

export class InputError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The inputs are not valid; nothing was sent to Azure:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.name = 'InputError';
  }
}

const MINUTE = 60_000;
const LIMITS = {
  timeout: { min: 1_000, max: 24 * 60 * MINUTE, text: 'between 1s and 24h' },
  pollInterval: { min: 1_000, max: 10 * MINUTE, text: 'between 1s and 10m' },
};

/** Sign-in methods an Azure DevOps service connection maps to (see azure-devops/service-connection.ts). */
const AZURE_DEVOPS_METHODS = ['client-secret', 'client-certificate', 'oidc', 'managed-identity'];

const STORAGE_ACCESS_SPELLINGS: Record<string, StorageAccess['type'] | 'auto'> = {
  auto: 'auto',
  'access-key': 'AccessKey',
  accesskey: 'AccessKey',
  'system-assigned-identity': 'SystemAssignedManagedIdentity',
  systemassignedmanagedidentity: 'SystemAssignedManagedIdentity',
  'user-assigned-identity': 'UserAssignedManagedIdentity',
  userassignedmanagedidentity: 'UserAssignedManagedIdentity',
};

/** Validates raw inputs into a typed configuration, or throws an InputError listing every problem. */
export function parseConfig(raw: RawInputs & ConnectionInputs, context: RunContext): Config {
  const problems: string[] = [];
  const name = (key: InputKey) => inputName(key, context.platform);
  const problem = (key: InputKey, text: string, showValue = true) => {
    const value = raw[key];
    problems.push(`${name(key)}${showValue && value !== undefined ? ` '${value}'` : ''} ${text}`);
  };
  const required = (key: InputKey): string => {
    const value = raw[key];
    if (value === undefined) problems.push(`${name(key)} is required`);
    return value ?? '';
  };
  const checked = (key: InputKey, check: (value: string) => string | undefined): string => {
    const value = required(key);
    const issue = value ? check(value) : undefined;
    if (issue) problem(key, issue);
    return value;
  };

  // On Azure DevOps the sign-in comes from the service connection: without one there is nothing to check.
  const hasSignIn = context.platform === 'github' || required('serviceConnection') !== '';
  const operation = (raw.operation ?? '').toLowerCase();
  if (!raw.operation) required('operation');
  else if (operation !== 'backup' && operation !== 'restore')
    problem('operation', 'must be backup or restore');

  const subscriptionId = checked('subscriptionId', checkGuid);
  const resourceGroup = checked('resourceGroup', checkResourceGroup);
  const serviceName = checked('serviceName', checkServiceName);
  const storageAccount = checked('storageAccount', checkStorageAccount);
  const container = checked('container', checkContainer);

  const backupName = resolveBackupName(raw, operation, context, {
    serviceName,
    resourceGroup,
    report: (text) => problems.push(`${name('backupName')} ${text}`),
  });

  const storageAccess = resolveStorageAccess(raw, problems, name, problem);
  const timeoutMs = resolveDuration(raw, 'timeout', 'm', problem);
  const pollIntervalMs = resolveDuration(raw, 'pollInterval', 's', problem);
  if (timeoutMs !== undefined && pollIntervalMs !== undefined && pollIntervalMs > timeoutMs) {
    problems.push(`${name('pollInterval')} must not be longer than ${name('timeout')}`);
  }

  const cloud = resolveCloud(raw, problem);
  const signIn = hasSignIn ? resolveSignIn(raw, context, problems, name, problem) : undefined;

  if (problems.length > 0) throw new InputError(problems);
  return {
    operation: operation as Operation,
    subscriptionId,
    resourceGroup,
    serviceName,
    storageAccount,
    container,
    backupName,
    storageAccess: storageAccess as StorageAccess,
    timeoutMs: timeoutMs as number,
    pollIntervalMs: pollIntervalMs as number,
    cloud: cloud as Cloud,
    signIn: signIn!.signIn,
    signInReason: signIn!.reason,
  };
}

/** The input's name as the user wrote it on this platform, or a description of where it came from. */
export function inputName(key: InputKey, platform: Platform): string {
  const definition = INPUTS.find((input) => input.key === key);
  if (platform === 'azureDevOps' && definition?.azureDevOpsAlias) return definition.azureDevOpsAlias;
  const platformName = definition?.[platform];
  if (platformName) return platformName;
  return `the service connection's ${key.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)}`;
}

function defaultOf(key: InputKey): string {
  return INPUTS.find((input) => input.key === key)?.default ?? '';
}

function resolveBackupName(
  raw: RawInputs,
  operation: string,
  context: RunContext,
  target: { serviceName: string; resourceGroup: string; report: (text: string) => void },
): string {
  if (operation === 'restore' && raw.backupName === undefined) {
    target.report('is required for a restore: name the blob to restore from');
    return '';
  }
  const template = raw.backupName ?? DEFAULT_BACKUP_NAME;
  const expanded = expandBackupName(template, { ...target, now: context.now, runId: context.runId });
  if (!expanded.ok) {
    target.report(`'${template}': ${expanded.problem}`);
    return '';
  }
  const issue = checkBlobName(expanded.name);
  if (issue) target.report(`'${expanded.name}' ${issue}`);
  return expanded.name;
}

function resolveStorageAccess(
  raw: RawInputs,
  problems: string[],
  name: (key: InputKey) => string,
  problem: (key: InputKey, text: string, showValue?: boolean) => void,
): StorageAccess | undefined {
  const spelled = (raw.storageAccess ?? defaultOf('storageAccess')).toLowerCase();
  let type = Object.hasOwn(STORAGE_ACCESS_SPELLINGS, spelled) ? STORAGE_ACCESS_SPELLINGS[spelled] : undefined;
  if (!type) {
    problem('storageAccess', 'must be auto, access-key, system-assigned-identity or user-assigned-identity');
    return undefined;
  }
  if (type === 'auto') type = raw.storageKey ? 'AccessKey' : 'SystemAssignedManagedIdentity';

  if (type !== 'AccessKey' && raw.storageKey) {
    problems.push(
      `${name('storageKey')} is only used with access-key storage access; remove it or change ${name('storageAccess')}`,
    );
  }
  if (type !== 'UserAssignedManagedIdentity' && raw.storageIdentityClientId) {
    problems.push(
      `${name('storageIdentityClientId')} is only used with user-assigned-identity storage access; remove it or change ${name('storageAccess')}`,
    );
  }
  switch (type) {
    case 'AccessKey': {
      if (!raw.storageKey) {
        problems.push(`${name('storageKey')} is required for access-key storage access`);
        return undefined;
      }
      const issue = checkStorageKey(raw.storageKey);
      if (issue) problem('storageKey', issue, false);
      return { type, key: raw.storageKey };
    }
    case 'UserAssignedManagedIdentity': {
      if (!raw.storageIdentityClientId) {
        problems.push(
          `${name('storageIdentityClientId')} is required for user-assigned-identity storage access`,
        );
        return undefined;
      }
      const issue = checkGuid(raw.storageIdentityClientId);
      if (issue) problem('storageIdentityClientId', issue);
      return { type, clientId: raw.storageIdentityClientId };
    }
    default:
      return { type };
  }
}

function resolveDuration(
  raw: RawInputs,
  key: 'timeout' | 'pollInterval',
  bareNumberUnit: 'm' | 's',
  problem: (key: InputKey, text: string) => void,
): number | undefined {
  const text = raw[key] ?? defaultOf(key);
  const ms = parseDuration(text, bareNumberUnit);
  const limits = LIMITS[key];
  if (ms === undefined) {
    problem(
      key,
      `is not a duration: write e.g. 90s, 45m or 1h30m (a bare number means ${bareNumberUnit === 'm' ? 'minutes' : 'seconds'})`,
    );
    return undefined;
  }
  if (ms < limits.min || ms > limits.max) {
    problem(key, `must be ${limits.text}`);
    return undefined;
  }
  return ms;
}

function resolveCloud(raw: RawInputs, problem: (key: InputKey, text: string) => void): Cloud | undefined {
  const base = findCloud(raw.environment ?? defaultOf('environment'));
  if (!base) problem('environment', 'must be AzureCloud, AzureUSGovernment or AzureChinaCloud');
  for (const key of ['resourceManagerEndpoint', 'authorityHost'] as const) {
    const issue = raw[key] ? checkHttpsUrl(raw[key]) : undefined;
    if (issue) problem(key, issue);
  }
  if (!base) return undefined;
  const authorityHost = trimSlash(raw.authorityHost ?? base.authorityHost);
  return {
    ...base,
    resourceManagerEndpoint: trimSlash(raw.resourceManagerEndpoint ?? base.resourceManagerEndpoint),
    authorityHost,
    customAuthority: !isKnownAuthority(authorityHost),
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function resolveSignIn(
  raw: RawInputs & ConnectionInputs,
  context: RunContext,
  problems: string[],
  name: (key: InputKey) => string,
  problem: (key: InputKey, text: string) => void,
): { signIn: SignIn; reason: string } | undefined {
  const requested = (raw.auth ?? defaultOf('auth')).toLowerCase();
  if (context.platform === 'azureDevOps' && !AZURE_DEVOPS_METHODS.includes(requested)) {
    problems.push(
      `the service connection's scheme '${raw.auth}' is not supported: use ServicePrincipal, WorkloadIdentityFederation or ManagedServiceIdentity`,
    );
    return undefined;
  }
  if (context.platform === 'github' && !(GITHUB_AUTH_METHODS as readonly string[]).includes(requested)) {
    problem('auth', `must be ${GITHUB_AUTH_METHODS.join(', ')}`);
    return undefined;
  }
  const { method, reason } =
    requested === 'auto'
      ? chooseSignIn(raw, context)
      : { method: requested as SignInMethod, reason: `${name('auth')} is ${requested}` };

  const need = (key: 'tenantId' | 'clientId', why: string): string => {
    const value = raw[key];
    if (!value) {
      problems.push(`${name(key)} is required ${why}`);
      return '';
    }
    const issue = key === 'tenantId' ? checkTenant(value) : checkGuid(value);
    if (issue) problem(key, issue);
    return value;
  };
  const optionalGuid = (key: 'tenantId' | 'clientId') => {
    const issue = raw[key] ? (key === 'tenantId' ? checkTenant(raw[key]) : checkGuid(raw[key])) : undefined;
    if (issue) problem(key, issue);
    return raw[key];
  };

  switch (method) {
    case 'client-secret': {
      const why = 'to sign in with a client secret';
      const tenantId = need('tenantId', why);
      const clientId = need('clientId', why);
      if (!raw.clientSecret) problems.push(`${name('clientSecret')} is required ${why}`);
      return { signIn: { method, tenantId, clientId, clientSecret: raw.clientSecret ?? '' }, reason };
    }
    case 'client-certificate': {
      const why = 'to sign in with a certificate';
      const tenantId = need('tenantId', why);
      const clientId = need('clientId', why);
      if (!raw.clientCertificate?.includes('PRIVATE KEY')) {
        problems.push(`the service connection's certificate is missing or has no private key`);
      }
      return { signIn: { method, tenantId, clientId, certificatePem: raw.clientCertificate ?? '' }, reason };
    }
    case 'oidc': {
      const why = 'to sign in with OIDC (workload identity federation)';
      const tenantId = need('tenantId', why);
      const clientId = need('clientId', why);
      if (!context.idTokenAvailable) {
        problems.push(
          context.platform === 'github'
            ? 'OIDC sign-in needs an ID token, but the runner offers none: add `permissions: id-token: write` to the workflow or job (or give client-secret)'
            : 'OIDC sign-in needs the pipeline OIDC endpoint (SYSTEM_OIDCREQUESTURI) and System.AccessToken, which this agent does not provide',
        );
      }
      const audience = raw.audience ?? defaultOf('audience');
      return { signIn: { method, tenantId, clientId, audience }, reason };
    }
    case 'managed-identity':
      return { signIn: { method, clientId: optionalGuid('clientId') }, reason };
    case 'azure-cli':
      return { signIn: { method, tenantId: optionalGuid('tenantId') }, reason };
  }
  return undefined;
}

/** `auth: auto`: the first method the user has given everything for, in the order the README documents. */
function chooseSignIn(raw: RawInputs, context: RunContext): { method: SignInMethod; reason: string } {
  if (raw.clientSecret) return { method: 'client-secret', reason: 'a client secret was given' };
  if (raw.clientId && context.idTokenAvailable) {
    return { method: 'oidc', reason: 'a client ID was given and the runner offers an ID token' };
  }
  if (context.azureCliSignedIn) {
    return {
      method: 'azure-cli',
      reason: 'no client secret or ID token, and an Azure CLI session exists (azure/login)',
    };
  }
  if (raw.clientId && raw.tenantId && !context.idTokenAvailable && context.platform === 'github') {
    // A tenant and client without a secret is an OIDC setup missing its permission: say so instead of trying
    // managed identity, which would fail with a less useful message.
    return { method: 'oidc', reason: 'tenant-id and client-id were given without a client secret' };
  }
  return {
    method: 'managed-identity',
    reason: 'no client secret, ID token or Azure CLI session: using the managed identity of the machine',
  };
}

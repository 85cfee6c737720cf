/**
 * Turns what Azure and Entra answer into errors a user can act on: what failed, the Azure error code and
 * message, and what to do about it.
 */
import type { RestError } from '@azure/core-rest-pipeline';
import type { ApimStorageAccess, CommonConfig, Instance, SignIn, StorageLocation } from '../inputs/config';
import type { InputKey } from '../inputs/table';
import type { Network } from '../net/network';
import { ActionableError } from './actionable';
import { answeredByServer, unreachableError } from './network';
import { resumeHint } from './resume-hint';

export { ActionableError };

/** The configuration parts a hint may name; each operation has some of them. */
export type ErrorSubject = CommonConfig & {
  instance?: Instance;
  apimAccess?: ApimStorageAccess;
  backupName?: string;
};

export interface ErrorContext {
  /** What was being done, e.g. "Backup of API Management instance 'x'". */
  action: string;
  config: ErrorSubject;
  /** Of the runner's ID token, as sign-in/id-token decodes them: who Entra was told the step is. */
  idTokenClaims?: { iss?: string; sub?: string; aud?: string | string[] };
  /** The step's network: which host could not be reached, by which route; a failure there explains the error. */
  network?: Pick<Network, 'failureFor' | 'settings' | 'setupHint'>;
}

interface AzureErrorFacts {
  code?: string;
  statusCode?: number;
  message: string;
  /** The operation-status URL that answered, when a poll failed. */
  operationUrl?: string;
}

const DEFAULT_AUDIENCE = 'api://AzureADTokenExchange';
const STORAGE_ROLE = 'Storage Blob Data Contributor';
const APIM_ROLE = 'API Management Service Contributor';
const READ_OPERATION_STATUS = 'Microsoft.ApiManagement/service/operationresults/read';

export function explainError(error: unknown, context: ErrorContext): ActionableError {
  if (error instanceof ActionableError) return error;
  // Whatever an SDK makes of it (MSAL: endpoints_resolution_error), a request that reached no server failed there.
  const failure = unreachable(error, context.network);
  if (failure) {
    return unreachableError(
      context.action,
      failure,
      context.network!,
      serviceAt(failure.host, context.config),
    );
  }
  const facts = factsOf(error);
  if (facts.operationUrl && facts.statusCode === 403)
    return statusForbidden(facts, facts.operationUrl, context);
  const hint = hintFor(facts, context);
  // Entra messages start with their AADSTS code already.
  const alreadyNamed = facts.code !== undefined && facts.message.startsWith(facts.code);
  const prefix = facts.code ? `${facts.code}: ` : facts.statusCode ? `HTTP ${facts.statusCode}: ` : '';
  const code = alreadyNamed ? '' : prefix;
  return new ActionableError(`${context.action} failed: ${code}${facts.message}`, facts.code, hint);
}

/**
 * The identity may start an operation but not read its status: polls answer 403 while the operation runs on in
 * Azure. Waiting longer cannot help, so the step stops, naming the permission, the role that has it and the URL.
 */
function statusForbidden(facts: AzureErrorFacts, url: string, context: ErrorContext): ActionableError {
  const { config } = context;
  const instance = config.instance ?? { subscriptionId: '', resourceGroup: '', serviceName: '' };
  // Azure names the operation as the scope; the role is granted on the instance (or above).
  const scope = (/scope '([^']+)'/.exec(facts.message)?.[1] ?? serviceScopeOf(instance)).replace(
    /(\/providers\/Microsoft\.ApiManagement\/service\/[^/]+)\/.*$/i,
    '$1',
  );
  const started =
    config.operation === 'backup' || config.operation === 'restore' ? config.operation : 'operation';
  return new ActionableError(
    `${context.action} failed: Azure does not let this identity read the operation's status (${facts.code ?? 'HTTP 403'}: ${facts.message.replace(/\.$/, '')}). The ${started} goes on in Azure: its status is at ${url}`,
    facts.code ?? 'AuthorizationFailed',
    `Reading the status needs '${READ_OPERATION_STATUS}': grant the identity you signed in as '${APIM_ROLE}' (or a custom role with ${READ_OPERATION_STATUS}) on scope '${scope}'; role assignments can take a few minutes to apply. ${resumeHint(config.profile, url)}`,
  );
}

function factsOf(error: unknown): AzureErrorFacts {
  const e = error as {
    code?: unknown;
    statusCode?: unknown;
    message?: unknown;
    operationUrl?: unknown;
    errorResponse?: { error?: string; errorDescription?: string; errorCodes?: number[] };
  };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  // Entra errors carry AADSTS codes; surface the first as the code.
  const aadsts = /AADSTS(\d+)/.exec(e?.errorResponse?.errorDescription ?? message);
  const code = aadsts ? `AADSTS${aadsts[1]}` : typeof e?.code === 'string' ? e.code : undefined;
  const statusCode = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  const operationUrl = typeof e?.operationUrl === 'string' ? e.operationUrl : undefined;
  return { code, statusCode, message: entraDescription(firstParagraph(message)), operationUrl };
}

/**
 * MSAL wraps Entra's answer as "Error(s): … - Timestamp: … - Description: AADSTS…: text. Trace ID: … Correlation
 * ID: …": keep Entra's text and the two IDs support asks for.
 */
function entraDescription(message: string): string {
  const description =
    /Description: (AADSTS\d+:[\s\S]*?)(?: Trace ID: ([\w-]+))?(?: Correlation ID: ([\w-]+))?(?: Timestamp:| - |$)/.exec(
      message,
    );
  if (!description) return message;
  const [, text, traceId, correlationId] = description;
  const ids = [traceId && `Trace ID: ${traceId}`, correlationId && `Correlation ID: ${correlationId}`].filter(
    Boolean,
  );
  return `${text.trim()}${ids.length ? ` (${ids.join(', ')})` : ''}`;
}

/** Identity errors append pages of troubleshooting links; the first paragraph is the useful part. */
function firstParagraph(message: string): string {
  return message.split(/\n\s*\n/)[0].trim();
}

/** What a hint case sees: the error and the configuration its hint names. */
interface HintSubject {
  facts: AzureErrorFacts;
  /** The code and the message together: Entra and long-running operations put the code inside the message. */
  text: string;
  context: ErrorContext;
  config: ErrorSubject;
  instance: Instance;
  signIn: SignIn;
  clientId: string | undefined;
  name: (key: InputKey) => string;
}

/** One way an error shows; every condition given must hold. */
interface HintMatch {
  /** Tested against the code and the message together; its groups reach the hint. */
  text?: RegExp;
  code?: string;
  status?: number;
  /** The text must not match this (a 403 about storage is storage's to explain, not the instance role's). */
  unless?: RegExp;
  /** What the configuration must be for the hint to apply: the sign-in method, the operation. */
  when?: (subject: HintSubject) => boolean;
}

interface HintCase {
  /** One match, or several of which any will do. */
  match: HintMatch | HintMatch[];
  /** `found` holds what the `text` pattern captured (empty when the case matched without one). */
  hint: (subject: HintSubject, found: string[]) => string;
}

const signingInWith =
  (method: SignIn['method']) =>
  ({ signIn }: HintSubject) =>
    signIn.method === method;

/** What to do about an error, by the first case that matches it: the order matters where cases overlap. */
const HINTS: HintCase[] = [
  // Entra sign-in.
  {
    match: { text: /AADSTS700016/ },
    hint: ({ clientId, config, name }) =>
      `No application with client ID '${clientId}' exists in tenant '${tenantOf(config)}'. Check ${name('clientId')} and ${name('tenantId')}: the app must be registered (or consented) in that directory.`,
  },
  {
    match: { text: /AADSTS7000215|AADSTS7000222/ },
    hint: ({ clientId, name }) =>
      `The client secret is wrong or has expired. Create a new secret for app '${clientId}' and update ${name('clientSecret')}. Use the secret's value, not its ID.`,
  },
  {
    match: { text: /AADSTS70021/ },
    hint: ({ context, facts, signIn, clientId }) => {
      const claims = context.idTokenClaims;
      const subject = claims?.sub ?? /Assertion Subject: '([^']*)'/.exec(facts.message)?.[1] ?? 'unknown';
      const issuer = claims?.iss ?? /Assertion Issuer: '([^']*)'/.exec(facts.message)?.[1] ?? 'unknown';
      const tokenAudience = Array.isArray(claims?.aud) ? claims?.aud[0] : claims?.aud;
      const audience =
        tokenAudience ?? ('audience' in signIn ? signIn.audience : undefined) ?? DEFAULT_AUDIENCE;
      return `No federated credential on app '${clientId}' matches this run's ID token. Add one with issuer '${issuer}', subject '${subject}' and audience '${audience}' (Entra ID > App registrations > Certificates & secrets > Federated credentials).`;
    },
  },
  {
    match: { text: /AADSTS700024/ },
    hint: () =>
      'Entra ID received an expired ID token. Check the runner clock; if it keeps happening, report it with the log of this run.',
  },
  {
    // MSAL reports an unknown tenant as endpoints_resolution_error before Entra can answer with AADSTS90002.
    match: { text: /AADSTS90002|AADSTS900023|AADSTS90023|endpoints_resolution_error/ },
    hint: ({ config, name }) =>
      `Tenant '${tenantOf(config)}' was not found. Check ${name('tenantId')} (the directory ID of the subscription's tenant).`,
  },
  {
    match: { text: /AADSTS700027|AADSTS700023/ },
    hint: ({ clientId }) =>
      `The certificate is not registered on app '${clientId}', or has expired. Upload its public part to the app registration.`,
  },
  {
    match: {
      text: /No Managed Identity found/i,
      when: ({ signIn }) => signIn.method === 'managed-identity' && Boolean(signIn.clientId),
    },
    hint: ({ clientId, name }) =>
      `The user-assigned identity with client ID '${clientId}' is not assigned to this machine. Assign it to the VM or scale set of the runner, or check ${name('clientId')} (leave it empty for the system-assigned identity).`,
  },
  {
    match: {
      text: /CredentialUnavailable|ManagedIdentityCredential/i,
      when: signingInWith('managed-identity'),
    },
    hint: () =>
      'No managed identity is available here. Use a self-hosted runner or agent on an Azure VM, scale set or App Service with an identity, or choose another sign-in method.',
  },
  {
    match: { text: /AzureCliCredential|az login|Azure CLI/i, when: signingInWith('azure-cli') },
    hint: () =>
      'No usable Azure CLI session. Run azure/login (or az login) in an earlier step of the same job, or choose another sign-in method.',
  },

  // Azure Resource Manager.
  {
    match: [{ code: 'AuthorizationFailed' }, { status: 403, unless: /storage/i }],
    hint: ({ facts, instance }) => {
      const action = /action '([^']+)'/.exec(facts.message)?.[1];
      const scope = /scope '([^']+)'/.exec(facts.message)?.[1] ?? serviceScopeOf(instance);
      return `The identity you signed in as lacks permission${action ? ` for '${action}'` : ''}. Grant it '${APIM_ROLE}' (or a custom role with Microsoft.ApiManagement/service/backup/action and restore/action) on scope '${scope}'. New role assignments can take a few minutes to apply.`;
    },
  },
  {
    match: { text: /InvalidAuthenticationTokenTenant/ },
    hint: ({ name }) =>
      `The subscription belongs to another tenant. Set ${name('tenantId')} to the subscription's tenant.`,
  },
  {
    match: { text: /SubscriptionNotFound|InvalidSubscriptionId/ },
    hint: ({ instance, name }) =>
      `Subscription '${instance.subscriptionId}' was not found, or the identity has no access to it. Check ${name('subscriptionId')}.`,
  },
  {
    match: { text: /ResourceGroupNotFound/ },
    hint: ({ instance, name }) =>
      `Resource group '${instance.resourceGroup}' does not exist in subscription '${instance.subscriptionId}'. Check ${name('resourceGroup')} and ${name('subscriptionId')}.`,
  },
  {
    match: [{ text: /ResourceNotFound/ }, { status: 404, unless: /blob/i }],
    hint: ({ name }) =>
      `Check ${name('serviceName')}, ${name('resourceGroup')} and ${name('subscriptionId')}, and that the identity can read the instance.`,
  },

  // The operation itself.
  {
    match: { text: /backup expired/i },
    hint: ({ config }) =>
      `Backups expire 30 days after they are taken. Restore a newer backup than '${config.backupName}', or take a new one.`,
  },
  {
    match: { text: /current SKU is '([^']+)', backup SKU is '([^']+)'/i },
    hint: ({ instance }, [, current, backup]) =>
      `A backup restores only to an instance of the same tier. Scale '${instance.serviceName}' from ${current} to ${backup} first, or restore a backup taken from a ${current} instance.`,
  },
  {
    match: [{ status: 409 }, { text: /Conflict|another operation|in progress|ServiceLocked/i }],
    hint: () =>
      'Another management operation (a deployment, a scale, or a backup or restore) is running on the instance. Wait for it to finish and retry; serialise pipeline runs that touch the same instance (a concurrency group on GitHub, an exclusive lock on Azure DevOps).',
  },
  {
    match: {
      text: /BlobNotFound|not found|does not exist/i,
      when: ({ config }) => config.operation === 'restore',
    },
    hint: ({ config, name }) =>
      `Check that blob '${config.backupName}' exists in container '${config.storage.container}' of storage account '${config.storage.account}' (${name('backupName')}, ${name('container')}).`,
  },
  {
    match: {
      text: /storage|forbidden|\(403\)|AuthorizationPermissionMismatch|AuthorizationFailure|access denied/i,
    },
    hint: ({ config, name }) => storageHint(config, name),
  },
  {
    match: { text: /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|socket hang up/i },
    hint: ({ config, name }) =>
      `Could not reach Azure (${config.cloud.resourceManagerEndpoint}). Check the runner's network, proxy and ${name('environment')}.`,
  },
];

function hintFor(facts: AzureErrorFacts, context: ErrorContext): string | undefined {
  const { config } = context;
  const name = (key: InputKey) => config.profile.inputName(key);
  const signIn = config.signIn ?? { method: 'managed-identity' };
  const subject: HintSubject = {
    facts,
    text: `${facts.code ?? ''} ${facts.message}`,
    context,
    config,
    instance: config.instance ?? { subscriptionId: '', resourceGroup: '', serviceName: '' },
    signIn,
    clientId: 'clientId' in signIn ? signIn.clientId : undefined,
    name,
  };
  for (const { match, hint } of HINTS) {
    for (const one of [match].flat()) {
      const found = matched(one, subject);
      if (found) return hint(subject, found);
    }
  }
  return undefined;
}

/** What the match's pattern captured when every condition holds, else undefined. */
function matched(match: HintMatch, subject: HintSubject): string[] | undefined {
  const { facts, text } = subject;
  if (match.code !== undefined && facts.code !== match.code) return undefined;
  if (match.status !== undefined && facts.statusCode !== match.status) return undefined;
  if (match.unless?.test(text)) return undefined;
  if (match.when && !match.when(subject)) return undefined;
  if (!match.text) return [];
  return match.text.exec(text) ?? undefined;
}

function serviceScopeOf(instance: Instance): string {
  return `/subscriptions/${instance.subscriptionId}/resourceGroups/${instance.resourceGroup}/providers/Microsoft.ApiManagement/service/${instance.serviceName}`;
}

function storageHint(config: ErrorSubject, name: (key: InputKey) => string): string {
  const account = `storage account '${config.storage.account}'`;
  const serviceName = config.instance?.serviceName ?? 'the instance';
  const access = config.apimAccess ?? { type: 'SystemAssignedManagedIdentity' };
  const byAccess =
    access.type === 'AccessKey'
      ? `Check that ${name('storageKey')} is a current key of ${account} (keys are rotated).`
      : access.type === 'SystemAssignedManagedIdentity'
        ? `Enable the system-assigned identity of '${serviceName}' and grant it '${STORAGE_ROLE}' on ${account}.`
        : `Assign identity '${access.clientId}' to '${serviceName}' and grant it '${STORAGE_ROLE}' on ${account}.`;
  return `API Management could not use ${account}. ${byAccess} With a storage firewall, allow trusted Microsoft services and use the system-assigned identity. CORS must not be enabled on the Blob service.`;
}

/**
 * The connection failure behind an error that carries no server's answer: the one of the request the error names
 * (a pipeline error does), else the latest (MSAL's errors name none).
 */
function unreachable(error: unknown, network: ErrorContext['network']) {
  if (!network || answeredByServer(error)) return undefined;
  const url = (error as Partial<RestError>)?.request?.url;
  return network.failureFor(typeof url === 'string' ? url : undefined);
}

/** What a host is to the step, for a message about not reaching it. */
function serviceAt(host: string, config: CommonConfig): string | undefined {
  const hostOf = (url: string) => {
    try {
      return new URL(url).hostname.toLowerCase();
    } catch {
      return undefined;
    }
  };
  if (host === hostOf(config.cloud.authorityHost)) return 'Microsoft Entra ID';
  if (host === hostOf(config.cloud.resourceManagerEndpoint)) return 'Azure Resource Manager';
  if (config.storage.blobEndpoint && host === hostOf(config.storage.blobEndpoint)) {
    return `storage account '${config.storage.account}'`;
  }
  return undefined;
}

function tenantOf(config: ErrorSubject): string | undefined {
  return config.signIn && 'tenantId' in config.signIn ? config.signIn.tenantId : undefined;
}

/** What the step was doing with storage when it failed: each needs its own data role. */
export type StorageNeed = 'read' | 'write' | 'delete';

const STORAGE_READER = 'Storage Blob Data Reader';

export interface StorageErrorContext {
  location: StorageLocation;
  /** Who the step reads storage as: "app '…'", "the storage key", … */
  identity: string;
  need: StorageNeed;
  /** As in ErrorContext: a storage the step cannot connect to is told as that. */
  network?: ErrorContext['network'];
}

/** A storage error the step met itself, reading, stamping or deleting backups, with what to do. */
export function explainStorageError(error: unknown, context: StorageErrorContext): Error {
  if (error instanceof ActionableError) return error;
  const { location, identity, need } = context;
  const account = `storage account '${location.account}'`;
  const failure = unreachable(error, context.network);
  // A sign-in failure while getting the storage token is explained with the sign-in (below, and by explainError).
  if (failure && !/Credential|AuthenticationRequired/.test((error as Error)?.name ?? '')) {
    const doing = {
      read: 'Reading the backups in',
      write: 'Writing metadata on a backup in',
      delete: 'Deleting backups in',
    }[need];
    return unreachableError(
      `${doing} container '${location.container}' of ${account}`,
      failure,
      context.network!,
      account,
    );
  }
  const facts = factsOf(error);
  // Storage names the error in a header; an answer to HEAD (reading one blob) has no body to carry it.
  const headerCode = (error as RestError)?.response?.headers?.get('x-ms-error-code');
  if (!facts.code && headerCode) facts.code = headerCode;
  if (!facts.message.trim()) facts.message = `HTTP ${facts.statusCode ?? 'error'}`;
  // A sign-in failure while getting the storage token is explained like any other sign-in failure.
  if (
    facts.code?.startsWith('AADSTS') ||
    /Credential|AuthenticationRequired/.test((error as Error)?.name ?? '')
  ) {
    return error as Error;
  }
  const code = facts.code ?? (facts.statusCode ? `HTTP ${facts.statusCode}` : undefined);
  const firstLine = facts.message.split('\n')[0];
  const detail =
    code && firstLine !== code && !firstLine.startsWith('HTTP ')
      ? `${code}: ${firstLine}`
      : (code ?? firstLine);
  const doing = {
    read: 'read the backups in',
    write: 'write metadata on a backup in',
    delete: 'delete backups in',
  }[need];
  const role = need === 'read' ? STORAGE_READER : STORAGE_ROLE;
  const firewall = `If the account has a firewall, allow this runner's network (or run on an agent inside it); trusted Azure services do not cover the pipeline.`;
  const what = `Could not ${doing} container '${location.container}' of ${account} (${location.blobEndpoint}) as ${identity}: ${detail}`;

  let hint: string;
  if (
    facts.code === 'AuthorizationPermissionMismatch' ||
    (facts.statusCode === 403 && !location.sharedKey && facts.code !== 'AuthorizationFailure')
  ) {
    hint = `Grant ${identity} '${role}' on ${account} (${need === 'read' ? 'to list and read backups' : 'to delete backups and write their metadata'}); role assignments can take a few minutes to apply. ${firewall}`;
  } else if (facts.code === 'AuthorizationFailure' || facts.code === 'AuthorizationSourceIPMismatch') {
    hint = `The account refuses this network: ${firewall}`;
  } else if (facts.code === 'AuthenticationFailed' || (facts.statusCode === 403 && location.sharedKey)) {
    hint = `Check that the storage key is a current key of ${account} (keys are rotated).`;
  } else if (facts.code === 'ContainerNotFound') {
    hint = `Container '${location.container}' does not exist in ${account}: check the container input (a backup creates it).`;
  } else if (/ENOTFOUND|EAI_AGAIN/.test(facts.message)) {
    hint = `The ${account} was not found (its blob endpoint does not resolve): check the storage account${location.customEndpoint ? ' and blob endpoint' : ''} inputs, and private DNS.`;
  } else if (/ECONNREFUSED|ETIMEDOUT|ECONNRESET|socket hang up/.test(facts.message)) {
    hint = `The ${account} could not be reached from this runner. ${firewall}`;
  } else {
    hint = firewall;
  }
  return new ActionableError(what, facts.code, hint);
}

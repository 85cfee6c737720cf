/**
 * Reads the raw inputs into the typed parts of a configuration, collecting every problem instead of stopping at
 * the first, so a user sees all of them at once and nothing is sent to Azure while there is one.
 */
import { FleetScope, isFleet, parseSelection, Selection } from './selection';
import { Cloud, findCloud, isKnownAuthority } from './clouds';
import { expandBackupName } from './backup-name';
import type {
  ApimStorageAccess,
  ConnectionInputs,
  Instance,
  RunContext,
  StorageAccountScope,
  StorageLocation,
  Timing,
} from './config';
import { parseDuration } from '../base/duration';
import { quoteUrl } from './operation-url';
import {
  checkBlobName,
  checkContainer,
  checkGuid,
  checkHttpUrl,
  checkHttpsUrl,
  checkResourceGroup,
  checkServiceName,
  checkStorageAccount,
  checkStorageKey,
} from './naming-rules';
import {
  DEFAULT_BACKUP_NAME,
  DEFAULT_SAFETY_BACKUP_NAME,
  defaultOf,
  FLEET_OPERATIONS,
  InputKey,
  LATEST,
  OPERATIONS,
  RawInputs,
} from './table';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export interface DurationLimits {
  min: number;
  max: number;
  text: string;
  /** Unit of a bare number. */
  unit: 'd' | 'h' | 'm' | 's';
}

const TIMEOUT_LIMITS: DurationLimits = { min: 1_000, max: DAY, text: 'between 1s and 24h', unit: 'm' };
const POLL_LIMITS: DurationLimits = { min: 1_000, max: 10 * MINUTE, text: 'between 1s and 10m', unit: 's' };

const APIM_ACCESS_SPELLINGS: Record<string, ApimStorageAccess['type'] | 'auto'> = {
  auto: 'auto',
  'access-key': 'AccessKey',
  accesskey: 'AccessKey',
  'system-assigned-identity': 'SystemAssignedManagedIdentity',
  systemassignedmanagedidentity: 'SystemAssignedManagedIdentity',
  'user-assigned-identity': 'UserAssignedManagedIdentity',
  userassignedmanagedidentity: 'UserAssignedManagedIdentity',
};

export class ConfigBuilder {
  readonly problems: string[] = [];

  constructor(
    readonly raw: RawInputs & ConnectionInputs,
    readonly context: RunContext,
  ) {}

  name(key: InputKey): string {
    return this.context.profile.inputName(key);
  }

  report(text: string): void {
    this.problems.push(text);
  }

  /** A problem with one input, quoting its value unless it is a secret. */
  problem(key: InputKey, text: string, showValue = true): void {
    const value = this.raw[key];
    // A URL's user name and password never reach a message.
    this.problems.push(
      `${this.name(key)}${showValue && value !== undefined ? ` '${quoteUrl(value)}'` : ''} ${text}`,
    );
  }

  required(key: InputKey): string {
    const value = this.raw[key];
    if (value === undefined) this.problems.push(`${this.name(key)} is required`);
    return value ?? '';
  }

  checked(key: InputKey, check: (value: string) => string | undefined): string {
    const value = this.required(key);
    const issue = value ? check(value) : undefined;
    if (issue) this.problem(key, issue);
    return value;
  }

  instance(): Instance {
    return {
      subscriptionId: this.checked('subscriptionId', checkGuid),
      resourceGroup: this.checked('resourceGroup', checkResourceGroup),
      serviceName: this.serviceName(),
    };
  }

  serviceName(): string {
    const value = this.raw.serviceName;
    if (isFleet(value)) {
      this.problem(
        'serviceName',
        `names several instances, and ${(OPERATIONS as readonly string[]).includes(this.raw.operation ?? '') ? this.raw.operation : 'this operation'} takes one: name one instance (${FLEET_OPERATIONS.join(', ')} take several)`,
      );
      return '';
    }
    return this.checked('serviceName', checkServiceName);
  }

  /** Where a fleet or discover looks: the subscription, and a resource group unless it is empty. */
  fleetScope(): FleetScope {
    const subscriptionId = this.checked('subscriptionId', checkGuid);
    const resourceGroup = this.raw.resourceGroup;
    const issue = resourceGroup === undefined ? undefined : checkResourceGroup(resourceGroup);
    if (issue) this.problem('resourceGroup', issue);
    return { subscriptionId, resourceGroup };
  }

  /** The instances service-name (default `fallback`) and instance-tags select. */
  selection(fallback?: string): Selection {
    const value = this.raw.serviceName ?? fallback;
    if (value === undefined) this.required('serviceName');
    const { selection, nameProblems, tagProblems } = parseSelection(value ?? '', this.raw.instanceTags);
    for (const problem of nameProblems) this.report(`${this.name('serviceName')} ${problem}`);
    for (const problem of tagProblems) this.report(`${this.name('instanceTags')} ${problem}`);
    if (selection.tags.length > 0 && selection.patterns.length === 0 && nameProblems.length === 0) {
      this.report(
        `${this.name('instanceTags')} narrows what a pattern in ${this.name('serviceName')} finds, and ${this.name('serviceName')} names its instances outright: remove ${this.name('instanceTags')}, or use a pattern such as *`,
      );
    }
    return selection;
  }

  /** The instance whose backups are meant: source-service-name, else service-name. */
  sourceServiceName(): string {
    if (this.raw.sourceServiceName === undefined) return this.serviceName();
    this.serviceName(); // still checked: it names the step
    return this.checked('sourceServiceName', checkServiceName);
  }

  storage(cloud: Cloud | undefined, tokenAccess: boolean): StorageLocation {
    const account = this.checked('storageAccount', checkStorageAccount);
    const container = this.checked('container', checkContainer);
    const key = this.raw.storageKey;
    if (key && checkStorageKey(key)) this.problem('storageKey', checkStorageKey(key)!, false);

    let blobEndpoint = `https://${account}.blob.${cloud?.storageSuffix ?? 'core.windows.net'}`;
    let sharedKeyAccount = account;
    const custom = this.raw.blobEndpoint;
    if (custom !== undefined) {
      const issue = checkHttpUrl(custom, this.name('storageKey'));
      if (issue) this.problem('blobEndpoint', issue);
      else {
        const url = new URL(custom);
        if (url.protocol === 'http:' && tokenAccess) {
          this.problem(
            'blobEndpoint',
            `must be https when the step reads storage with a token; give ${this.name('storageKey')} to use http (e.g. Azurite)`,
          );
        }
        blobEndpoint = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
        // Path-style endpoints (an emulator on an IP address) carry the account name as the first path segment,
        // and Shared Key signatures are computed over that name.
        const pathAccount = url.pathname.split('/').filter(Boolean)[0];
        if (isPathStyleHost(url.hostname) && pathAccount) sharedKeyAccount = pathAccount;
      }
    }
    return {
      account,
      container,
      blobEndpoint,
      customEndpoint: custom !== undefined,
      sharedKey: key ? { accountName: sharedKeyAccount, key } : undefined,
    };
  }

  /** How API Management reaches the storage account. */
  apimAccess(): ApimStorageAccess {
    const { raw } = this;
    const spelled = (raw.storageAccess ?? defaultOf('storageAccess')).toLowerCase();
    let type = Object.hasOwn(APIM_ACCESS_SPELLINGS, spelled) ? APIM_ACCESS_SPELLINGS[spelled] : undefined;
    if (!type) {
      this.problem(
        'storageAccess',
        'must be auto, access-key, system-assigned-identity or user-assigned-identity',
      );
      return { type: 'SystemAssignedManagedIdentity' };
    }
    if (type === 'auto') type = raw.storageKey ? 'AccessKey' : 'SystemAssignedManagedIdentity';

    const change = `remove it or change ${this.name('storageAccess')}`;
    if (type !== 'AccessKey' && raw.storageKey) {
      this.report(`${this.name('storageKey')} is only used with access-key storage access; ${change}`);
    }
    if (type !== 'UserAssignedManagedIdentity' && raw.storageIdentityClientId) {
      this.report(
        `${this.name('storageIdentityClientId')} is only used with user-assigned-identity storage access; ${change}`,
      );
    }
    switch (type) {
      case 'AccessKey':
        if (!raw.storageKey)
          this.report(`${this.name('storageKey')} is required for access-key storage access`);
        return { type, key: raw.storageKey ?? '' };
      case 'UserAssignedManagedIdentity': {
        if (!raw.storageIdentityClientId) {
          this.report(
            `${this.name('storageIdentityClientId')} is required for user-assigned-identity storage access`,
          );
          return { type, clientId: '' };
        }
        const issue = checkGuid(raw.storageIdentityClientId);
        if (issue) this.problem('storageIdentityClientId', issue);
        return { type, clientId: raw.storageIdentityClientId };
      }
      default:
        return { type };
    }
  }

  /** storage-resource-group and storage-subscription-id: where the pre-flight checks find the account. */
  storageAccountScope(): StorageAccountScope {
    const { raw } = this;
    return {
      resourceGroup:
        raw.storageResourceGroup === undefined
          ? undefined
          : this.checked('storageResourceGroup', checkResourceGroup),
      subscriptionId:
        raw.storageSubscriptionId === undefined
          ? undefined
          : this.checked('storageSubscriptionId', checkGuid),
    };
  }

  /** `polls`: whether the operation polls Azure; one that does not neither reads nor checks poll-interval. */
  timing(polls = true): Timing {
    const timeoutMs = this.duration('timeout', TIMEOUT_LIMITS);
    if (!polls) {
      const unused = parseDuration(defaultOf('pollInterval'), POLL_LIMITS.unit) ?? 0;
      return { timeoutMs: timeoutMs ?? 0, pollIntervalMs: unused };
    }
    const pollIntervalMs = this.duration('pollInterval', POLL_LIMITS);
    if (timeoutMs !== undefined && pollIntervalMs !== undefined && pollIntervalMs > timeoutMs) {
      this.report(`${this.name('pollInterval')} must not be longer than ${this.name('timeout')}`);
    }
    return { timeoutMs: timeoutMs ?? 0, pollIntervalMs: pollIntervalMs ?? 0 };
  }

  duration(key: InputKey, limits: DurationLimits): number | undefined {
    const ms = parseDuration(this.raw[key] ?? defaultOf(key), limits.unit);
    if (ms === undefined) {
      const unit = { d: 'days', h: 'hours', m: 'minutes', s: 'seconds' }[limits.unit];
      this.problem(key, `is not a duration: write e.g. 90s, 45m, 1h30m or 7d (a bare number means ${unit})`);
      return undefined;
    }
    if (ms < limits.min || ms > limits.max) {
      this.problem(key, `must be ${limits.text}`);
      return undefined;
    }
    return ms;
  }

  wholeNumber(key: InputKey, min: number, max: number): number {
    const text = this.raw[key] ?? defaultOf(key);
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(value >= min && value <= max)) this.problem(key, `must be a whole number from ${min} to ${max}`);
    return value;
  }

  flag(key: InputKey): boolean {
    const text = (this.raw[key] ?? defaultOf(key)).toLowerCase();
    if (text !== 'true' && text !== 'false') this.problem(key, 'must be true or false');
    return text === 'true';
  }

  /**
   * backup-name expanded for `now`: a new blob's name (default template) or, for a restore, an existing blob's
   * name or `latest`.
   */
  backupName(purpose: 'new' | 'existing', target: Instance): string {
    const { raw } = this;
    if (purpose === 'existing' && raw.backupName === undefined) {
      this.report(
        `${this.name('backupName')} is required for a restore: name the blob to restore from, or write ${LATEST}`,
      );
      return '';
    }
    if (raw.backupName?.toLowerCase() === LATEST) {
      if (purpose === 'existing') return LATEST;
      this.problem('backupName', `is only for a restore: a backup needs the name of a new blob`);
      return '';
    }
    return this.expandName('backupName', raw.backupName ?? DEFAULT_BACKUP_NAME, target);
  }

  /** The name of the safety backup of the target, taken before a restore or copy overwrites it. */
  safetyBackupName(target: Instance): string {
    if (this.raw.safetyBackupName?.toLowerCase() === LATEST) {
      this.problem('safetyBackupName', 'must name a new blob');
      return '';
    }
    return this.expandName(
      'safetyBackupName',
      this.raw.safetyBackupName ?? DEFAULT_SAFETY_BACKUP_NAME,
      target,
    );
  }

  /** The source instance of a copy: its name is required; its resource group and subscription default to the target's. */
  sourceInstance(target: Instance): Instance {
    const { raw } = this;
    if (raw.sourceServiceName === undefined) {
      this.report(`${this.name('sourceServiceName')} is required for a copy: name the instance to copy from`);
    }
    return {
      subscriptionId:
        raw.sourceSubscriptionId === undefined
          ? target.subscriptionId
          : this.checked('sourceSubscriptionId', checkGuid),
      resourceGroup:
        raw.sourceResourceGroup === undefined
          ? target.resourceGroup
          : this.checked('sourceResourceGroup', checkResourceGroup),
      serviceName:
        raw.sourceServiceName === undefined ? '' : this.checked('sourceServiceName', checkServiceName),
    };
  }

  /** A blob name template expanded for this run, checked against the blob naming rules. */
  private expandName(key: 'backupName' | 'safetyBackupName', template: string, target: Instance): string {
    const expanded = expandBackupName(template, {
      ...target,
      now: this.context.now,
      runId: this.context.runId,
    });
    if (!expanded.ok) {
      this.report(`${this.name(key)} '${template}': ${expanded.problem}`);
      return '';
    }
    const issue = checkBlobName(expanded.name);
    if (issue) this.report(`${this.name(key)} '${expanded.name}' ${issue}`);
    return expanded.name;
  }

  cloud(): Cloud | undefined {
    const { raw } = this;
    const base = findCloud(raw.environment ?? defaultOf('environment'));
    if (!base) this.problem('environment', 'must be AzureCloud, AzureUSGovernment or AzureChinaCloud');
    for (const key of ['resourceManagerEndpoint', 'authorityHost'] as const) {
      const issue = raw[key] ? checkHttpsUrl(raw[key]) : undefined;
      if (issue) this.problem(key, issue);
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
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function isPathStyleHost(hostname: string): boolean {
  return hostname === 'localhost' || /^[\d.]+$/.test(hostname) || hostname.startsWith('[');
}

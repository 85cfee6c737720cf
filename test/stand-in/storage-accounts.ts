/**
 * Microsoft.Storage/storageAccounts as Resource Manager shows them (api-version 2023-05-01): the account with its
 * Shared Key setting, firewall and private endpoints, and its Blob service with CORS rules. Tests set each
 * account's settings; a default account is sound (Shared Key allowed, no firewall, no CORS).
 */
import { json, Reply } from './http';

export interface StorageAccountSpec {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location?: string;
  /** false: Shared Key refused (common under Azure Policy). Default: absent, which means allowed. */
  allowSharedKeyAccess?: boolean;
  publicNetworkAccess?: 'Enabled' | 'Disabled' | 'SecuredByPerimeter';
  /** The firewall; default none (Allow). */
  networkAcls?: {
    defaultAction: 'Allow' | 'Deny';
    /** "AzureServices", "Logging, Metrics", "None" … Default "AzureServices", as Azure sets it. */
    bypass?: string;
    ipRules?: string[];
    /** Subnet resource IDs. */
    virtualNetworkRules?: string[];
    /** Resource IDs (wildcards allowed) let through with their system-assigned identity. */
    resourceAccessRules?: string[];
  };
  /** Approved private endpoint connections. */
  privateEndpoints?: number;
  isHnsEnabled?: boolean;
  corsRules?: { allowedOrigins: string[]; allowedMethods: string[] }[];
}

export class StorageAccountState {
  readonly id: string;

  constructor(readonly spec: StorageAccountSpec) {
    this.id = `/subscriptions/${spec.subscriptionId}/resourceGroups/${spec.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${spec.name}`;
  }

  resource(): Record<string, unknown> {
    const { spec } = this;
    const acls = spec.networkAcls ?? { defaultAction: 'Allow' as const };
    return {
      id: this.id,
      name: spec.name,
      type: 'Microsoft.Storage/storageAccounts',
      location: spec.location ?? 'westeurope',
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS', tier: 'Standard' },
      properties: {
        provisioningState: 'Succeeded',
        primaryEndpoints: { blob: `https://${spec.name}.blob.core.windows.net/` },
        ...(spec.allowSharedKeyAccess === undefined
          ? {}
          : { allowSharedKeyAccess: spec.allowSharedKeyAccess }),
        publicNetworkAccess: spec.publicNetworkAccess ?? 'Enabled',
        isHnsEnabled: spec.isHnsEnabled ?? false,
        minimumTlsVersion: 'TLS1_2',
        networkAcls: {
          defaultAction: acls.defaultAction,
          bypass: acls.bypass ?? 'AzureServices',
          ipRules: (acls.ipRules ?? []).map((value) => ({ value, action: 'Allow' })),
          virtualNetworkRules: (acls.virtualNetworkRules ?? []).map((id) => ({
            id,
            action: 'Allow',
            state: 'Succeeded',
          })),
          resourceAccessRules: (acls.resourceAccessRules ?? []).map((resourceId) => ({
            tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
            resourceId,
          })),
        },
        privateEndpointConnections: Array.from({ length: spec.privateEndpoints ?? 0 }, (_, i) => ({
          id: `${this.id}/privateEndpointConnections/pe-${i}`,
          properties: {
            privateEndpoint: {
              id: `/subscriptions/${spec.subscriptionId}/resourceGroups/${spec.resourceGroup}/providers/Microsoft.Network/privateEndpoints/pe-${i}`,
            },
            privateLinkServiceConnectionState: { status: 'Approved', description: 'Auto-Approved' },
            provisioningState: 'Succeeded',
          },
        })),
      },
    };
  }

  blobService(): Record<string, unknown> {
    return {
      id: `${this.id}/blobServices/default`,
      name: 'default',
      type: 'Microsoft.Storage/storageAccounts/blobServices',
      properties: {
        cors: {
          corsRules: (this.spec.corsRules ?? []).map((rule) => ({
            allowedOrigins: rule.allowedOrigins,
            allowedMethods: rule.allowedMethods,
            maxAgeInSeconds: 200,
            exposedHeaders: ['*'],
            allowedHeaders: ['*'],
          })),
        },
        deleteRetentionPolicy: { enabled: false },
      },
    };
  }
}

const ACCOUNT_PATH =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+)(\/blobServices\/default)?\/?$/i;
const LIST_PATH = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Storage\/storageAccounts\/?$/i;

export class StorageAccounts {
  private readonly accounts: StorageAccountState[] = [];

  add(spec: StorageAccountSpec): StorageAccountState {
    const account = new StorageAccountState(spec);
    this.accounts.push(account);
    return account;
  }

  inSubscription(subscriptionId: string): StorageAccountState[] {
    return this.accounts.filter((account) => same(account.spec.subscriptionId, subscriptionId));
  }

  inResourceGroup(subscriptionId: string, resourceGroup: string): StorageAccountState[] {
    return this.inSubscription(subscriptionId).filter((account) =>
      same(account.spec.resourceGroup, resourceGroup),
    );
  }

  /** The account at an ARM ID (or a scope below it), case-insensitively. */
  at(scope: string): StorageAccountState | undefined {
    const lower = scope.toLowerCase();
    return this.accounts.find(
      (account) => lower === account.id.toLowerCase() || lower.startsWith(`${account.id.toLowerCase()}/`),
    );
  }

  /** GETs of the storage paths; undefined for other paths. */
  route(path: string): Reply | undefined {
    const list = LIST_PATH.exec(path);
    if (list) return json(200, { value: this.inSubscription(list[1]).map((account) => account.resource()) });
    const match = ACCOUNT_PATH.exec(path);
    if (!match) return undefined;
    const [, subscriptionId, resourceGroup, name, blobService] = match;
    const account = this.inResourceGroup(subscriptionId, resourceGroup).find((candidate) =>
      same(candidate.spec.name, name),
    );
    if (!account) {
      return json(404, {
        error: {
          code: 'ResourceNotFound',
          message: `The Resource 'Microsoft.Storage/storageAccounts/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
        },
      });
    }
    return json(200, blobService ? account.blobService() : account.resource());
  }
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

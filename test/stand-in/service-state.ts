/** One API Management instance of the stand-in: what tests set (behaviour) and the resource a GET returns. */
import type { BackupRestoreParameters } from './backup-parameters';
import type { RecordedOperation } from './replay';
import { objectIdOf } from './tokens';

export interface ServiceBehaviour {
  /** GET answers these. */
  sku: string;
  provisioningState: string;
  /** The next N GETs of the service answer 'Updating' (counts down), and a start meanwhile conflicts. */
  updatingForGets: number;
  /** Operation-result GETs answering 202 before the operation may complete. */
  operationPolls: number;
  /** And at least this long since the start: the operation's time, after which the instance leaves Updating. */
  operationMs: number;
  /**
   * How long after an operation's start the instance shows Updating, when it should differ from the operation's
   * time: shorter leaves Updating early (while the status URL still answers 202), Infinity stays Updating after
   * the operation is done. Default: operationMs (until the operation's time is up), or for ever with neverFinishes.
   */
  updatingMs?: number;
  /** Retry-After on the 202 start answer and the 202 poll answers. */
  retryAfterSeconds?: number;
  /** The first N operation-result GETs of each operation answer 429 with Retry-After: 1. */
  throttledPolls: number;
  /** POST backup/restore answers this at once. */
  startError?: { status: number; code: string; message: string };
  /** The operation ends with this error (status defaults to 400) instead of doing its work. */
  failure?: {
    status?: number;
    code: string;
    message: string;
    /** Only this kind fails; default both. */ kind?: 'backup' | 'restore';
  };
  /** Operation results stay 202 (read live: clear it to let the operation finish). */
  neverFinishes: boolean;
  /**
   * Each 202 poll answer names the status at a new URL (a Location with a new id, which the stand-in answers too),
   * as an operation whose status moves would.
   */
  movesStatus: boolean;
  /**
   * Backup and restore answer as Azure did in a recording (replay.ts) instead of as the stand-in would: every POST
   * of a recorded kind gets the recorded answer, and its polls the recorded answers in order; the work (writing or
   * reading the blob) is done when the recorded 200 is served, and a failure answered instead.
   */
  replay?: RecordedOperation[];
}

/** What the pre-flight checks read of an instance: its identities, network and workspace gateways. */
export interface ServiceSetup {
  /** Default SystemAssigned. */
  identity: 'SystemAssigned' | 'UserAssigned' | 'SystemAssigned, UserAssigned' | 'None';
  /** Client IDs of the user-assigned identities attached (with identity UserAssigned or both). */
  userAssignedClientIds: string[];
  /** Default ['20.50.0.10']. */
  publicIPAddresses: string[];
  /** Default None; External or Internal with subnetResourceId. */
  virtualNetworkType: 'None' | 'External' | 'Internal';
  subnetResourceId?: string;
  /** Workspaces and the workspace gateways each is linked to; default none. */
  workspaceGateways: { workspace: string; gateways: string[] }[];
  /**
   * The data role every identity of the instance gets on its subscription when it is added (the stand-in's sound
   * default); null: none.
   */
  storageRole: string | null;
}

export type ServiceSpec = {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  sku?: string;
  location?: string;
  /** Resource tags, as ARM returns them on the service and in the service list. */
  tags?: Record<string, string>;
} & Partial<ServiceBehaviour> &
  Partial<ServiceSetup>;
export interface OperationRecord {
  id: string;
  kind: 'backup' | 'restore';
  parameters: BackupRestoreParameters;
  /** The Location URL handed out. */
  url: string;
  startedAt: number;
  /** Operation-result GETs answered so far, throttled ones included. */
  polls: number;
  status: 'InProgress' | 'Succeeded' | 'Failed';
  error?: { code: string; message: string };
  finishedAt?: number;
}
const BUSY_STATES = new Set(['Created', 'Activating', 'Updating', 'Terminating', 'Deleting']);

export class ServiceState {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  readonly tags: Record<string, string>;
  readonly behaviour: ServiceBehaviour;
  readonly setup: ServiceSetup;
  readonly operations: OperationRecord[] = [];
  /** Service GETs answered so far. */
  gets = 0;
  /** The instance whose backup was last restored into this one (the stand-in's stand-in for its configuration). */
  restoredFrom?: string;
  private readonly createdAt = new Date().toISOString();
  private version = 1;

  constructor(spec: ServiceSpec) {
    const {
      subscriptionId,
      resourceGroup,
      name,
      location,
      tags,
      identity,
      userAssignedClientIds,
      publicIPAddresses,
      virtualNetworkType,
      subnetResourceId,
      workspaceGateways,
      storageRole,
      ...behaviour
    } = spec;
    this.setup = {
      identity: identity ?? 'SystemAssigned',
      userAssignedClientIds: userAssignedClientIds ?? [],
      publicIPAddresses: publicIPAddresses ?? ['20.50.0.10'],
      virtualNetworkType: virtualNetworkType ?? 'None',
      subnetResourceId,
      workspaceGateways: workspaceGateways ?? [],
      storageRole: storageRole === undefined ? 'Storage Blob Data Contributor' : storageRole,
    };
    this.subscriptionId = subscriptionId;
    this.resourceGroup = resourceGroup;
    this.name = name;
    this.location = location ?? 'West Europe';
    this.tags = tags ?? {};
    this.id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ApiManagement/service/${name}`;
    this.behaviour = {
      sku: 'Developer',
      provisioningState: 'Succeeded',
      updatingForGets: 0,
      operationPolls: 1,
      operationMs: 0,
      throttledPolls: 0,
      neverFinishes: false,
      movesStatus: false,
      ...behaviour,
    };
  }

  /** The system-assigned identity's principal ID, when it has one. */
  get principalId(): string | undefined {
    return /SystemAssigned/.test(this.setup.identity) ? objectIdOf(this.id) : undefined;
  }

  /** The principal IDs of every identity of the instance. */
  get principalIds(): string[] {
    return [
      ...(this.principalId ? [this.principalId] : []),
      ...this.setup.userAssignedClientIds.map((clientId) => objectIdOf(clientId)),
    ];
  }

  /** GET …/workspaceLinks, as the 2024-05-01 spec shapes it. */
  workspaceLinks(): Record<string, unknown>[] {
    const base = `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}/providers/Microsoft.ApiManagement`;
    return this.setup.workspaceGateways.map(({ workspace, gateways }) => ({
      id: `${this.id}/workspaceLinks/${workspace}`,
      name: workspace,
      type: 'Microsoft.ApiManagement/service/workspaceLinks',
      properties: {
        workspaceId: `${this.id}/workspaces/${workspace}`,
        gateways: gateways.map((gateway) => ({ id: `${base}/gateways/${gateway}` })),
      },
    }));
  }

  get running(): OperationRecord | undefined {
    return this.operations.find((operation) => operation.status === 'InProgress');
  }

  /** The state a GET would answer now, without counting down updatingForGets. */
  get provisioningState(): string {
    if (this.showsOperation() || this.behaviour.updatingForGets > 0) return 'Updating';
    return this.behaviour.provisioningState;
  }

  /**
   * The last operation keeps the instance Updating until its time is up (whether or not the status URL was asked
   * since), or for updatingMs when set.
   */
  private showsOperation(): boolean {
    const last = this.operations.at(-1);
    if (!last) return false;
    const { updatingMs, operationMs, neverFinishes } = this.behaviour;
    if (updatingMs === undefined && neverFinishes && last.status === 'InProgress') return true;
    return Date.now() - last.startedAt < (updatingMs ?? operationMs);
  }

  /** Answers a GET of the service (counting down updatingForGets). */
  read(): Record<string, unknown> {
    const state = this.provisioningState;
    this.gets += 1;
    if (!this.running && this.behaviour.updatingForGets > 0) this.behaviour.updatingForGets -= 1;
    return this.resource(state);
  }

  /** The resource as the 2024-05-01 spec shapes it. */
  resource(provisioningState = this.provisioningState): Record<string, unknown> {
    const { name, behaviour } = this;
    return {
      id: this.id,
      name,
      type: 'Microsoft.ApiManagement/service',
      location: this.location,
      etag: Buffer.from(`etag-${name}-${this.version}`).toString('base64').slice(0, 12),
      tags: this.tags,
      sku: { name: behaviour.sku, capacity: behaviour.sku === 'Consumption' ? 0 : 1 },
      identity: this.identityResource(),
      properties: {
        publisherEmail: 'apim-admin@contoso.com',
        publisherName: 'Contoso',
        notificationSenderEmail: 'apimgmt-noreply@mail.windowsazure.com',
        provisioningState,
        targetProvisioningState: provisioningState === 'Updating' ? 'Succeeded' : '',
        createdAtUtc: this.createdAt,
        gatewayUrl: `https://${name}.azure-api.net`,
        portalUrl: `https://${name}.portal.azure-api.net`,
        developerPortalUrl: `https://${name}.developer.azure-api.net`,
        managementApiUrl: `https://${name}.management.azure-api.net`,
        scmUrl: `https://${name}.scm.azure-api.net`,
        hostnameConfigurations: [
          {
            type: 'Proxy',
            hostName: `${name}.azure-api.net`,
            negotiateClientCertificate: false,
            defaultSslBinding: true,
            certificateSource: 'BuiltIn',
          },
        ],
        publicIPAddresses: this.setup.publicIPAddresses,
        virtualNetworkType: this.setup.virtualNetworkType,
        ...(this.setup.subnetResourceId
          ? { virtualNetworkConfiguration: { subnetResourceId: this.setup.subnetResourceId } }
          : {}),
        disableGateway: false,
        natGatewayState: 'Disabled',
        apiVersionConstraint: {},
        publicNetworkAccess: 'Enabled',
        platformVersion: behaviour.sku.endsWith('V2') ? 'mtv1' : 'stv2',
      },
    };
  }

  private identityResource(): Record<string, unknown> {
    const { identity, userAssignedClientIds } = this.setup;
    if (identity === 'None') return { type: 'None' };
    const userAssigned = /UserAssigned/.test(identity)
      ? {
          userAssignedIdentities: Object.fromEntries(
            userAssignedClientIds.map((clientId, i) => [
              `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-${this.name}-${i + 1}`,
              { principalId: objectIdOf(clientId), clientId },
            ]),
          ),
        }
      : {};
    return {
      type: identity,
      ...(this.principalId ? { principalId: this.principalId, tenantId: objectIdOf('tenant') } : {}),
      ...userAssigned,
    };
  }

  /** Bumps the etag when an operation changes the instance. */
  touch(): void {
    this.version += 1;
  }

  /** A start now would conflict: an operation runs or the instance is in a transitional state. */
  get busy(): boolean {
    return this.running !== undefined || BUSY_STATES.has(this.provisioningState);
  }
}

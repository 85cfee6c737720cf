/**
 * The Resource Manager reads of the pre-flight checks and of operation: check — storage accounts and their Blob
 * service, role assignments and definitions, an instance's workspace links, the caller's own permissions — through
 * one pipeline signed in with the step's credential. A read never throws for an answer Azure gave: it
 * says whether the step may not read it (401/403), it is not there (404), or no answer came, so a pre-flight check
 * can be skipped with the right reason instead of failing the step. Each URL is read once per run.
 */
import {
  bearerTokenAuthenticationPolicy,
  createPipelineFromOptions,
  createPipelineRequest,
  HttpClient,
  Pipeline,
  PipelineResponse,
} from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import type { Network } from '../net/network';
import { sdkHttpClient } from '../net/sdk-http';
import type { Logger } from '../ports';
import type { Cloud } from '../inputs/clouds';
import type { Deadline } from '../base/deadline';

const STORAGE_API = '2023-05-01';
const AUTHORIZATION_API = '2022-04-01';
const APIM_API = '2024-05-01';
/** A list that pages on for longer is not something a pre-flight check should wait for. */
const MAX_PAGES = 20;

export interface StorageAccount {
  id: string;
  name: string;
  location?: string;
  properties?: {
    /** false: Shared Key (the access key) is refused; null or absent means allowed. */
    allowSharedKeyAccess?: boolean | null;
    /** Enabled, Disabled or SecuredByPerimeter. */
    publicNetworkAccess?: string;
    isHnsEnabled?: boolean;
    networkAcls?: {
      defaultAction?: string;
      /** e.g. "AzureServices", "Logging, Metrics", "None". */
      bypass?: string;
      ipRules?: { value: string; action?: string }[];
      virtualNetworkRules?: { id: string; action?: string; state?: string }[];
      resourceAccessRules?: { tenantId?: string; resourceId?: string }[];
    };
    privateEndpointConnections?: {
      properties?: { privateLinkServiceConnectionState?: { status?: string } };
    }[];
  };
}

export interface BlobService {
  id?: string;
  properties?: { cors?: { corsRules?: { allowedOrigins?: string[]; allowedMethods?: string[] }[] } };
}

export interface RoleAssignment {
  id?: string;
  properties: { roleDefinitionId: string; principalId: string; scope: string; condition?: string | null };
}

export interface Permission {
  actions?: string[];
  notActions?: string[];
  dataActions?: string[];
  notDataActions?: string[];
}

export interface RoleDefinition {
  id: string;
  /** The role's GUID: the same for a built-in role at every scope. */
  name: string;
  properties: { roleName: string; type?: string; permissions: Permission[] };
}

export interface WorkspaceLink {
  id?: string;
  name?: string;
  properties?: { workspaceId?: string; gateways?: { id: string }[] };
}

/** What a read found; on failure, why, in words for a message. */
export type Read<T> = { ok: true; value: T; resource: string } | ReadFailure;

export interface ReadFailure {
  ok: false;
  /** denied: 401/403; not-found: 404; unreachable: no answer (network); failed: any other answer. */
  reason: 'denied' | 'not-found' | 'unreachable' | 'failed';
  /** The resource read, as an ARM path without the query. */
  resource: string;
  /** e.g. "HTTP 403 AuthorizationFailed: The client … does not have authorization …". */
  detail: string;
}

export function storageAccountId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Storage/storageAccounts/${name}`;
}

export class ArmResources {
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;
  private readonly endpoint: string;
  private readonly reads = new Map<string, Promise<Read<unknown>>>();
  /** Requests sent so far (pages of a list each count), for the log and the benchmark. */
  requests = 0;

  constructor(
    credential: TokenCredential,
    cloud: Cloud,
    private readonly deadline: Deadline,
    private readonly log: Logger,
    network: Network,
  ) {
    this.endpoint = cloud.resourceManagerEndpoint;
    this.httpClient = sdkHttpClient(network);
    this.pipeline = createPipelineFromOptions({
      userAgentOptions: { userAgentPrefix: 'apim-backup-restore' },
      // A check is worth a short retry, not a long one: a read that stays unanswered is skipped with a warning.
      retryOptions: { maxRetries: 2, retryDelayInMs: 500, maxRetryDelayInMs: 2_000 },
    });
    this.pipeline.addPolicy(
      bearerTokenAuthenticationPolicy({ credential, scopes: `${this.endpoint}/.default` }),
    );
  }

  /** Storage accounts of a subscription (only those the step may see). */
  storageAccounts(subscriptionId: string): Promise<Read<StorageAccount[]>> {
    return this.list(
      `/subscriptions/${subscriptionId}/providers/Microsoft.Storage/storageAccounts`,
      STORAGE_API,
    );
  }

  storageAccount(id: string): Promise<Read<StorageAccount>> {
    return this.get(id, STORAGE_API);
  }

  blobService(accountId: string): Promise<Read<BlobService>> {
    return this.get(`${accountId}/blobServices/default`, STORAGE_API);
  }

  /** Assignments that apply at the scope (inherited ones included) to the principal or a group it is in. */
  roleAssignments(scope: string, principalId: string): Promise<Read<RoleAssignment[]>> {
    return this.list(`${scope}/providers/Microsoft.Authorization/roleAssignments`, AUTHORIZATION_API, {
      $filter: `assignedTo('${principalId}')`,
    });
  }

  /** Role definitions usable at the scope: every built-in role, and custom roles assignable there. */
  roleDefinitions(scope: string): Promise<Read<RoleDefinition[]>> {
    return this.list(`${scope}/providers/Microsoft.Authorization/roleDefinitions`, AUTHORIZATION_API);
  }

  roleDefinition(id: string): Promise<Read<RoleDefinition>> {
    return this.get(id, AUTHORIZATION_API);
  }

  /** An instance's workspaces and the workspace gateways each is linked to. */
  workspaceLinks(instanceId: string): Promise<Read<WorkspaceLink[]>> {
    return this.list(`${instanceId}/workspaceLinks`, APIM_API);
  }

  /** What the signed-in identity itself may do at the scope. */
  permissions(scope: string): Promise<Read<Permission[]>> {
    return this.list(`${scope}/providers/Microsoft.Authorization/permissions`, AUTHORIZATION_API);
  }

  private get<T>(path: string, apiVersion: string, query: Record<string, string> = {}): Promise<Read<T>> {
    const url = `${this.endpoint}${path}?${new URLSearchParams({ ...query, 'api-version': apiVersion }).toString()}`;
    return this.read(url, path) as Promise<Read<T>>;
  }

  /** Every page of a list (`value`, `nextLink`), as one read. */
  private async list<T>(
    path: string,
    apiVersion: string,
    query: Record<string, string> = {},
  ): Promise<Read<T[]>> {
    const first = await this.get<{ value?: T[]; nextLink?: string }>(path, apiVersion, query);
    if (!first.ok) return first;
    const items = [...(first.value.value ?? [])];
    let next = first.value.nextLink;
    for (let page = 1; next && page < MAX_PAGES; page++) {
      // The token goes to the Resource Manager host and nowhere else.
      if (new URL(next).origin !== new URL(this.endpoint).origin) {
        return { ok: false, reason: 'failed', resource: path, detail: `nextLink leaves ${this.endpoint}` };
      }
      const more = (await this.read(next, path)) as Read<{ value?: T[]; nextLink?: string }>;
      if (!more.ok) return more;
      items.push(...(more.value.value ?? []));
      next = more.value.nextLink;
    }
    return { ok: true, value: items, resource: path };
  }

  private read(url: string, resource: string): Promise<Read<unknown>> {
    let pending = this.reads.get(url);
    if (!pending) {
      pending = this.send(url, resource);
      this.reads.set(url, pending);
    }
    return pending;
  }

  private async send(url: string, resource: string): Promise<Read<unknown>> {
    this.requests += 1;
    let response: PipelineResponse;
    try {
      response = await this.deadline.race(`reading ${resource} for the pre-flight checks`, (abortSignal) =>
        this.pipeline.sendRequest(
          this.httpClient,
          createPipelineRequest({ url, method: 'GET', abortSignal }),
        ),
      );
    } catch (error) {
      // The deadline, a cancel and a failed sign-in are the step's to report, not a check's.
      if (this.deadline.ended || isSignInError(error)) throw error;
      const failed = error as { code?: string; response?: PipelineResponse; message?: string };
      if (failed.code === 'PARSE_ERROR' && failed.response) response = failed.response;
      else {
        return {
          ok: false,
          reason: 'unreachable',
          resource,
          detail: firstLine(failed.message ?? String(error)),
        };
      }
    }
    this.log.debug(`GET ${url.split('?')[0]}: HTTP ${response.status}`);
    if (response.status >= 200 && response.status < 300) {
      try {
        return { ok: true, value: JSON.parse(response.bodyAsText || '{}'), resource };
      } catch {
        return {
          ok: false,
          reason: 'failed',
          resource,
          detail: `HTTP ${response.status} with a body that is not JSON`,
        };
      }
    }
    const reason =
      response.status === 401 || response.status === 403
        ? 'denied'
        : response.status === 404
          ? 'not-found'
          : 'failed';
    return { ok: false, reason, resource, detail: describeError(response) };
  }
}

function describeError(response: PipelineResponse): string {
  try {
    const { error } = JSON.parse(response.bodyAsText ?? '') as {
      error?: { code?: string; message?: string };
    };
    if (error?.code || error?.message) {
      return `HTTP ${response.status} ${error.code ?? ''}: ${firstLine(error.message ?? '')}`.replace(
        ' :',
        ':',
      );
    }
  } catch {
    // Not JSON: the status says it.
  }
  return `HTTP ${response.status}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

/** @azure/identity's failures: the sign-in itself failed, which every later request would meet too. */
export function isSignInError(error: unknown): boolean {
  const name = (error as Error)?.name ?? '';
  return /CredentialUnavailableError|AuthenticationError|AuthenticationRequiredError/.test(name);
}

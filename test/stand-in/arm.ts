/**
 * Azure Resource Manager in front of the APIM stand-in: bearer-token check, api-version, authorization, and
 * ARM's not-found answers, in the order and wording ARM uses. Paths match case-insensitively, as in ARM. Besides
 * the instances it serves what the pre-flight checks read: storage accounts, role assignments and definitions,
 * the caller's permissions and an instance's workspace links.
 */
import { randomUUID } from 'node:crypto';
import { ApiManagement } from './apim';
import { Authorization } from './authorization';
import { bearerToken, json, RecordedRequest, Reply } from './http';
import type { StorageAccounts } from './storage-accounts';
import { AccessTokenRecord, entraTime, objectIdOf, TokenRegistry } from './tokens';

const SERVICE_PATH =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)(?:\/(backup|restore|workspaceLinks|operationresults\/([^/]+)))?\/?$/i;
const SUBSCRIPTION = /^\/subscriptions\/([^/]+)/i;
const RESOURCE_GROUP = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)/i;

/** The service list of a subscription or of one of its resource groups. */
const LIST_PATH =
  /^\/subscriptions\/([^/]+)(?:\/resourceGroups\/([^/]+))?\/providers\/Microsoft\.ApiManagement\/service\/?$/i;

// Real ARM accepts its own audiences too, so a token asked for with the public ARM scope works here as well.
const ARM_AUDIENCES = ['https://management.azure.com', 'https://management.core.windows.net'];

export class Arm {
  private readonly denied = new Set<string>();
  private readonly deniedActions = new Set<string>();
  /** Per principal, the resource providers whose resources it may not read (it lacks Reader on them). */
  private readonly deniedReads = new Map<string, Set<string>>();

  constructor(
    private readonly baseUrl: () => string,
    private readonly tokens: TokenRegistry,
    private readonly apim: ApiManagement,
    private readonly storage: StorageAccounts,
    private readonly authorization: Authorization,
  ) {}

  /** ARM answers 403 AuthorizationFailed to this principal (on one subscription, or on all). */
  deny(clientId: string, subscriptionId = '*'): void {
    this.denied.add(`${clientId}/${subscriptionId}`.toLowerCase());
  }

  /** ARM answers 403 AuthorizationFailed to this principal for this one action, e.g. `…/operationresults/read`. */
  denyAction(clientId: string, action: string): void {
    this.deniedActions.add(`${clientId}/${action}`.toLowerCase());
  }

  /** ARM answers 403 AuthorizationFailed to this principal's reads of these providers' resources (e.g. Microsoft.Storage). */
  denyReads(clientId: string, providers: string[]): void {
    const set = this.deniedReads.get(clientId.toLowerCase()) ?? new Set<string>();
    for (const provider of providers) set.add(provider.toLowerCase());
    this.deniedReads.set(clientId.toLowerCase(), set);
  }

  allowReads(clientId: string): void {
    this.deniedReads.delete(clientId.toLowerCase());
  }

  async route(request: RecordedRequest): Promise<Reply | undefined> {
    if (!/^\/subscriptions\//i.test(request.path)) return undefined;
    const reply = await this.handle(request);
    const headers = {
      'x-ms-request-id': randomUUID(),
      'x-ms-correlation-request-id': request.headers['x-ms-correlation-request-id'] ?? randomUUID(),
      ...reply.headers,
    };
    return { ...reply, headers };
  }

  private async handle(request: RecordedRequest): Promise<Reply> {
    const principal = this.authenticate(request);
    if ('status' in principal) return principal;
    const apiVersion = request.query['api-version'];
    if (!apiVersion) {
      return armError(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    const list = LIST_PATH.exec(request.path);
    if (list) return this.list(request, principal.principal, list[1], list[2], apiVersion);
    if (Authorization.match(request.path) || /\/providers\/Microsoft\.Storage\//i.test(request.path)) {
      return this.readResource(request, principal.principal);
    }
    // Azure answers `…/service/{name}//operationresults/{id}` (its own first Location in 2019–2021) as the same URL.
    const match = SERVICE_PATH.exec(request.path.replace(/\/{2,}/g, '/'));
    if (!match) {
      return armError(
        404,
        'NotFound',
        `The stand-in has no ARM resource at '${request.method} ${request.path}'.`,
      );
    }
    const [, subscriptionId, resourceGroup, name, verb, operationId] = match;
    const kind = verb?.toLowerCase();
    const expectedMethod = kind === 'backup' || kind === 'restore' ? 'POST' : 'GET';
    const readsDenied =
      kind === 'workspacelinks' && this.readDenied(principal.principal, 'Microsoft.ApiManagement');
    if (request.method !== expectedMethod) {
      return armError(
        405,
        'UnsupportedHttpMethod',
        `The stand-in does not support '${request.method}' on '${request.path}'.`,
      );
    }
    if (!this.hasSubscription(subscriptionId)) {
      return armError(
        404,
        'SubscriptionNotFound',
        `The subscription '${subscriptionId}' could not be found.`,
      );
    }
    const scope = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ApiManagement/service/${name}`;
    const action = `Microsoft.ApiManagement/service/${
      kind === 'backup' || kind === 'restore'
        ? `${kind}/action`
        : operationId !== undefined
          ? 'operationresults/read'
          : 'read'
    }`;
    if (
      this.isDenied(principal.principal, subscriptionId) ||
      this.deniedActions.has(`${principal.principal}/${action}`.toLowerCase())
    ) {
      return armError(
        403,
        'AuthorizationFailed',
        `The client '${principal.principal}' with object id '${objectIdOf(principal.principal)}' does not have authorization to perform action '${action}' over scope '${operationId === undefined ? scope : `${scope}/operationresults/${operationId}`}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      );
    }
    if (!this.apim.hasResourceGroup(subscriptionId, resourceGroup)) {
      return armError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
    }
    const service = this.apim.find(subscriptionId, resourceGroup, name);
    if (!service) {
      return armError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.ApiManagement/service/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
      );
    }
    if (kind === 'backup' || kind === 'restore') {
      // The operation URL is on the host the client called, as ARM's Location is.
      const origin = request.origin ?? this.baseUrl();
      return this.apim.start(service, kind, request.body, origin, apiVersion);
    }
    if (kind === 'workspacelinks') {
      if (readsDenied)
        return this.forbidden(
          principal.principal,
          'Microsoft.ApiManagement/service/workspaceLinks/read',
          scope,
        );
      return json(200, { value: service.workspaceLinks() });
    }
    if (operationId !== undefined) return this.apim.poll(service, operationId);
    return json(200, service.read());
  }

  /** GET …/providers/Microsoft.ApiManagement/service, a page at a time, with ARM's not-found and 403 answers. */
  private list(
    request: RecordedRequest,
    principal: string,
    subscriptionId: string,
    resourceGroup: string | undefined,
    apiVersion: string,
  ): Reply {
    if (request.method !== 'GET') {
      return armError(
        405,
        'UnsupportedHttpMethod',
        `The stand-in does not support '${request.method}' on '${request.path}'.`,
      );
    }
    if (!this.apim.hasSubscription(subscriptionId)) {
      return armError(
        404,
        'SubscriptionNotFound',
        `The subscription '${subscriptionId}' could not be found.`,
      );
    }
    const scope = `/subscriptions/${subscriptionId}${resourceGroup === undefined ? '' : `/resourceGroups/${resourceGroup}`}`;
    if (this.isDenied(principal, subscriptionId)) {
      return armError(
        403,
        'AuthorizationFailed',
        `The client '${principal}' with object id '${objectIdOf(principal)}' does not have authorization to perform action 'Microsoft.ApiManagement/service/read' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      );
    }
    if (resourceGroup !== undefined && !this.apim.hasResourceGroup(subscriptionId, resourceGroup)) {
      return armError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
    }
    const services = this.apim.list(subscriptionId, resourceGroup);
    return this.apim.listPage(
      services,
      request.query.$skipToken,
      `${this.baseUrl()}${request.path}`,
      apiVersion,
    );
  }

  /** GETs of storage accounts and of Microsoft.Authorization at a scope, in ARM's order of checks. */
  private readResource(request: RecordedRequest, clientId: string): Reply {
    const { path } = request;
    if (request.method !== 'GET') {
      return armError(
        405,
        'UnsupportedHttpMethod',
        `The stand-in does not support '${request.method}' on '${path}'.`,
      );
    }
    const subscriptionId = SUBSCRIPTION.exec(path)?.[1] ?? '';
    if (!this.hasSubscription(subscriptionId)) {
      return armError(
        404,
        'SubscriptionNotFound',
        `The subscription '${subscriptionId}' could not be found.`,
      );
    }
    const authorization = Authorization.match(path);
    const scope = authorization?.scope ?? path;
    const action = authorization
      ? `Microsoft.Authorization/${authorization.kind === 'roleassignments' ? 'roleAssignments' : 'roleDefinitions'}/read`
      : 'Microsoft.Storage/storageAccounts/read';
    // Anyone may read their own permissions.
    const own = authorization?.kind === 'permissions';
    if (
      !own &&
      (this.isDenied(clientId, subscriptionId) || this.readDenied(clientId, action.split('/')[0]))
    ) {
      return this.forbidden(clientId, action, scope);
    }
    const resourceGroup = RESOURCE_GROUP.exec(path)?.[1];
    if (
      resourceGroup !== undefined &&
      !this.apim.hasResourceGroup(subscriptionId, resourceGroup) &&
      this.storage.inResourceGroup(subscriptionId, resourceGroup).length === 0
    ) {
      return armError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
    }
    if (!authorization) {
      return (
        this.storage.route(path) ??
        armError(404, 'NotFound', `The stand-in has no ARM resource at 'GET ${path}'.`)
      );
    }
    if (/\/providers\/Microsoft\.Storage\/storageAccounts\//i.test(scope) && !this.storage.at(scope)) {
      const name = /storageAccounts\/([^/]+)/i.exec(scope)?.[1];
      return armError(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.Storage/storageAccounts/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
      );
    }
    return this.authorization.route(path, request.query, objectIdOf(clientId));
  }

  private hasSubscription(subscriptionId: string): boolean {
    return (
      this.apim.hasSubscription(subscriptionId) || this.storage.inSubscription(subscriptionId).length > 0
    );
  }

  private readDenied(clientId: string, provider: string): boolean {
    return this.deniedReads.get(clientId.toLowerCase())?.has(provider.toLowerCase()) === true;
  }

  private forbidden(clientId: string, action: string, scope: string): Reply {
    return armError(
      403,
      'AuthorizationFailed',
      `The client '${clientId}' with object id '${objectIdOf(clientId)}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  }

  /** The caller's token, or the 401 ARM answers. */
  private authenticate(request: RecordedRequest): AccessTokenRecord | Reply {
    const token = bearerToken(request);
    const record = token === undefined ? undefined : this.tokens.lookup(token);
    const now = Date.now();
    if (token === undefined) {
      return this.unauthorized(
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
      );
    }
    if (!record) return this.unauthorized('InvalidAuthenticationToken', 'The access token is invalid.');
    if (record.expiresAt <= now) {
      return this.unauthorized(
        'ExpiredAuthenticationToken',
        `The access token expiry UTC time '${entraTime(record.expiresAt)}' is earlier than current UTC time '${entraTime(now)}'.`,
        record.tenantId,
      );
    }
    const audience = record.resource.replace(/\/+$/, '');
    const own = [this.baseUrl(), request.origin].filter(Boolean);
    if (!own.includes(audience) && !ARM_AUDIENCES.includes(audience)) {
      return this.unauthorized(
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained for wrong audience or resource '${record.resource}'. It should exactly match with one of the allowed audiences '${this.baseUrl()}/','${this.baseUrl()}','https://management.azure.com/','https://management.core.windows.net/'.`,
        record.tenantId,
      );
    }
    return record;
  }

  private unauthorized(code: string, message: string, tenantId = 'common'): Reply {
    const challenge = `Bearer authorization_uri="${this.baseUrl()}/${tenantId}", error="invalid_token", error_description="${message.replace(/"/g, "'")}"`;
    return armError(401, code, message, { 'www-authenticate': challenge });
  }

  private isDenied(clientId: string, subscriptionId: string): boolean {
    const id = clientId.toLowerCase();
    return this.denied.has(`${id}/*`) || this.denied.has(`${id}/${subscriptionId.toLowerCase()}`);
  }
}

function armError(status: number, code: string, message: string, headers?: Record<string, string>): Reply {
  return json(status, { error: { code, message } }, headers);
}

/**
 * Azure Resource Manager in front of the APIM stand-in: bearer-token check, api-version, authorization, and
 * ARM's not-found answers, in the order and wording ARM uses. Paths match case-insensitively, as in ARM.
 */
import { randomUUID } from 'node:crypto';
import { ApiManagement } from './apim';
import { bearerToken, json, RecordedRequest, Reply } from './http';
import { AccessTokenRecord, entraTime, objectIdOf, TokenRegistry } from './tokens';

const SERVICE_PATH =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)(?:\/(backup|restore|operationresults\/([^/]+)))?\/?$/i;

// Real ARM accepts its own audiences too, so a token asked for with the public ARM scope works here as well.
const ARM_AUDIENCES = ['https://management.azure.com', 'https://management.core.windows.net'];

export class Arm {
  private readonly denied = new Set<string>();

  constructor(
    private readonly baseUrl: () => string,
    private readonly tokens: TokenRegistry,
    private readonly apim: ApiManagement,
  ) {}

  /** ARM answers 403 AuthorizationFailed to this principal (on one subscription, or on all). */
  deny(clientId: string, subscriptionId = '*'): void {
    this.denied.add(`${clientId}/${subscriptionId}`.toLowerCase());
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
    const match = SERVICE_PATH.exec(request.path);
    if (!match) {
      return armError(
        404,
        'NotFound',
        `The stand-in has no ARM resource at '${request.method} ${request.path}'.`,
      );
    }
    const [, subscriptionId, resourceGroup, name, action, operationId] = match;
    const kind = action?.toLowerCase();
    const expectedMethod = kind === 'backup' || kind === 'restore' ? 'POST' : 'GET';
    if (request.method !== expectedMethod) {
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
    const scope = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ApiManagement/service/${name}`;
    if (this.isDenied(principal.principal, subscriptionId)) {
      const operation = kind === 'backup' || kind === 'restore' ? `${kind}/action` : 'read';
      return armError(
        403,
        'AuthorizationFailed',
        `The client '${principal.principal}' with object id '${objectIdOf(principal.principal)}' does not have authorization to perform action 'Microsoft.ApiManagement/service/${operation}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
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
      return this.apim.start(service, kind, request.body, `${origin}${service.id}`, apiVersion);
    }
    if (operationId !== undefined) return this.apim.poll(service, operationId);
    return json(200, service.read());
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

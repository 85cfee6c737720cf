/**
 * The App Service managed-identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER), as MSAL's AppService source
 * calls it: GET ?api-version=2019-08-01&resource=…[&client_id=…] with header X-IDENTITY-HEADER.
 */
import { randomUUID } from 'node:crypto';
import { json, RecordedRequest, Reply } from './http';
import { TokenRegistry } from './tokens';

export interface ManagedIdentityConfig {
  endpoint: string;
  header: string;
  systemClientId: string;
  /** Client ids of the user-assigned identities; push more at will. */
  userAssigned: string[];
}

export const MANAGED_IDENTITY_PATH = '/msi/token';
const MANAGED_IDENTITY_TENANT = '00000000-0000-0000-0000-0000000000bb';

export function managedIdentityRoute(
  config: ManagedIdentityConfig,
  tokens: TokenRegistry,
  lifetimeSeconds: number,
) {
  return (request: RecordedRequest): Reply | undefined => {
    if (request.path !== MANAGED_IDENTITY_PATH) return undefined;
    const fail = (statusCode: number, message: string) =>
      json(statusCode, { statusCode, message, correlationId: randomUUID() });
    if (request.method !== 'GET')
      return fail(405, 'The requested resource does not support this http method.');
    if (request.headers['x-identity-header'] !== config.header) {
      return fail(401, 'The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.');
    }
    if (request.query['api-version'] !== '2019-08-01') {
      return fail(
        400,
        `The api-version '${request.query['api-version'] ?? ''}' is not supported; use 2019-08-01.`,
      );
    }
    const resource = request.query.resource;
    if (!resource) return fail(400, "The 'resource' query parameter is required.");
    const clientId = request.query.client_id ?? config.systemClientId;
    const known = clientId === config.systemClientId || config.userAssigned.includes(clientId);
    if (!known || request.query.object_id || request.query.mi_res_id) {
      return fail(400, 'No Managed Identity found for specified ClientId/ResourceId/PrincipalId.');
    }
    // Resource may come with or without a trailing slash; ARM compares without it.
    const issued = tokens.issueAccessToken(clientId, MANAGED_IDENTITY_TENANT, resource, lifetimeSeconds);
    return json(200, {
      access_token: issued.token,
      expires_on: String(Math.floor(issued.expiresAt / 1000)),
      resource,
      token_type: 'Bearer',
      client_id: clientId,
    });
  };
}

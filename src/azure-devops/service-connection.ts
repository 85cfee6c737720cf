/**
 * Reads an Azure Resource Manager service connection as the core's ServiceConnection: whether the agent knows it,
 * its scheme mapped to a sign-in method, the identity, the subscription, and the cloud's endpoints (the
 * connection's URL is the ARM URL).
 */
import * as tl from 'azure-pipelines-task-lib/task';
import type { SendHttp, ServiceConnection, ConnectionSignInMethod } from '../core';
import { readSecretEndpointParameter } from './secret-reads';

const KNOWN_ENVIRONMENTS = ['AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud'];

/** Maps each connection scheme (and SPN authentication type) to the core's sign-in method. */
function signInMethod(
  scheme: string,
  authenticationType: string | undefined,
): ConnectionSignInMethod | undefined {
  switch (scheme.toLowerCase()) {
    case 'serviceprincipal':
      return authenticationType?.toLowerCase() === 'spncertificate' ? 'client-certificate' : 'client-secret';
    case 'workloadidentityfederation':
      return 'oidc';
    case 'managedserviceidentity':
      return 'managed-identity';
    default:
      return undefined; // the core refuses it, naming the scheme
  }
}

/** `id`: the connection as the step names it (its name or ID). */
export function readServiceConnection(id: string): ServiceConnection {
  const auth = (key: string) => tl.getEndpointAuthorizationParameter(id, key, true) || undefined;
  const data = (key: string) => tl.getEndpointDataParameter(id, key, true) || undefined;
  const scheme = tl.getEndpointAuthorizationScheme(id, true) ?? '';
  // No scheme: the agent knows no such connection (or the pipeline may not use it).
  if (!scheme) return { found: false, name: id };
  const method = signInMethod(scheme, auth('authenticationType'));
  const environment = data('environment');

  return {
    found: true,
    name: id,
    scheme,
    method,
    values: {
      tenantId: auth('tenantid'),
      // A managed-identity connection has no client id: the agent's own identity signs in.
      clientId: method === 'managed-identity' || !method ? undefined : auth('serviceprincipalid'),
      clientSecret:
        method === 'client-secret' ? readSecretEndpointParameter(id, 'serviceprincipalkey') : undefined,
      clientCertificate:
        method === 'client-certificate'
          ? readSecretEndpointParameter(id, 'servicePrincipalCertificate')
          : undefined,
      subscriptionId: data('subscriptionid'),
      environment: environment && KNOWN_ENVIRONMENTS.includes(environment) ? environment : undefined,
      resourceManagerEndpoint: tl.getEndpointUrl(id, true) || undefined,
      authorityHost: data('environmentAuthorityUrl'),
    },
  };
}

/**
 * Requests the federated ID token of a workload-identity connection from the pipeline's OIDC endpoint, through the
 * step's network (the agent's proxy).
 */
export function idTokenRequester(
  id: string,
  maskSecret: (value: string) => void,
): ((signal: AbortSignal, send: SendHttp) => Promise<string>) | undefined {
  const uri = tl.getVariable('System.OidcRequestUri');
  const accessToken = readSecretEndpointParameter('SystemVssConnection', 'AccessToken');
  if (!uri || !accessToken) return undefined;
  maskSecret(accessToken);
  return async (signal, send) => {
    const url = `${uri}?api-version=7.1&serviceConnectionId=${encodeURIComponent(id)}`;
    const response = await send(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
      signal,
    });
    if (response.status < 200 || response.status > 299) {
      throw new Error(
        `The pipeline OIDC endpoint answered HTTP ${response.status} for an ID token for service connection ${id}`,
      );
    }
    let oidcToken: string | undefined;
    try {
      ({ oidcToken } = JSON.parse(response.body) as { oidcToken?: string });
    } catch {
      throw new Error(
        `The pipeline OIDC endpoint answered with a body that is not JSON (service connection ${id})`,
      );
    }
    if (!oidcToken)
      throw new Error(`The pipeline OIDC endpoint returned no ID token for service connection ${id}`);
    return oidcToken;
  };
}

/**
 * The Azure SDKs' HTTP client for the step's network. Resource Manager and every @azure/identity credential
 * (managed identity included, whose endpoint may be http or https) take it as `httpClient`: it runs last in their
 * pipelines, after the SDK's own proxy policy, so the route of every request is the Network's, not the SDK's
 * reading of HTTPS_PROXY and NO_PROXY (which knows neither `*`, ports, nor the Azure DevOps agent's proxy).
 */
import { createDefaultHttpClient, HttpClient } from '@azure/core-rest-pipeline';
import type { Network } from './network';

const clients = new WeakMap<Network, HttpClient>();

export function sdkHttpClient(network: Network): HttpClient {
  let client = clients.get(network);
  if (!client) {
    const inner = createDefaultHttpClient();
    client = {
      sendRequest(request) {
        request.agent = network.agentFor(request.url);
        return inner.sendRequest(request);
      },
    };
    clients.set(network, client);
  }
  return client;
}

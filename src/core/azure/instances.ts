/**
 * The API Management instances of a subscription or resource group, through @azure/arm-apimanagement's service
 * list: every page (the SDK follows each nextLink), within the one deadline.
 */
import { ApiManagementClient } from '@azure/arm-apimanagement';
import type { TokenCredential } from '@azure/identity';
import type { Cloud } from '../inputs/clouds';
import type { Instance } from '../inputs/config';
import { describeScope, FleetScope } from '../inputs/selection';
import type { Deadline } from '../base/deadline';
import type { Network } from '../net/network';
import { sdkHttpClient } from '../net/sdk-http';

/** An instance as the service list shows it. */
export interface FoundInstance extends Instance {
  tier: string;
  location?: string;
  tags?: Record<string, string>;
}

const RESOURCE_GROUP_OF_ID = /\/resourceGroups\/([^/]+)\//i;

export async function listInstances(
  credential: TokenCredential,
  scope: FleetScope,
  cloud: Cloud,
  deadline: Deadline,
  network: Network,
): Promise<FoundInstance[]> {
  const client = new ApiManagementClient(credential, scope.subscriptionId, {
    endpoint: cloud.resourceManagerEndpoint,
    httpClient: sdkHttpClient(network),
    userAgentOptions: { userAgentPrefix: 'apim-backup-restore' },
    retryOptions: { maxRetries: 3, retryDelayInMs: 1_000, maxRetryDelayInMs: 8_000 },
  });
  return deadline.race(
    `listing the API Management instances of ${describeScope(scope)}`,
    async (abortSignal) => {
      const services = scope.resourceGroup
        ? client.apiManagementService.listByResourceGroup(scope.resourceGroup, { abortSignal })
        : client.apiManagementService.list({ abortSignal });
      const found: FoundInstance[] = [];
      for await (const service of services) {
        found.push({
          subscriptionId: scope.subscriptionId,
          resourceGroup: RESOURCE_GROUP_OF_ID.exec(service.id ?? '')?.[1] ?? scope.resourceGroup ?? '',
          serviceName: service.name ?? '',
          tier: service.sku?.name ?? 'unknown',
          location: service.location,
          tags: service.tags,
        });
      }
      return found;
    },
  );
}

/**
 * The adapters' platform profiles, and run contexts built on them, for tests that parse inputs as each adapter
 * would hand them to the core.
 */
import { AZURE_DEVOPS_PROFILE } from '../../src/azure-devops/profile';
import type {
  ConnectionSignInMethod,
  ConnectionValues,
  ServiceConnection,
} from '../../src/core/inputs/config';
import type { PlatformProfile } from '../../src/core/ports';
import { GITHUB_PROFILE } from '../../src/github/profile';

export { AZURE_DEVOPS_PROFILE, GITHUB_PROFILE };

export type PlatformName = 'github' | 'azureDevOps';
export const PROFILES: Record<PlatformName, PlatformProfile> = {
  github: GITHUB_PROFILE,
  azureDevOps: AZURE_DEVOPS_PROFILE,
};

/** The scheme of a connection that signs in with each method, as Azure DevOps names it. */
const SCHEMES: Record<ConnectionSignInMethod, string> = {
  'client-secret': 'ServicePrincipal',
  'client-certificate': 'ServicePrincipal',
  oidc: 'WorkloadIdentityFederation',
  'managed-identity': 'ManagedServiceIdentity',
};

/**
 * A connection the agent knows, as the Azure DevOps adapter reads it: signing in with `method`, or, with a scheme
 * and no method, one whose scheme maps to none.
 */
export function connectionOf(
  method: ConnectionSignInMethod | undefined,
  values: ConnectionValues = {},
  scheme = method ? SCHEMES[method] : 'UsernamePassword',
  name = 'prod-connection',
): ServiceConnection {
  return { found: true, name, scheme, method, values };
}

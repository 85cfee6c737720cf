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
import type { RunContext } from '../../src/core/inputs/config';
import type { PlatformProfile } from '../../src/core/ports';
import { GITHUB_PROFILE } from '../../src/github/profile';

export { AZURE_DEVOPS_PROFILE, GITHUB_PROFILE };

/** Identities and a clock shared by the tests that parse inputs. */
export const SUBSCRIPTION = '0b5c3a8e-1f2d-4c6b-9a7e-2d3f4a5b6c7d';
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const CLIENT = '11111111-2222-3333-4444-555555555555';
export const KEY = Buffer.alloc(64, 1).toString('base64');
export const NOW = new Date(Date.UTC(2024, 2, 5, 7, 8, 9));
/** A GitHub run that offers an ID token, and an Azure DevOps run that offers none. */
export const GITHUB: RunContext = { profile: GITHUB_PROFILE, now: NOW, runId: '42', idTokenAvailable: true };
export const AZURE_DEVOPS: RunContext = {
  profile: AZURE_DEVOPS_PROFILE,
  now: NOW,
  runId: '7',
  idTokenAvailable: false,
};

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

/**
 * What differs on Azure Pipelines, for the core: inputs and outputs by their task.json names (the service
 * connection by the alias users write, azureSubscription), a sign-in from an Azure Resource Manager service
 * connection (read in service-connection.ts), the pipeline's OIDC endpoint, and how an agent is put behind a proxy.
 */
import { InputKey, inputDefinition, outputDefinition, PlatformProfile } from '../core';

/** The name users write in YAML; a value the task takes from the service connection is described as that. */
function inputName(key: InputKey): string {
  const definition = inputDefinition(key);
  return (
    definition.azureDevOpsAlias ??
    definition.azureDevOps ??
    `the service connection's ${key.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)}`
  );
}

export const AZURE_DEVOPS_PROFILE: PlatformProfile = {
  inputName,
  outputName: (key) => outputDefinition(key).azureDevOps,
  // Every output has an Azure DevOps name (OutputDefinition requires one).
  hasOutput: () => true,
  signIn: {
    from: 'connection',
    notFound: (name) =>
      `${inputName('serviceConnection')} '${name}' was not found: check the name or ID, and that this pipeline is authorised to use the connection`,
    unsupportedScheme: (scheme) =>
      `the service connection's scheme '${scheme}' is not supported: use ServicePrincipal, WorkloadIdentityFederation or ManagedServiceIdentity`,
    noIdToken:
      'OIDC sign-in needs the pipeline OIDC endpoint (SYSTEM_OIDCREQUESTURI) and System.AccessToken, which this agent does not provide',
  },
  idTokenEndpoint: 'the Azure DevOps OIDC endpoint (System.OidcRequestUri)',
  proxySetupHint:
    "configure the agent's proxy (config.sh or config.cmd --proxyurl, --proxyusername, --proxypassword), or set HTTPS_PROXY for the agent",
};

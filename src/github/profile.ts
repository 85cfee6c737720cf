/**
 * What differs on GitHub Actions, for the core: inputs and outputs by their action.yml names, a sign-in from the
 * step's own inputs (an empty tenant-id, client-id or subscription-id taking its AZURE_* variable), the runner's
 * OIDC endpoint, and how a runner is put behind a proxy.
 */
import { GITHUB_AUTH_METHODS, Input, inputDefinition, outputDefinition, PlatformProfile } from '../core';

export const GITHUB_PROFILE: PlatformProfile = {
  // Every input a user can give here has a GitHub name; the service connection is Azure DevOps's.
  inputName: (key) => inputDefinition(key).github ?? `${key} (no such input on GitHub)`,
  outputName(key) {
    const name = outputDefinition(key).github;
    // The core sets this system's own outputs only: a missing name is a bug, not a user's mistake.
    if (!name) throw new Error(`Output ${key} does not exist on GitHub`);
    return name;
  },
  hasOutput: (key) => outputDefinition(key).github !== undefined,
  signIn: {
    from: 'inputs',
    methods: GITHUB_AUTH_METHODS,
    noIdToken:
      'OIDC sign-in needs an ID token, but the runner offers none: add `permissions: id-token: write` to the workflow or job (or give client-secret)',
  },
  idTokenEndpoint: 'the GitHub OIDC endpoint (ACTIONS_ID_TOKEN_REQUEST_URL)',
  proxySetupHint:
    "set HTTPS_PROXY (and NO_PROXY) in the runner's environment (its .env file) or the job's env",
};

/**
 * An input as the runner passes it (INPUT_*), or, when it is empty, the environment variable the input falls back
 * to (tenant-id: AZURE_TENANT_ID), as azure/login's users expect.
 */
export function withEnvFallback(
  getInput: (name: string) => string,
  env: NodeJS.ProcessEnv,
): (name: string, input: Input) => string | undefined {
  return (name, input) =>
    getInput(name).trim() || (input.githubEnvFallback ? env[input.githubEnvFallback] : undefined);
}

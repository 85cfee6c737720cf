/** The core's public surface for the adapters. */
export type {
  ConnectionSignInMethod,
  ConnectionValues,
  RunContext,
  ServiceConnection,
} from './inputs/config';
export { exitWhenFlushed } from './exit';
export { readInputs } from './inputs/read';
export { GITHUB_AUTH_METHODS, inputDefinition, inputsOf } from './inputs/table';
export type { Input, InputKey, RawInputs } from './inputs/table';
export { outputDefinition } from './inputs/outputs';
export type { Host, Logger, PlatformProfile } from './ports';
export type { SendHttp } from './net/network';
export { parseProxyUrl, proxyFromEnvironment, proxySecrets } from './net/proxy';
export type { ProxyServer, ProxySettings } from './net/proxy';
export { runJob } from './run';
export type { RunResult } from './run';
export { SecretRegistry } from './report/secrets';
export { hasAzureCliSession } from './sign-in/azure-cli';

/** The core's public surface for the adapters. */
export type { ConnectionInputs, RunContext } from './inputs/config';
export { exitWhenFlushed } from './exit';
export { readInputs } from './inputs/read';
export { inputsOf } from './inputs/table';
export type { RawInputs } from './inputs/table';
export { outputName } from './inputs/outputs';
export type { Host, Logger } from './ports';
export type { SendHttp } from './net/network';
export { parseProxyUrl, proxyFromEnvironment, proxySecrets } from './net/proxy';
export type { ProxyServer, ProxySettings } from './net/proxy';
export { runJob } from './run';
export type { RunResult } from './run';
export { SecretRegistry } from './report/secrets';
export { hasAzureCliSession } from './sign-in/azure-cli';

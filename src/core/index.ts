/** The core's public surface for the adapters. */
export { hasAzureCliSession } from './azure-cli';
export type { ConnectionInputs, RunContext } from './config';
export { inputsOf, readInputs } from './inputs';
export type { RawInputs } from './inputs';
export { outputName } from './outputs';
export type { Host, Logger } from './ports';
export { runJob } from './run';
export type { RunResult } from './run';
export { SecretRegistry } from './secrets';

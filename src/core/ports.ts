/**
 * What the core needs from a pipeline system. Each adapter implements these with its own runner protocol;
 * the core never imports either system's library.
 */
import type { OutputName } from './inputs/outputs';
import type { InputKey } from './inputs/table';
import type { SendHttp } from './net/network';

export type { OutputName };

export interface Logger {
  // Properties, not methods: a logger's functions are passed around on their own (log.debug as a callback).
  info: (message: string) => void;
  warning: (message: string) => void;
  debug: (message: string) => void;
  /** Runner debug mode (RUNNER_DEBUG / System.Debug). */
  readonly debugEnabled: boolean;
}

export interface Host {
  log: Logger;
  setOutput(name: OutputName, value: string): void;
  writeSummary(markdown: string): Promise<void>;
  /**
   * Fetches a fresh OIDC ID token for the audience, sending its request with `send` (the step's network: its
   * proxy, and its diagnosis of a host it cannot reach); undefined when the runner offers none.
   */
  requestIdToken?: (audience: string, signal: AbortSignal, send: SendHttp) => Promise<string>;
  /** Aborted when the runner cancels the step (SIGINT, SIGTERM). */
  cancelSignal?: AbortSignal;
}

/**
 * What differs between the pipeline systems, as data the core reads instead of asking which system it runs on:
 * each adapter builds its own (src/github/profile.ts, src/azure-devops/profile.ts) from its column of the input
 * and output tables, and hands it to the core on the RunContext.
 */
export interface PlatformProfile {
  /** An input as users write it on this system (in messages), or where its value comes from when they do not. */
  inputName(key: InputKey): string;
  /** An output's name on this system; throws for one it does not have (see hasOutput). */
  outputName(key: OutputName): string;
  /** Whether this system has the output (discover's instancesMatrix exists only on Azure DevOps). */
  hasOutput(key: OutputName): boolean;
  signIn: SignInSource;
  /** The runner's OIDC endpoint, for messages: "the GitHub OIDC endpoint (ACTIONS_ID_TOKEN_REQUEST_URL)". */
  idTokenEndpoint: string;
  /** How a user behind a proxy configures it on this system, for a direct connection that failed. */
  proxySetupHint: string;
}

/** Where the sign-in comes from on a system, and what to tell the user when it cannot be used. */
export type SignInSource =
  | {
      /** The step's own inputs: auth, tenant-id, client-id, client-secret, audience (and their env fallbacks). */
      from: 'inputs';
      /** What the auth input accepts; `auto` chooses among the others by what was given. */
      methods: readonly string[];
      /** An OIDC sign-in where the runner offers no ID token: what to change. */
      noIdToken: string;
    }
  | {
      /**
       * A service connection the step names, which the adapter reads and passes as RunContext.connection; the
       * scheme-to-method mapping is the adapter's.
       */
      from: 'connection';
      /** The connection named is unknown to the agent, or this pipeline may not use it. */
      notFound: (name: string) => string;
      /** The connection's scheme maps to no sign-in method. */
      unsupportedScheme: (scheme: string) => string;
      /** An OIDC (workload identity) connection where the agent offers no ID token. */
      noIdToken: string;
    };

/**
 * What the core needs from a pipeline system. Each adapter implements these with its own runner protocol;
 * the core never imports either system's library.
 */
import type { OutputName } from './inputs/outputs';
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

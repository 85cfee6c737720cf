/** One timeout for the whole step: every wait and request is given this signal and ends the moment it passes. */
import { setTimeout as sleep } from 'node:timers/promises';

export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  readonly startedAt = Date.now();

  constructor(readonly timeoutMs: number) {
    this.timer = setTimeout(() => this.controller.abort(), timeoutMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  /** Waits, or rejects with an AbortError when the deadline passes first. */
  delay(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.signal });
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/** Progress lines for long waits: one on every status change and at least one a minute, with the elapsed time. */
import { formatDuration } from '../base/duration';
import type { Logger } from '../ports';

const HEARTBEAT_MS = 60_000;

export class Progress {
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly log: Logger,
    private readonly label: string,
    private status: string,
    private readonly startedAt = Date.now(),
  ) {
    this.heartbeat = setInterval(() => this.line(`still ${this.status}`), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  update(status: string): void {
    if (status === this.status) return;
    this.status = status;
    this.line(status);
  }

  finish(message: string): void {
    this.stop();
    this.log.info(`${message} after ${formatDuration(this.elapsed())}.`);
  }

  stop(): void {
    clearInterval(this.heartbeat);
  }

  private elapsed(): number {
    return Date.now() - this.startedAt;
  }

  private line(status: string): void {
    this.log.info(`${this.label}: ${status} (${formatDuration(this.elapsed())} elapsed)`);
  }
}

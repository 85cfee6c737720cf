/**
 * Masks secrets twice over: the runner is told (so its own log masking applies) and every line the core writes
 * passes through redact(), so a secret cannot reach a log even where the runner's masking does not apply.
 */
import { Host, Logger } from '../ports';
import { neutralise } from './neutralise';

export class SecretRegistry {
  private readonly secrets = new Set<string>();
  /** The same secrets, longest first, so a secret that contains another is masked whole rather than in pieces. */
  private longestFirst: string[] = [];

  constructor(private readonly maskInRunner: (value: string) => void) {}

  add(value: string | undefined): void {
    if (!value || value.length < 4 || this.secrets.has(value)) return;
    this.secrets.add(value);
    this.longestFirst = [...this.secrets].sort((a, b) => b.length - a.length);
    const lines = value.split(/\r?\n/).map((line) => line.trim());
    if (lines.length === 1) {
      this.maskInRunner(value);
      return;
    }
    // Runners mask line by line (task-lib refuses a multi-line secret), so a PEM, say, goes to the runner as its
    // lines, leaving out the armour lines, which are not secret; the whole value is still redacted here.
    for (const line of lines) if (!line.startsWith('-----')) this.add(line);
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.longestFirst) result = result.split(secret).join('***');
    // Bearer tokens and JWTs that were never registered (e.g. echoed by a server) are cut too.
    return result
      .replace(/(bearer\s+)[\w\-.~+/]+=*/gi, '$1***')
      .replace(/\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/g, '***');
  }
}

/** Redacted, then made unable to act as a runner command: what every line, output and summary passes through. */
export function safeText(text: string, secrets: SecretRegistry): string {
  return neutralise(secrets.redact(text));
}

/** A logger whose every line is redacted and neutralised. */
export function redactingLogger(log: Logger, secrets: SecretRegistry): Logger {
  return {
    info: (message) => log.info(safeText(message, secrets)),
    warning: (message) => log.warning(safeText(message, secrets)),
    debug: (message) => log.debug(safeText(message, secrets)),
    debugEnabled: log.debugEnabled,
  };
}

/** The host with its logger, outputs and summary redacted and neutralised. */
export function redactingHost(host: Host, secrets: SecretRegistry): Host {
  return {
    ...host,
    log: redactingLogger(host.log, secrets),
    setOutput: (name, value) => host.setOutput(name, safeText(value, secrets)),
    writeSummary: (markdown) => host.writeSummary(safeText(markdown, secrets)),
  };
}

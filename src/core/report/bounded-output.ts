/**
 * List outputs that fit where the runners put them. Azure DevOps makes every output variable an environment
 * variable of each later step of the job, and Linux refuses to start a process with one variable over 128 KiB; a
 * GitHub output reaches later steps through expressions, often into `env`, where the same limit holds. So no
 * output value is over 32 KiB: a list output holds the newest entries, at most list-limit and never more than fit,
 * while a JSON file in the runner's temp folder holds every entry and a second output names it. The log says when
 * the list was cut. One rule for every list output (backups, deleted, and later ones).
 */
import type { RunContext } from '../inputs/config';
import type { Logger, OutputName } from '../ports';
import { neutralise } from './neutralise';

export const MAX_OUTPUT_BYTES = 32 * 1024;

/**
 * The JSON array of the first entries, at most `limit` of them, no longer than `maxBytes` in UTF-8 as the runner
 * receives it (values are neutralised on their way out, which may lengthen them).
 */
export function fittingJsonArray(
  entries: readonly unknown[],
  limit: number,
  maxBytes = MAX_OUTPUT_BYTES,
): { json: string; count: number } {
  const parts: string[] = [];
  let bytes = 2; // the brackets
  for (const entry of entries.slice(0, limit)) {
    const json = JSON.stringify(entry);
    const added = Buffer.byteLength(neutralise(json)) + (parts.length > 0 ? 1 : 0);
    if (bytes + added > maxBytes) break;
    parts.push(json);
    bytes += added;
  }
  return { json: `[${parts.join(',')}]`, count: parts.length };
}

export interface ListOutput {
  /** The output that holds the newest entries, e.g. backups. */
  output: OutputName;
  /** The output that names the file with every entry, e.g. backupsFile. */
  fileOutput: OutputName;
  /** Start of the file's name, e.g. apim-backups. */
  fileStem: string;
  /** What the entries are, for the log: "backups", "deleted backups". */
  noun: string;
  /** Every entry, newest first, as the output and the file hold them. */
  entries: readonly unknown[];
  /** The list-limit input (Infinity: as many as fit). */
  limit: number;
  /** Which entries the output keeps when it is cut, for the log: "newest" (default), "first". */
  kept?: string;
}

export interface PublishedList {
  /** How many entries the output holds. */
  shown: number;
  /** The file with every entry; undefined when it could not be written (a warning says why). */
  file?: string;
}

/** What publishList uses of the operation's Job (operations/operation.ts). */
export interface ListPublisher {
  context: Pick<RunContext, 'profile'>;
  log: Pick<Logger, 'info' | 'warning'>;
  setOutput(name: OutputName, value: string): void;
  saveJson(stem: string, value: unknown): Promise<string>;
}

/** Sets the list output and the file output, and logs when the list was cut and where the whole one is. */
export async function publishList(job: ListPublisher, list: ListOutput): Promise<PublishedList> {
  const { profile } = job.context;
  const name = (key: OutputName) => profile.outputName(key);
  const total = list.entries.length;
  const { json, count } = fittingJsonArray(list.entries, list.limit);
  job.setOutput(list.output, json);

  let file: string | undefined;
  try {
    file = await job.saveJson(list.fileStem, list.entries);
    job.setOutput(list.fileOutput, file);
  } catch (error) {
    job.log.warning(
      `Could not write the ${total} ${list.noun} to a file in the runner's temp folder, so ${name(list.fileOutput)} is not set: ${(error as Error).message}`,
    );
  }
  const whole = file
    ? `every one is in ${name(list.fileOutput)}: ${file}`
    : 'the whole list could not be saved (see the warning)';
  if (count < total) {
    const why =
      count === list.limit
        ? `${profile.inputName('listLimit')} ${list.limit}`
        : `all that fit in ${MAX_OUTPUT_BYTES / 1024} KiB`;
    job.log.info(
      `Output ${name(list.output)} holds the ${list.kept ?? 'newest'} ${count} of the ${total} ${list.noun} (${why}); ${whole}.`,
    );
  } else if (file) {
    job.log.info(
      `The whole list is in output ${name(list.output)} and in ${name(list.fileOutput)}: ${file}.`,
    );
  }
  return { shown: count, file };
}

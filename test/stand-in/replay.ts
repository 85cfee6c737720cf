/**
 * Azure's own recorded answers to backup and restore (recordings/*.json, copied from the public SDK test recordings
 * of Azure/azure-sdk-for-net; each file names its source and what was changed), served by the stand-in instead of
 * its own: the POST's answer, then each poll's, in the recorded order and number, with the stand-in's URL where
 * Azure's host was. The stand-in still does the work (writes or reads the blob) when it serves the recorded 200.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reply } from './http';

/** The host the recordings were made against; the stand-in's URL takes its place. */
export const RECORDED_ARM = 'https://management.azure.com';

export interface RecordedExchange {
  /** `uri`: path and query as the recorded client sent them. */
  request: { method: string; uri: string; body?: unknown };
  /** `body`: '' for none, an object for JSON (sent compact, as Azure sent it). */
  answer: { status: number; headers: Record<string, string>; body: unknown };
}

export interface RecordedPoll extends RecordedExchange {
  /** How many times in a row Azure gave this answer. */
  times: number;
  /** The Date of the first (and last) of them. */
  dates: string[];
}

export interface RecordedOperation extends RecordedExchange {
  kind: 'backup' | 'restore';
  /** The Date of the POST's answer. */
  date: string;
  polls: RecordedPoll[];
}

export interface Recording {
  source: { repository: string; path: string; commit: string; recordedOn: string; client: string };
  changes: string[];
  subscriptionId: string;
  resourceGroup: string;
  serviceName: string;
  location: string;
  operations: RecordedOperation[];
}

export type RecordingName = 'backup-and-restore-2021' | 'restore-managed-identity-2023';

export function loadRecording(name: RecordingName): Recording {
  return JSON.parse(readFileSync(join(__dirname, 'recordings', `${name}.json`), 'utf8')) as Recording;
}

/** The recorded operation of this kind (throws when the recording has none). */
export function recordedOperation(recording: Recording, kind: 'backup' | 'restore'): RecordedOperation {
  const operation = recording.operations.find((candidate) => candidate.kind === kind);
  if (!operation) throw new Error(`The recording of ${recording.serviceName} has no ${kind}`);
  return operation;
}

/** The requests the recorded client sent for the operation, in order: `METHOD /path?query`, one per poll. */
export function recordedRequests(operation: RecordedOperation): string[] {
  const polls = operation.polls.flatMap((poll) => Array<string>(poll.times).fill(describe(poll)));
  return [describe(operation), ...polls];
}

function describe({ request }: RecordedExchange): string {
  return `${request.method} ${request.uri}`;
}

/** One run of a recorded operation: its start answer, then its poll answers in order, the last repeated. */
export class ReplayedOperation {
  /** The operation id, as the start answer's Location has it (raw: base64 with its `=` padding). */
  readonly id: string;
  private readonly answers: RecordedExchange['answer'][];
  private served = 0;

  constructor(
    private readonly recorded: RecordedOperation,
    private readonly baseUrl: string,
  ) {
    this.answers = recorded.polls.flatMap((poll) =>
      Array<RecordedExchange['answer']>(poll.times).fill(poll.answer),
    );
    const location = recorded.answer.headers.Location;
    const id = /\/operationresults\/([^/?]+)/.exec(location ?? '')?.[1];
    if (!id) throw new Error(`The recorded ${recorded.kind} start has no operation-status Location`);
    this.id = id;
  }

  /** The Location the start answer gives, on the stand-in. */
  get url(): string {
    return this.localise(this.recorded.answer.headers.Location);
  }

  startReply(): Reply {
    return this.reply(this.recorded.answer);
  }

  /** The next poll's answer; `final` for the recorded 200 (which any later poll gets again). */
  nextPoll(): { reply: Reply; final: boolean } {
    const answer = this.answers[Math.min(this.served, this.answers.length - 1)];
    this.served += 1;
    return { reply: this.reply(answer), final: answer.status !== 202 };
  }

  private reply(answer: RecordedExchange['answer']): Reply {
    // Lower-case names, as the stand-in writes its own (it sets content-length itself, to the same value).
    const headers = Object.fromEntries(
      Object.entries(answer.headers)
        .filter(([name]) => name.toLowerCase() !== 'content-length')
        .map(([name, value]) => [name.toLowerCase(), this.localise(value)]),
    );
    return { status: answer.status, headers, body: answer.body === '' ? undefined : answer.body };
  }

  private localise(value: string): string {
    return value.startsWith(RECORDED_ARM) ? `${this.baseUrl}${value.slice(RECORDED_ARM.length)}` : value;
  }
}

/**
 * Outputs that fit where the runners put them, and a summary people read: the list rule (at most list-limit, never
 * over 32 KiB as the runner receives it, every entry in a file of its own), the summary's row and error bounds.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Deadline } from '../../src/core/base/deadline';
import type { CommonConfig, RunContext } from '../../src/core/inputs/config';
import { createJob } from '../../src/core/job';
import { Network } from '../../src/core/net/network';
import type { Job } from '../../src/core/operations/operation';
import type { Host, OutputName } from '../../src/core/ports';
import { fittingJsonArray, publishList } from '../../src/core/report/bounded-output';
import { neutralise } from '../../src/core/report/neutralise';
import { SecretRegistry } from '../../src/core/report/secrets';
import { markdownTable, renderSummary } from '../../src/core/report/summary';
import { AZURE_DEVOPS_PROFILE, GITHUB_PROFILE } from './platforms';

/** Written out here rather than imported: the tests do not trust the constant they check. */
const KIB_32 = 32 * 1024;

const entry = (i: number) => ({
  name: `apim-prod-${String(i).padStart(5, '0')}.apimbackup`,
  url: `https://stapimbackups.blob.core.windows.net/apim-backups/apim-prod-${i}.apimbackup`,
  sizeBytes: 1024 * i,
});

describe('fittingJsonArray', () => {
  it('holds the first entries, at most the limit', () => {
    const entries = Array.from({ length: 50 }, (_, i) => entry(i));
    const { json, count } = fittingJsonArray(entries, 20);
    expect(count).toBe(20);
    expect(JSON.parse(json)).toEqual(entries.slice(0, 20));
  });

  it('stops before 32 KiB, full to within one entry', () => {
    const entries = Array.from({ length: 1000 }, (_, i) => entry(i));
    const { json, count } = fittingJsonArray(entries, 1000);
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(KIB_32);
    expect(Buffer.byteLength(json) + JSON.stringify(entries[count]).length + 1).toBeGreaterThan(KIB_32);
    expect(JSON.parse(json)).toEqual(entries.slice(0, count));
  });

  it('measures a value as the runner receives it: neutralised, in UTF-8 bytes', () => {
    // '::' becomes ': :' and a bidi override six characters on the way out; 'é' is two bytes.
    const entries = Array.from({ length: 1000 }, (_, i) => `${'::'.repeat(40)}\u202e${'é'.repeat(20)}-${i}`);
    const { json, count } = fittingJsonArray(entries, 1000);
    expect(count).toBeGreaterThan(0);
    expect(Buffer.byteLength(neutralise(json))).toBeLessThanOrEqual(KIB_32);
    expect(Buffer.byteLength(neutralise(json)) + 160).toBeGreaterThan(KIB_32);
  });

  it('an empty list is an empty array', () => {
    expect(fittingJsonArray([], 100)).toEqual({ json: '[]', count: 0 });
  });
});

const deadlines: Deadline[] = [];
afterEach(() => deadlines.splice(0).forEach((deadline) => deadline.clear()));

/** A job as createJob makes it, over a host that records what the runner would get. */
function recordingJob(context: Partial<RunContext> = {}, secrets = new SecretRegistry(() => {})) {
  const outputs: Partial<Record<OutputName, string>> = {};
  const lines: string[] = [];
  const host: Host = {
    log: {
      info: (message) => lines.push(message),
      warning: (message) => lines.push(`warning: ${message}`),
      debug: () => {},
      debugEnabled: false,
    },
    setOutput: (name, value) => (outputs[name] = value),
    writeSummary: async () => {},
  };
  const deadline = new Deadline(60_000);
  deadlines.push(deadline);
  const job: Job = createJob(
    {} as CommonConfig,
    { profile: GITHUB_PROFILE, now: new Date(), idTokenAvailable: false, ...context },
    host,
    secrets,
    deadline,
    undefined,
    new Network(),
  );
  return { job, outputs, lines };
}

describe('publishList', () => {
  const list = (entries: unknown[], limit = 100) => ({
    output: 'backups' as const,
    fileOutput: 'backupsFile' as const,
    fileStem: 'apim-backups',
    noun: 'backups',
    entries,
    limit,
  });

  it('cut at list-limit: the newest in the output, every one in a file in the temp folder, and the log says so', async () => {
    const tempDir = mkdtempSync(join(tmpdir(), 'runner-temp-'));
    const { job, outputs, lines } = recordingJob({ tempDir });
    const entries = Array.from({ length: 150 }, (_, i) => entry(i));
    const published = await publishList(job, list(entries));

    expect(published.shown).toBe(100);
    expect(JSON.parse(outputs.backups!)).toEqual(entries.slice(0, 100));
    const file = outputs.backupsFile!;
    expect(published.file).toBe(file);
    expect(dirname(file)).toBe(tempDir);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(entries);
    expect(lines).toEqual([
      `Output backups holds the newest 100 of the 150 backups (list-limit 100); every one is in backups-file: ${file}.`,
    ]);
  });

  it('cut by size: says so, with the Azure DevOps names', async () => {
    const { job, outputs, lines } = recordingJob({ profile: AZURE_DEVOPS_PROFILE, tempDir: tmpdir() });
    const entries = Array.from({ length: 1000 }, (_, i) => entry(i));
    const { shown } = await publishList(job, list(entries, 1000));
    expect(shown).toBeLessThan(1000);
    expect(Buffer.byteLength(outputs.backups!)).toBeLessThanOrEqual(KIB_32);
    expect(lines[0]).toBe(
      `Output backups holds the newest ${shown} of the 1000 backups (all that fit in 32 KiB); every one is in backupsFile: ${outputs.backupsFile}.`,
    );
  });

  it('not cut: the output holds them all, and the log names the file', async () => {
    const { job, outputs, lines } = recordingJob({ tempDir: tmpdir() });
    await publishList(job, list([entry(1)]));
    expect(JSON.parse(outputs.backups!)).toEqual([entry(1)]);
    expect(lines).toEqual([
      `The whole list is in output backups and in backups-file: ${outputs.backupsFile}.`,
    ]);
  });

  it('two steps of a job write two files', async () => {
    const tempDir = mkdtempSync(join(tmpdir(), 'runner-temp-'));
    const first = recordingJob({ tempDir });
    const second = recordingJob({ tempDir });
    await publishList(first.job, list([entry(1)]));
    await publishList(second.job, list([entry(2)]));
    expect(first.outputs.backupsFile).not.toBe(second.outputs.backupsFile);
    expect(readdirSync(tempDir)).toHaveLength(2);
    expect(JSON.parse(readFileSync(first.outputs.backupsFile!, 'utf8'))).toEqual([entry(1)]);
  });

  it('a file that cannot be written: a warning, no file output, and the output still set', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'runner-temp-')), 'gone');
    const { job, outputs, lines } = recordingJob({ tempDir: missing });
    await publishList(job, list(Array.from({ length: 150 }, (_, i) => entry(i))));
    expect(outputs.backupsFile).toBeUndefined();
    expect(JSON.parse(outputs.backups!)).toHaveLength(100);
    expect(lines[0]).toMatch(
      /^warning: Could not write the 150 backups to a file in the runner's temp folder, so backups-file is not set: ENOENT/,
    );
    expect(lines[1]).toContain('the whole list could not be saved (see the warning)');
    expect(existsSync(missing)).toBe(false);
  });

  it('the file carries no secret', async () => {
    const secrets = new SecretRegistry(() => {});
    secrets.add('s3cret-in-a-blob-name');
    const { job, outputs } = recordingJob({ tempDir: tmpdir() }, secrets);
    await publishList(job, list([{ name: 'x-s3cret-in-a-blob-name.apimbackup' }]));
    expect(readFileSync(outputs.backupsFile!, 'utf8')).not.toContain('s3cret');
  });
});

describe('the summary stays small', () => {
  const rows = (n: number) => Array.from({ length: n }, (_, i) => [`row ${i}`, 'x']);

  it('a table shows 100 rows, then how many more and where they are', () => {
    const table = markdownTable(['a', 'b'], rows(1500), 'every backup is in `f.json`');
    const lines = table.split('\n');
    expect(lines.filter((line) => line.startsWith('| row '))).toHaveLength(100);
    expect(lines.at(-1)).toBe('… and 1400 more: every backup is in `f.json`.');
  });

  it('100 rows or fewer: the whole table, nothing added', () => {
    const table = markdownTable(['a', 'b'], rows(100));
    expect(table.split('\n')).toHaveLength(102);
    expect(table).not.toContain('more');
  });

  it('the rows of facts are a table too', () => {
    const markdown = renderSummary({
      title: 'APIM backup',
      succeeded: true,
      rows: rows(300) as [string, string][],
      sections: [],
    });
    expect(markdown.split('\n').filter((line) => line.startsWith('| row '))).toHaveLength(100);
    expect(markdown).toContain('… and 200 more.');
  });

  it('a long error shows its start and says the whole message is in the log', () => {
    const error = Array.from({ length: 1200 }, (_, i) => `  - backup-${i}: ${'refused '.repeat(60)}`).join(
      '\n',
    );
    const markdown = renderSummary({
      title: 'APIM backup prune',
      succeeded: false,
      rows: [],
      sections: [],
      error,
    });
    expect(markdown.length).toBeLessThan(10_000);
    expect(markdown).toContain('  - backup-0: refused');
    expect(markdown).not.toContain('backup-1199');
    expect(markdown).toContain("… (cut here: the whole message, 1200 lines, is in the step's log)");
  });

  it('a short error is shown whole', () => {
    const markdown = renderSummary({ title: 'x', succeeded: false, rows: [], sections: [], error: 'a\nb' });
    expect(markdown).toContain('```text\na\nb\n```');
    expect(markdown).not.toContain('cut here');
  });
});

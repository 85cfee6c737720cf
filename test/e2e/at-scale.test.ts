/**
 * A realistic container through both bundles, with stdout and stderr pipes as under the runners: 1,500 backups of
 * one instance (hourly for two months) in Azurite, listed, and pruned down by 1,200. The step must complete (its
 * last line, `##vso[task.complete]` or `::error::`, reaches the pipe), keep every output value within 32 KiB, count
 * exactly, write every entry to a JSON file in the runner's temp folder, and keep the summary small; in debug mode
 * too, where both runners' libraries echo more.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';
import { backupSeeds, listBlobsWithMetadata, seedBlobs } from '../stand-in';
import { useLocalAzure, useStorageProxy } from './fixtures';
import { BundleRun } from './harness';

/** What Linux and the runners tolerate in one variable, with room: the product promises 32 KiB. */
const MAX_OUTPUT_BYTES = 32 * 1024;
/** GitHub refuses a step summary over 1 MiB; the step's should be far smaller. */
const MAX_SUMMARY_BYTES = 64 * 1024;
const SERVICE = 'apim-big';
// Seeding 1,500 blobs and deleting 1,200 takes 30 to 40 s on a loaded two-core machine.
jest.setTimeout(180_000);

const BACKUPS = 1500;

const local = useLocalAzure();
/** Storage roles for the signed-in app: a reader may list but not delete. */
const proxy = useStorageProxy(local);
let containerNumber = 0;

/** A fresh container with 1,500 backups of SERVICE over 60 days, newest first as the step lists them. */
async function bigContainer(): Promise<{ name: string; client: ContainerClient; names: string[] }> {
  const name = `big-${++containerNumber}`;
  const client = local.container(name);
  const seeds = backupSeeds({ service: SERVICE, count: BACKUPS, spreadDays: 60, content: 'empty' });
  await seedBlobs(client, seeds);
  return { name, client, names: seeds.map((seed) => seed.name) };
}

type Platform = 'github' | 'azureDevOps';

interface ScaleRun extends BundleRun {
  /** The runner's temp folder the step was given (RUNNER_TEMP / Agent.TempDirectory). */
  tempDir: string;
}

/** One step on `platform` against the container; `debug` sets RUNNER_DEBUG=1 / System.Debug=true. */
async function step(
  platform: Platform,
  inputs: Record<string, string>,
  options: { debug?: boolean; tempDir?: string } = {},
): Promise<ScaleRun> {
  const tempDir = options.tempDir ?? mkdtempSync(join(tmpdir(), 'runner-temp-'));
  const run =
    platform === 'github'
      ? await local.runGitHub(
          { 'service-name': SERVICE, ...inputs },
          { env: { RUNNER_TEMP: tempDir, ...(options.debug ? { RUNNER_DEBUG: '1' } : {}) } },
        )
      : await local.runAzureDevOps(
          { serviceName: SERVICE, ...inputs },
          { env: { AGENT_TEMPDIRECTORY: tempDir, ...(options.debug ? { SYSTEM_DEBUG: 'true' } : {}) } },
        );
  return { ...run, tempDir };
}

/** Input and output names on each platform. */
const NAMES = {
  github: {
    container: 'container',
    backupsFile: 'backups-file',
    backupCount: 'backup-count',
    deletedFile: 'deleted-file',
    deletedCount: 'deleted-count',
    keptCount: 'kept-count',
    retentionDays: 'retention-days',
    keepLast: 'keep-last',
    listLimit: 'list-limit',
    storageKey: 'storage-key',
    blobEndpoint: 'blob-endpoint',
  },
  azureDevOps: {
    container: 'containerName',
    backupsFile: 'backupsFile',
    backupCount: 'backupCount',
    deletedFile: 'deletedFile',
    deletedCount: 'deletedCount',
    keptCount: 'keptCount',
    retentionDays: 'retentionDays',
    keepLast: 'keepLast',
    listLimit: 'listLimit',
    storageKey: 'storageKey',
    blobEndpoint: 'blobEndpoint',
  },
} as const;

/** The step completed: exit 0 and, on Azure DevOps, `task.complete result=Succeeded` in the pipe. */
function expectCompleted(run: BundleRun, platform: Platform): void {
  if (run.exitCode !== 0) throw new Error(`expected success, got: ${run.errorMessage}\n${run.stderr}`);
  expect(run.result).toBe('Succeeded');
  if (platform === 'azureDevOps')
    expect(lastLine(run.stdout)).toMatch(/^##vso\[task\.complete result=Succeeded/);
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? '';
}

/** Every output value, as the runner passes it on (a file line, an environment variable), within 32 KiB. */
function expectBoundedOutputs(run: BundleRun): void {
  const tooLarge = Object.entries(run.outputs)
    .filter(([, value]) => Buffer.byteLength(value) > MAX_OUTPUT_BYTES)
    .map(([name, value]) => `${name}: ${Buffer.byteLength(value)} bytes`);
  expect(tooLarge).toEqual([]);
}

/** The file an output names: in the runner's temp folder, complete, valid JSON. */
function readListFile(run: ScaleRun, path: string | undefined): unknown[] {
  expect(path).toBeDefined();
  expect(dirname(path!)).toBe(run.tempDir);
  return JSON.parse(readFileSync(path!, 'utf8')) as unknown[];
}

function expectBoundedSummary(run: BundleRun): void {
  expect(run.summary).not.toBe('');
  expect(Buffer.byteLength(run.summary)).toBeLessThan(MAX_SUMMARY_BYTES);
}

describe('list of 1,500 backups', () => {
  let container: { name: string; names: string[] };

  beforeAll(async () => {
    container = await bigContainer();
  });

  it.each([
    ['github', false],
    ['github', true],
    ['azureDevOps', false],
    ['azureDevOps', true],
  ] as const)(
    '%s (debug %s): completes; backups holds the newest 100, the count all, the file every one',
    async (platform, debug) => {
      const names = NAMES[platform];
      const run = await step(platform, { operation: 'list', [names.container]: container.name }, { debug });
      expectCompleted(run, platform);
      expectBoundedOutputs(run);

      expect(run.outputs[names.backupCount]).toBe(String(BACKUPS));
      const shown = JSON.parse(run.outputs.backups) as { name: string }[];
      expect(shown.map((backup) => backup.name)).toEqual(container.names.slice(0, 100));

      const file = run.outputs[names.backupsFile];
      const every = readListFile(run, file) as { name: string; expired: boolean }[];
      expect(every.map((backup) => backup.name)).toEqual(container.names);
      // The file holds what the output holds, for every backup.
      expect(every.slice(0, 100)).toEqual(shown);
      expect(every.filter((backup) => backup.expired).length).toBeGreaterThan(0);

      expect(run.stdout).toContain(
        `Output backups holds the newest 100 of the 1500 backups (${names.listLimit} 100); every one is in ${names.backupsFile}: ${file}.`,
      );

      expectBoundedSummary(run);
      const rows = run.summary.split('\n').filter((line) => line.startsWith('| [`'));
      expect(rows).toHaveLength(100);
      expect(rows[0]).toContain(`\`${container.names[0]}\``);
      expect(run.summary).toContain(
        `… and 1400 more: every backup is in \`${basename(file)}\` (output \`${names.backupsFile}\`).`,
      );
    },
  );

  it('list-limit 1000: the output stops at 32 KiB and says so; a second step in the job writes its own file', async () => {
    const tempDir = mkdtempSync(join(tmpdir(), 'runner-temp-'));
    const first = await step('github', { operation: 'list', container: container.name }, { tempDir });
    const run = await step(
      'github',
      { operation: 'list', container: container.name, 'list-limit': '1000' },
      { tempDir },
    );
    expectCompleted(run, 'github');
    expectBoundedOutputs(run);
    const shown = JSON.parse(run.outputs.backups) as { name: string }[];
    expect(shown.length).toBeGreaterThan(100);
    expect(shown.length).toBeLessThan(1000);
    expect(shown.map((backup) => backup.name)).toEqual(container.names.slice(0, shown.length));
    // Full: one more entry would not have fit.
    expect(Buffer.byteLength(run.outputs.backups)).toBeGreaterThan(MAX_OUTPUT_BYTES - 400);
    expect(run.stdout).toContain(
      `Output backups holds the newest ${shown.length} of the 1500 backups (all that fit in 32 KiB); every one is in backups-file: ${run.outputs['backups-file']}.`,
    );

    expect(run.outputs['backups-file']).not.toBe(first.outputs['backups-file']);
    expect(readdirSync(tempDir).filter((name) => name.startsWith('apim-backups-'))).toHaveLength(2);
    for (const earlier of [first, run]) {
      expect(readListFile(earlier, earlier.outputs['backups-file'])).toHaveLength(BACKUPS);
    }
  });
});

describe('prune deleting 1,200 of 1,500', () => {
  it.each([
    ['github', true],
    ['azureDevOps', true],
  ] as const)(
    '%s (debug %s): completes; deleted holds the newest 100, the count all 1,200, the file every one',
    async (platform, debug) => {
      const names = NAMES[platform];
      const { name, client, names: listed } = await bigContainer();
      // keep-last 300 keeps the newest 300 (12 days); every older one is older than retention-days 1.
      const run = await step(
        platform,
        {
          operation: 'prune',
          [names.container]: name,
          [names.retentionDays]: '1',
          [names.keepLast]: '300',
        },
        { debug },
      );
      expectCompleted(run, platform);
      expectBoundedOutputs(run);

      const doomed = listed.slice(300);
      expect(run.outputs[names.deletedCount]).toBe('1200');
      expect(run.outputs[names.keptCount]).toBe('300');
      expect(JSON.parse(run.outputs.deleted)).toEqual(doomed.slice(0, 100));
      expect(readListFile(run, run.outputs[names.deletedFile])).toEqual(doomed);
      expect((await listBlobsWithMetadata(client)).map((blob) => blob.name).sort()).toEqual(
        listed.slice(0, 300).sort(),
      );
      expect(run.stdout).toContain(
        `Output deleted holds the newest 100 of the 1200 deleted backups (${names.listLimit} 100); every one is in ${names.deletedFile}: ${run.outputs[names.deletedFile]}.`,
      );
      expectBoundedSummary(run);
    },
  );
});

describe('a large write just before the end reaches the runner', () => {
  /**
   * 1,200 deletions refused (the app may only read): after a long debug log, the failure names every one of
   * them, hundreds of kilobytes in the last line, which Node hands to the pipe in pieces after the step's code
   * is done. The step must wait for them before it exits.
   */
  let container: string;
  beforeAll(async () => {
    container = (await bigContainer()).name;
  });

  beforeEach(() => proxy.setRole('reader'));
  afterEach(() => proxy.setRole('contributor'));

  it.each(['github', 'azureDevOps'] as const)('%s: the whole failure is the last line', async (platform) => {
    const names = NAMES[platform];
    const run = await step(
      platform,
      {
        operation: 'prune',
        [names.container]: container,
        [names.retentionDays]: '1',
        [names.keepLast]: '300',
        [names.storageKey]: '',
        [names.blobEndpoint]: proxy.url,
      },
      { debug: true },
    );
    expect(run.exitCode).toBe(1);
    expect(run.result).toBe('Failed');
    const last = lastLine(run.stdout);
    expect(last).toMatch(platform === 'github' ? /^::error::/ : /^##vso\[task\.complete result=Failed/);
    expect(run.errorMessage).toMatch(/^Could not delete 1200 of 1200 backup\(s\)/);
    const failures = run.errorMessage.split('\n').filter((line) => line.startsWith('  - '));
    expect(failures).toHaveLength(1200);
    expect(run.errorMessage).toMatch(/trusted Azure services do not cover the pipeline\.$/);
    expect(Buffer.byteLength(last)).toBeGreaterThan(256 * 1024);
    expectBoundedSummary(run);
  });
});

/**
 * The .vsix that `npm run package` builds: opened as the zip it is, its contents checked, then the task run from
 * the unpacked folder against the stand-in, as the agent would after installing the extension.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import JSZip from 'jszip';
import { CONTAINER, requestsFor, RESOURCE_GROUP, SUBSCRIPTION_ID, useLocalAzure } from './fixtures';

const ROOT = join(__dirname, '..', '..');
const TASK_FOLDER = 'ApimBackupRestore';
const json = (text: string) => JSON.parse(text);
const pkg = json(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const rootTask = json(readFileSync(join(ROOT, 'task.json'), 'utf8'));
const extension = json(readFileSync(join(ROOT, 'vss-extension.json'), 'utf8'));

const standIn = useLocalAzure();
let vsixPath: string;
let zip: JSZip;
let files: string[];
let unpacked: string;

beforeAll(async () => {
  const printed = execFileSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  vsixPath = join(ROOT, printed.trim().replace(/^built /, ''));
  zip = await JSZip.loadAsync(readFileSync(vsixPath));
  files = Object.values(zip.files)
    .filter((entry) => !entry.dir)
    .map((entry) => entry.name)
    .sort();
  unpacked = mkdtempSync(join(tmpdir(), 'vsix-'));
  for (const name of files) {
    mkdirSync(dirname(join(unpacked, name)), { recursive: true });
    writeFileSync(join(unpacked, name), await zip.file(name)!.async('nodebuffer'));
  }
}, 30_000);

const text = (name: string) => zip.file(name)!.async('string');

it('is named <publisher>.<id>-<version>.vsix, in a folder git ignores', () => {
  expect(vsixPath).toBe(join(ROOT, 'dist', `${extension.publisher}.apim-backup-restore-${pkg.version}.vsix`));
  const ignored = execFileSync('git', ['check-ignore', vsixPath], { cwd: ROOT, encoding: 'utf8' });
  expect(ignored.trim()).toBe(vsixPath);
});

/** The committed bundle folder: the entry, the package.json that makes it an ES module, and its chunks. */
const BUNDLE_FOLDER = 'dist/azure-devops';
const bundleFiles = () =>
  readdirSync(join(ROOT, BUNDLE_FOLDER), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();

it('holds one task folder with task.json and the bundle folder its execution targets name, and nothing else', () => {
  const targets = [
    ...new Set(Object.values(rootTask.execution).map((h) => (h as { target: string }).target)),
  ];
  expect(targets).toEqual([`${BUNDLE_FOLDER}/index.js`]);
  expect(bundleFiles()).toEqual(
    expect.arrayContaining([
      `${BUNDLE_FOLDER}/index.js`,
      `${BUNDLE_FOLDER}/package.json`,
      expect.stringMatching(/^dist\/azure-devops\/chunks\/.+\.js$/),
    ]),
  );
  expect(files.filter((name) => name.startsWith(`${TASK_FOLDER}/`))).toEqual(
    [`${TASK_FOLDER}/task.json`, ...bundleFiles().map((file) => `${TASK_FOLDER}/${file}`)].sort(),
  );
  expect(files.filter((name) => !name.startsWith(`${TASK_FOLDER}/`))).toEqual(
    [
      '[Content_Types].xml',
      'extension.vsixmanifest',
      'extension.vsomanifest',
      'images/icon.png',
      'LICENSE',
      'overview.md',
    ].sort(),
  );
});

it("carries the root task.json, with package.json's version", async () => {
  const task = json(await text(`${TASK_FOLDER}/task.json`));
  expect(task).toEqual(rootTask);
  const [Major, Minor, Patch] = pkg.version.split('.').map(Number);
  expect(task.version).toEqual({ Major, Minor, Patch });
  expect(task.name).toBe(TASK_FOLDER);
});

it('carries the committed bundle byte for byte, its chunks and the package.json that makes it a module', async () => {
  for (const file of bundleFiles()) {
    const packed = await zip.file(`${TASK_FOLDER}/${file}`)!.async('nodebuffer');
    expect(packed.equals(readFileSync(join(ROOT, file)))).toBe(true);
  }
  expect(json(await text(`${TASK_FOLDER}/${BUNDLE_FOLDER}/package.json`))).toEqual({ type: 'module' });
});

it('has a 128x128 PNG icon, the overview and the license', async () => {
  const icon = await zip.file('images/icon.png')!.async('nodebuffer');
  expect(icon.subarray(1, 4).toString('ascii')).toBe('PNG');
  expect([icon.readUInt32BE(16), icon.readUInt32BE(20)]).toEqual([128, 128]);
  expect(await text('overview.md')).toContain('task: ApimBackupRestore@1');
  expect(await text('LICENSE')).toContain('MIT License');
});

it("declares the task contribution, with the extension's publisher, id and package.json's version", async () => {
  const manifest = await text('extension.vsixmanifest');
  const identity = /<Identity [^>]*>/.exec(manifest)?.[0] ?? '';
  expect(identity).toContain(`Version="${pkg.version}"`);
  expect(identity).toContain(`Publisher="${extension.publisher}"`);
  expect(identity).toContain('Id="apim-backup-restore"');
  expect(manifest).toContain('<Categories>Azure Pipelines</Categories>');
  expect(manifest).toContain('Microsoft.VisualStudio.Services.Links.Issues');
  const vso = json(await text('extension.vsomanifest'));
  expect(vso.contributions).toEqual([
    expect.objectContaining({
      type: 'ms.vss-distributed-task.task',
      targets: ['ms.vss-distributed-task.tasks'],
      properties: { name: TASK_FOLDER },
    }),
  ]);
});

it('runs a backup from the unpacked task folder alone', async () => {
  standIn.addService({ subscriptionId: SUBSCRIPTION_ID, resourceGroup: RESOURCE_GROUP, name: 'apim-vsix' });

  const result = await standIn.runAzureDevOps(
    { operation: 'backup', serviceName: 'apim-vsix' },
    { taskDir: join(unpacked, TASK_FOLDER) },
  );

  expect(result.errorMessage).toBe('');
  expect(result.result).toBe('Succeeded');
  expect(result.exitCode).toBe(0);
  expect(result.outputs.backupName).toMatch(/^apim-vsix-\d{8}-\d{6}\.apimbackup$/);
  expect(result.outputs.backupUrl).toBe(`${standIn.blobEndpoint}/${CONTAINER}/${result.outputs.backupName}`);
  expect(requestsFor(standIn, 'apim-vsix').starts).toHaveLength(1);
  expect(result.summary).toContain('APIM backup succeeded');
});

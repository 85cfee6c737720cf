/**
 * Cancelling: the runners send SIGINT, then SIGTERM 7.5 s later. The step must say at once that the operation
 * goes on in Azure, give its URL and the exact inputs to resume it with operation: status, set operation-url,
 * write the summary and exit non-zero — within a second of the signal.
 */
import type { ChildProcess } from 'node:child_process';
import type { ServiceState } from '../stand-in';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  RESOURCE_GROUP,
  SUBSCRIPTION_ID,
  TENANT_ID,
  useLocalAzure,
} from './fixtures';
import { BundleRun, runGitHubAction } from './harness';

/** The promise: the step answers a cancel within a second. */
const WITHIN_MS = 1_000;

const standIn = useLocalAzure();

interface Cancelled {
  run: BundleRun;
  /** Milliseconds from the signal to the line saying the operation goes on, and to the exit. */
  toLine: number;
  toExit: number;
}

/** Sends `signal` once `when` shows on stdout, and times the answer. */
function cancelWhen(when: RegExp, signal: NodeJS.Signals) {
  let sentAt = 0;
  let lineAt = 0;
  let exitAt = 0;
  const onSpawn = (child: ChildProcess) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (!sentAt && when.test(seen)) {
        sentAt = Date.now();
        child.kill(signal);
      }
      if (sentAt && !lineAt && /Cancelled/.test(seen)) lineAt = Date.now();
    });
    child.on('exit', () => (exitAt = Date.now()));
  };
  const timing = () => ({ toLine: lineAt - sentAt, toExit: exitAt - sentAt });
  return { onSpawn, timing, sent: () => sentAt > 0 };
}

const services = new Map<string, ServiceState>();

function addService(name: string): void {
  services.set(
    name,
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name,
      neverFinishes: true,
    }),
  );
}

async function github(name: string, signal: NodeJS.Signals, when = /Backup started/): Promise<Cancelled> {
  addService(name);
  const cancel = cancelWhen(when, signal);
  const run = await standIn.runGitHub(
    { operation: 'backup', 'service-name': name, timeout: '60s' },
    { onSpawn: cancel.onSpawn },
  );
  expect(cancel.sent()).toBe(true);
  return { run, ...cancel.timing() };
}

async function azureDevOps(name: string, signal: NodeJS.Signals): Promise<Cancelled> {
  addService(name);
  const cancel = cancelWhen(/Backup started/, signal);
  const run = await standIn.runAzureDevOps(
    { operation: 'backup', serviceName: name, timeout: '60s' },
    { onSpawn: cancel.onSpawn },
  );
  expect(cancel.sent()).toBe(true);
  return { run, ...cancel.timing() };
}

function expectPromptly(cancelled: Cancelled): void {
  console.info(`cancel: line after ${cancelled.toLine} ms, exit after ${cancelled.toExit} ms`);
  expect(cancelled.toLine).toBeGreaterThanOrEqual(0);
  expect(cancelled.toLine).toBeLessThan(WITHIN_MS);
  expect(cancelled.toExit).toBeLessThan(WITHIN_MS);
}

it.each(['SIGINT', 'SIGTERM'] as const)(
  'GitHub, %s: says the backup goes on in Azure, how to resume it, sets operation-url and writes the summary',
  async (signal) => {
    const cancelled = await github(`apim-cancel-gh-${signal.toLowerCase()}`, signal);
    const { run } = cancelled;
    expectPromptly(cancelled);
    expect(run.exitCode).not.toBe(0);
    const url = run.outputs['operation-url'];
    expect(url).toContain('/operationresults/');
    expect(run.stdout).toContain(`Cancelled: the step stops waiting. The backup goes on in Azure: ${url}`);
    expect(run.errorMessage).toContain('was cancelled');
    expect(run.errorMessage).toContain(`The backup continues in Azure: its status is at ${url}`);
    expect(run.errorMessage).toContain(`operation: status and operation-url: ${url}`);
    expect(run.summary).toContain('APIM backup failed');
    expect(run.summary).toContain(url);
  },
);

it('Azure DevOps, SIGINT: the same, with the task input names', async () => {
  const cancelled = await azureDevOps('apim-cancel-ado', 'SIGINT');
  const { run } = cancelled;
  expectPromptly(cancelled);
  expect(run.exitCode).not.toBe(0);
  expect(run.result).toBe('Failed');
  const url = run.outputs.operationUrl;
  expect(url).toContain('/operationresults/');
  expect(run.errorMessage).toContain(`operation: status and operationUrl: ${url}`);
  expect(run.summary).toContain('APIM backup failed');
});

it('after a cancel, operation: status with the printed inputs waits for the backup to its end', async () => {
  const { run } = await github('apim-cancel-resume', 'SIGINT');
  const url = run.outputs['operation-url'];
  expect(url).toContain('/operationresults/');
  // The backup goes on in Azure and ends; the next run (the inputs the cancelled one printed) sees it through.
  services.get('apim-cancel-resume')!.behaviour.neverFinishes = false;
  const resumed = await runGitHubAction({
    inputs: {
      operation: 'status',
      'operation-url': url,
      'tenant-id': TENANT_ID,
      'client-id': CLIENT_ID,
      'client-secret': CLIENT_SECRET,
      'poll-interval': '1s',
      timeout: '30s',
      'resource-manager-endpoint': standIn.url,
      'authority-host': standIn.url,
    },
    caCertPath: standIn.caCertPath,
  });
  expect(resumed.errorMessage).toBe('');
  expect(resumed.exitCode).toBe(0);
  expect(resumed.outputs['operation-status']).toBe('Succeeded');
});

it('cancelled before anything started: says nothing was started', async () => {
  standIn.faults.add('token', { kind: 'hang' });
  try {
    const cancelled = await github('apim-cancel-early', 'SIGINT', /Signing in/);
    expectPromptly(cancelled);
    expect(cancelled.run.exitCode).not.toBe(0);
    expect(cancelled.run.errorMessage).toContain('was cancelled while requesting an access token');
    expect(cancelled.run.errorMessage).toContain('Nothing was started in Azure');
    expect(cancelled.run.outputs['operation-url']).toBeUndefined();
  } finally {
    standIn.faults.clear();
  }
});

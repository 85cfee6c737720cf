/**
 * Seeing the end of an operation within one poll-interval, whatever Retry-After says. Azure answers every 202 of
 * a backup or restore with a Retry-After (60 s in real life) whatever the operation's length; the step honours it
 * (no status request sooner while the operation runs) and reads the instance every poll-interval meanwhile: when it
 * leaves Updating, one status request confirms the end. Only the status URL decides the verdict: an instance that
 * leaves Updating early, or stays Updating after the end, changes nothing but the timing.
 *
 * Times come from the stand-in's request log; margins are generous (a loaded machine), far below Retry-After.
 */
import type { OperationRecord, RecordedRequest, ServiceState } from '../stand-in';
import { requestsFor, RESOURCE_GROUP, SUBSCRIPTION_ID, useLocalAzure } from './fixtures';
import { BundleRun } from './harness';

const RETRY_AFTER_S = 20;
const OPERATION_MS = 3_000;
/** The poll-interval of every run here (githubInputs and azureDevOpsInputs give 1s). */
const POLL_MS = 1_000;
/** Request latencies and a busy machine: the confirmation comes this long after the next read at most. */
const MARGIN_MS = 1_500;

const standIn = useLocalAzure();
let serviceNumber = 0;

/** A fresh instance whose operations take OPERATION_MS and whose 202s ask for RETRY_AFTER_S. */
function instance(behaviour: Partial<ServiceState['behaviour']> = {}): ServiceState {
  return standIn.addService({
    subscriptionId: SUBSCRIPTION_ID,
    resourceGroup: RESOURCE_GROUP,
    name: `apim-end-${++serviceNumber}`,
    operationMs: OPERATION_MS,
    operationPolls: 0,
    retryAfterSeconds: RETRY_AFTER_S,
    ...behaviour,
  });
}

const github = (inputs: Record<string, string>) => standIn.runGitHub({ timeout: '2m', ...inputs });
const azureDevOps = (inputs: Record<string, string>) => standIn.runAzureDevOps({ timeout: '2m', ...inputs });

function expectSuccess(run: BundleRun): void {
  if (run.exitCode !== 0) throw new Error(`expected success, got: ${run.errorMessage}\n${run.stdout}`);
}

/** The status requests of one operation. */
function pollsOf(operation: OperationRecord): RecordedRequest[] {
  const path = new URL(operation.url).pathname;
  return standIn.requests.filter((request) => request.path === path);
}

/** When the instance left Updating: the operation's time was up. */
const leftUpdatingAt = (operation: OperationRecord) => operation.startedAt + OPERATION_MS;

/**
 * The operation was never asked about while it ran, then one status request, within a poll-interval (and the
 * margin) of the instance leaving Updating, got the answer. `askedAtStart`: the run began with one status
 * request (operation: status asks at once).
 */
function expectSeenWithinPollInterval(operation: OperationRecord, askedAtStart = false): RecordedRequest {
  const polls = pollsOf(operation);
  const early = askedAtStart ? polls.slice(1) : polls;
  const left = leftUpdatingAt(operation);
  // Figures for the log of the test run.
  console.info(
    `${operation.kind}: ${polls.length} status request(s); the answer came ${polls.at(-1)!.at - left} ms after the instance left Updating (Retry-After ${RETRY_AFTER_S} s, poll-interval ${POLL_MS} ms)`,
  );
  expect(early.filter((poll) => poll.at < left)).toEqual([]);
  expect(early).toHaveLength(1);
  const [confirmation] = early;
  expect(confirmation.status).toBe(200);
  expect(confirmation.at - left).toBeLessThanOrEqual(POLL_MS + MARGIN_MS);
  return confirmation;
}

/** The instance was read about once a poll-interval while the operation ran: a watch, not a busy loop. */
function expectReadsPaced(service: ServiceState, from: number, to: number): void {
  const reads = requestsFor(standIn, service.name).reads.filter((read) => read.at > from && read.at < to);
  expect(reads.length).toBeGreaterThanOrEqual(1);
  expect(reads.length).toBeLessThanOrEqual((to - from) / POLL_MS + 2);
}

it('GitHub backup: Retry-After 20 s over a 3 s backup; the step ends within the poll-interval of the instance leaving Updating', async () => {
  const service = instance();

  const run = await github({ operation: 'backup', 'service-name': service.name });
  const endedAt = Date.now();

  expectSuccess(run);
  expect(run.outputs['operation-status']).toBe('Succeeded');
  const [operation] = service.operations;
  const confirmation = expectSeenWithinPollInterval(operation);
  expectReadsPaced(service, operation.startedAt, confirmation.at);
  // After the confirmation only the provenance stamp and the exit: far from the 20 s Azure asked for.
  expect(endedAt - leftUpdatingAt(operation)).toBeLessThan(POLL_MS + MARGIN_MS + 2_500);
  expect(run.stdout).toMatch(/Backup succeeded after [34]s/);
});

it('Azure DevOps copy: the source backup, the safety backup and the restore each end within the poll-interval', async () => {
  const source = instance();
  const target = instance();

  const run = await azureDevOps({
    operation: 'copy',
    serviceName: target.name,
    sourceServiceName: source.name,
  });

  expectSuccess(run);
  const [sourceBackup] = source.operations;
  const [safetyBackup, restore] = target.operations;
  for (const operation of [sourceBackup, safetyBackup, restore]) expectSeenWithinPollInterval(operation);
  expect(restore.kind).toBe('restore');
  expect(target.restoredFrom).toBe(source.name);
  // Three Retry-Afters would be 40 s at least (the backups run side by side); seen at once, about 2 × 3 s.
  expect(restore.finishedAt! - sourceBackup.startedAt).toBeLessThan(2 * (OPERATION_MS + POLL_MS + MARGIN_MS));
});

it('GitHub status: waiting for an operation started earlier ends within the poll-interval too', async () => {
  const service = instance();
  const started = await github({ operation: 'backup', 'service-name': service.name, wait: 'false' });
  expectSuccess(started);

  const waited = await github({ operation: 'status', 'operation-url': started.outputs['operation-url'] });

  expectSuccess(waited);
  expect(waited.outputs['operation-status']).toBe('Succeeded');
  expectSeenWithinPollInterval(service.operations[0], true);
});

it('an instance that leaves Updating early changes nothing: one confirmation, then Retry-After again, and the status URL’s failure is the verdict', async () => {
  const RETRY_S = 3;
  const service = instance({
    operationMs: 5_000,
    updatingMs: 0,
    retryAfterSeconds: RETRY_S,
    failure: { code: 'BackupFailed', message: 'The remote server returned an error: (403) Forbidden.' },
  });

  const run = await github({ operation: 'backup', 'service-name': service.name });

  expect(run.exitCode).not.toBe(0);
  expect(run.errorMessage).toContain('BackupFailed');
  expect(run.outputs['operation-status']).toBe('Failed');
  const [operation] = service.operations;
  const polls = pollsOf(operation);
  const statuses = polls.map((poll) => poll.status);
  // Figures for the log of the test run.
  console.info(
    `left early: status requests at ${polls.map((poll) => poll.at - operation.startedAt).join(', ')} ms, answered ${statuses.join(', ')}`,
  );
  // The instance looked idle from the start: one request confirmed nothing (202)...
  expect(statuses[0]).toBe(202);
  expect(polls[0].at - operation.startedAt).toBeLessThan(RETRY_S * 1000);
  // ...then Azure's rhythm again, although the instance still looked idle at every read: no request sooner.
  for (let i = 1; i < polls.length; i++) {
    expect(polls[i].at - polls[i - 1].at).toBeGreaterThanOrEqual(RETRY_S * 1000 - 50);
  }
  expect(statuses.at(-1)).toBe(400);
  expect(polls.length).toBeLessThanOrEqual(4);
});

it('Azure DevOps: an instance still Updating after the end changes nothing: the status URL, asked when due, says done', async () => {
  const RETRY_S = 4;
  const service = instance({ operationMs: 1_000, updatingMs: Infinity, retryAfterSeconds: RETRY_S });

  const run = await azureDevOps({ operation: 'backup', serviceName: service.name });

  expectSuccess(run);
  expect(run.outputs.operationStatus).toBe('Succeeded');
  const [operation] = service.operations;
  const polls = pollsOf(operation);
  expect(polls).toHaveLength(1);
  expect(polls[0].status).toBe(200);
  expect(polls[0].at - operation.startedAt).toBeGreaterThanOrEqual(RETRY_S * 1000 - 50);
  expectReadsPaced(service, operation.startedAt, polls[0].at);
});

it('GitHub backup with a signed-in storage: the storage client and its token are readied while the backup runs, so after the end the stamp is all that is left', async () => {
  const service = instance({ retryAfterSeconds: 1 });

  // No storage-key: the step reads and stamps the storage with its own token.
  const run = await github({ operation: 'backup', 'service-name': service.name, 'storage-key': '' });

  expectSuccess(run);
  expect(run.stdout).toContain(`Stamped '${run.outputs['backup-name']}' with its provenance`);
  const [operation] = service.operations;
  const end = pollsOf(operation).find((poll) => poll.status === 200)!;
  const storageTokens = standIn.requests.filter(
    (request) =>
      request.path.endsWith('/oauth2/v2.0/token') &&
      new URLSearchParams(request.body).get('scope') === 'https://storage.azure.com/.default',
  );
  expect(storageTokens).toHaveLength(1);
  expect(storageTokens[0].at).toBeGreaterThan(operation.startedAt);
  expect(storageTokens[0].at).toBeLessThan(end.at);
});

it('a read of the instance that hangs changes nothing: the status request comes when due', async () => {
  const RETRY_S = 3;
  const service = instance({ operationMs: 1_000, retryAfterSeconds: RETRY_S });
  // The first read (before the start) is answered; every read while waiting hangs.
  standIn.faults
    .add('service-get', { kind: 'pass' }, 1, `/service/${service.name}`)
    .add('service-get', { kind: 'hang' }, Infinity, `/service/${service.name}`);
  try {
    const run = await github({ operation: 'backup', 'service-name': service.name, timeout: '30s' });

    expectSuccess(run);
    expect(standIn.faults.hits['service-get']).toBeGreaterThanOrEqual(2);
    const [operation] = service.operations;
    const polls = pollsOf(operation);
    expect(polls).toHaveLength(1);
    expect(polls[0].status).toBe(200);
    expect(polls[0].at - operation.startedAt).toBeGreaterThanOrEqual(RETRY_S * 1000 - 50);
    expect(polls[0].at - operation.startedAt).toBeLessThan(RETRY_S * 1000 + MARGIN_MS);
  } finally {
    standIn.faults.clear();
  }
});

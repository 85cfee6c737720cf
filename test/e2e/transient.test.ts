/**
 * Faults on the way to a result, through both bundles: transient errors on the status URL ridden out, and no
 * success claimed without evidence (202 without Location, a 200 that says Failed, a body that is not JSON), an
 * unknown status URL explained as such, and Retry-After: 0 not turned into a busy loop.
 */
import type { Fault, StandIn } from '../stand-in';
import { requestsFor, RESOURCE_GROUP, SUBSCRIPTION_ID, useLocalAzure } from './fixtures';
import { BundleRun } from './harness';
import type { ServiceSpec } from '../stand-in';

const standIn = useLocalAzure();

const github = (name: string, timeout = '60s') =>
  standIn.runGitHub({ operation: 'backup', 'service-name': name, timeout });
const azureDevOps = (name: string, timeout = '60s') =>
  standIn.runAzureDevOps({ operation: 'backup', serviceName: name, timeout });

/** Runs a backup through both bundles at once, each on its own instance with the same faults. */
async function both(
  name: string,
  spec: Partial<ServiceSpec>,
  faults: [Parameters<StandIn['faults']['add']>[0], Fault, number?][],
  timeout?: string,
): Promise<{ gh: BundleRun; ado: BundleRun; names: [string, string] }> {
  const names: [string, string] = [`${name}-gh`, `${name}-ado`];
  for (const service of names) {
    standIn.addService({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: RESOURCE_GROUP,
      name: service,
      ...spec,
    });
    for (const [route, fault, times] of faults)
      standIn.faults.add(route, fault, times, `/service/${service}/`);
  }
  const [gh, ado] = await Promise.all([github(names[0], timeout), azureDevOps(names[1], timeout)]);
  return { gh, ado, names };
}

function expectNoSuccess(run: BundleRun): void {
  expect(run.exitCode).not.toBe(0);
  expect(run.result).toBe('Failed');
  expect(run.stdout).not.toMatch(/Backup succeeded/);
}

it('rides out 5xx answers and dropped connections on the status URL, beyond the SDK pipeline retries', async () => {
  const { gh, ado, names } = await both('apim-flaky', { operationPolls: 1 }, [
    ['operation-status', { kind: 'status', status: 503, code: 'ServiceUnavailable' }, 5],
    ['operation-status', { kind: 'status', status: 500 }, 1],
    ['operation-status', { kind: 'reset' }, 2],
  ]);
  for (const [run, name] of [
    [gh, names[0]],
    [ado, names[1]],
  ] as const) {
    expect(run.errorMessage).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(
      /HTTP 50[03] on the operation status; the operation is still running in Azure/,
    );
    // 8 faults, then the answers that end it.
    expect(requestsFor(standIn, name).polls.length).toBeGreaterThanOrEqual(9);
  }
  expect(gh.outputs['operation-status']).toBe('Succeeded');
  expect(ado.outputs.operationStatus).toBe('Succeeded');
});

it('never claims success on a 202 without a Location header', async () => {
  const { gh, ado } = await both(
    'apim-noloc',
    {},
    [['start', { kind: 'reply', reply: { status: 202 } }]],
    '20s',
  );
  for (const run of [gh, ado]) {
    expectNoSuccess(run);
    expect(run.errorMessage).toContain('without an operation-status URL');
    expect(run.errorMessage).toContain('cannot tell whether the backup ran');
  }
});

it('fails on a final 200 whose body says provisioningState Failed', async () => {
  const failed: Fault = {
    kind: 'reply',
    reply: { status: 200, body: { name: 'x', properties: { provisioningState: 'Failed' } } },
  };
  const { gh, ado } = await both('apim-200failed', {}, [['operation-status', failed]]);
  for (const run of [gh, ado]) {
    expectNoSuccess(run);
    expect(run.errorMessage).toMatch(/OperationFailed: .*provisioningState Failed/);
  }
  expect(gh.outputs['operation-status']).toBe('Failed');
});

it('fails on a 200 whose body is not JSON', async () => {
  const garbled: Fault = { kind: 'reply', reply: { status: 200, body: '{"properties": {"provisioningSta' } };
  const { gh, ado } = await both('apim-garbled', {}, [['operation-status', garbled]]);
  for (const run of [gh, ado]) {
    expectNoSuccess(run);
    expect(run.errorMessage).toContain('with a body that is not JSON');
  }
});

it('explains a 404 on the status URL as an unknown operation, not as wrong instance names', async () => {
  const gone: Fault = { kind: 'status', status: 404, code: 'OperationNotFound' };
  const { gh, ado } = await both('apim-gone', {}, [['operation-status', gone]]);
  for (const run of [gh, ado]) {
    expectNoSuccess(run);
    expect(run.errorMessage).toContain('is not known to Azure (HTTP 404 OperationNotFound');
    expect(run.errorMessage).not.toMatch(/Check (service-name|serviceName)/);
  }
});

it('polls no sooner than once a second when Retry-After is 0', async () => {
  const { gh, ado, names } = await both(
    'apim-eager',
    { retryAfterSeconds: 0, operationMs: 3_000, operationPolls: 1 },
    [],
  );
  expect(gh.exitCode).toBe(0);
  expect(ado.exitCode).toBe(0);
  const counts = names.map((name) => requestsFor(standIn, name).polls.length);
  // Figures for the report.
  console.info(`Retry-After: 0 over a 3 s operation: ${counts.join(' and ')} status requests`);
  // 3 s at one a second, plus the one that ends it; a busy loop makes thousands.
  for (const count of counts) expect(count).toBeLessThanOrEqual(5);
});

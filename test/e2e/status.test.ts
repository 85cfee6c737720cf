/**
 * wait: false, then operation: status: start a backup in one run and wait for it in another (another job, or
 * after a cancel) with the URL from the first run's outputs, on both platforms. The URL is checked before any
 * token is requested: the step's Azure token never goes to another host.
 */
import { startStandIn } from '../stand-in';
import { armPath, RESOURCE_GROUP, SUBSCRIPTION_ID, useLocalAzure } from './fixtures';

const standIn = useLocalAzure();

const github = (inputs: Record<string, string>) => standIn.runGitHub({ timeout: '30s', ...inputs });
const azureDevOps = (inputs: Record<string, string>) => standIn.runAzureDevOps({ timeout: '30s', ...inputs });

function addService(name: string, extra: Record<string, unknown> = {}) {
  return standIn.addService({
    subscriptionId: SUBSCRIPTION_ID,
    resourceGroup: RESOURCE_GROUP,
    name,
    operationMs: 2_000,
    ...extra,
  });
}

it('GitHub: wait false starts the backup and hands over its URL; operation: status waits for it', async () => {
  const service = addService('apim-status-gh');
  const started = await github({ operation: 'backup', 'service-name': 'apim-status-gh', wait: 'false' });

  expect(started.errorMessage).toBe('');
  expect(started.exitCode).toBe(0);
  const url = started.outputs['operation-url'];
  expect(url).toContain(`${armPath('apim-status-gh')}/operationresults/`);
  expect(started.outputs['operation-status']).toBe('InProgress');
  expect(started.outputs['duration-seconds']).toBeUndefined();
  expect(started.stdout).toContain(`operation: status and operation-url: ${url}`);
  expect(service.operations.map((operation) => operation.status)).toEqual(['InProgress']);

  const waited = await github({ operation: 'status', 'operation-url': url });

  expect(waited.errorMessage).toBe('');
  expect(waited.exitCode).toBe(0);
  expect(waited.outputs['operation-status']).toBe('Succeeded');
  expect(waited.outputs['operation-url']).toBe(url);
  expect(waited.summary).toContain('APIM operation status succeeded');
  expect(service.operations.map((operation) => operation.status)).toEqual(['Succeeded']);
});

it('Azure DevOps: wait false, then operation: status with operationUrl', async () => {
  addService('apim-status-ado');
  const started = await azureDevOps({ operation: 'backup', serviceName: 'apim-status-ado', wait: 'false' });

  expect(started.exitCode).toBe(0);
  expect(started.result).toBe('Succeeded');
  const url = started.outputs.operationUrl;
  expect(url).toContain('/operationresults/');
  expect(started.stdout).toContain(`operation: status and operationUrl: ${url}`);

  const checked = await azureDevOps({ operation: 'status', operationUrl: url, wait: 'false' });
  expect(checked.result).toBe('Succeeded');
  expect(checked.outputs.operationStatus).toBe('InProgress');

  const waited = await azureDevOps({ operation: 'status', operationUrl: url });
  expect(waited.errorMessage).toBe('');
  expect(waited.result).toBe('Succeeded');
  expect(waited.outputs.operationStatus).toBe('Succeeded');
});

it('ends as the operation did: a failed operation fails the status step with Azure’s error and the hint', async () => {
  addService('apim-status-fail', {
    failure: { code: 'BackupFailed', message: 'Failed to access storage account: (403) Forbidden' },
  });
  const started = await github({ operation: 'backup', 'service-name': 'apim-status-fail', wait: 'false' });
  expect(started.exitCode).toBe(0);

  const waited = await github({ operation: 'status', 'operation-url': started.outputs['operation-url'] });

  expect(waited.exitCode).toBe(1);
  expect(waited.outputs['operation-status']).toBe('Failed');
  expect(waited.errorMessage).toContain('BackupFailed: Failed to access storage account: (403) Forbidden');
  expect(waited.errorMessage).toContain('What to do:');
});

it('refuses a URL on another host before any token is requested or sent', async () => {
  const elsewhere = await startStandIn();
  try {
    const before = standIn.requests.length;
    const foreign = `${elsewhere.url}${armPath('apim-x')}/operationresults/abc?api-version=2024-05-01`;
    const runs = await Promise.all([
      github({ operation: 'status', 'operation-url': foreign }),
      azureDevOps({ operation: 'status', operationUrl: foreign }),
      github({ operation: 'status', 'operation-url': foreign.replace('https:', 'http:') }),
      github({ operation: 'status', 'operation-url': `${standIn.url}/subscriptions/x/other?api-version=1` }),
    ]);
    for (const run of runs) {
      expect(run.exitCode).not.toBe(0);
      expect(run.errorMessage).toMatch(/operation-?[uU]rl '/);
    }
    expect(runs[0].errorMessage).toContain('must be on the Azure Resource Manager host');
    expect(runs[2].errorMessage).toContain('must be an https URL');
    expect(runs[3].errorMessage).toContain('must be an API Management operation-status URL');
    expect(elsewhere.requests).toEqual([]);
    expect(standIn.requests.length).toBe(before);
  } finally {
    await elsewhere.close();
  }
});

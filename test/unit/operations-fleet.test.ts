/**
 * An operation over several instances, in-process: each instance runs as a single run would, a failure of one does
 * not stop the others, and the step fails after them naming it.
 */
import { RestError } from '@azure/core-rest-pipeline';
import type { FoundInstance } from '../../src/core/azure/instances';
import { FakeStep, SUBSCRIPTION } from './fake-job';

const found = (serviceName: string, tier = 'Developer'): FoundInstance => ({
  subscriptionId: SUBSCRIPTION,
  resourceGroup: 'rg-apim',
  serviceName,
  tier,
});

describe('a fleet', () => {
  it('backs up every instance found, goes on past a failure, and fails naming it', async () => {
    const step = new FakeStep({
      operation: 'backup',
      serviceName: 'apim-*',
      backupName: '{service}-nightly.apimbackup',
    });
    step.azure.instances = [found('apim-a'), found('apim-b'), found('apim-c', 'Consumption'), found('other')];
    step.azure.instance('apim-b', {
      backup: {
        refuse: new RestError('Another operation is in progress on the service.', {
          code: 'Conflict',
          statusCode: 409,
        }),
      },
    });

    const { message, host, files } = await step.run();

    expect(step.azure.actions.sort()).toEqual([
      'backup apim-a to apim-a-nightly.apimbackup',
      'backup apim-b to apim-b-nightly.apimbackup',
    ]);
    expect(step.azure.catalog.stamped.map((stamp) => stamp.name)).toEqual(['apim-a-nightly.apimbackup']);
    expect(message.split('\n')).toEqual([
      'Backup failed for 1 of 2 instance(s) (1 succeeded, 1 skipped):',
      "  - apim-b: Backup of API Management instance 'apim-b' failed: Conflict: Another operation is in progress on the service. What to do: Another management operation (a deployment, a scale, or a backup or restore) is running on the instance. Wait for it to finish and retry; serialise pipeline runs that touch the same instance (a concurrency group on GitHub, an exclusive lock on Azure DevOps).",
    ]);
    const results = files.get(host.outputs.resultsFile!) as { service: string; status: string }[];
    expect(results.map(({ service, status }) => [service, status])).toEqual([
      ['apim-a', 'succeeded'],
      ['apim-b', 'failed'],
      ['apim-c', 'skipped'],
    ]);
    expect(host.text()).toContain('[apim-a] Backing up API Management instance');
  });
});

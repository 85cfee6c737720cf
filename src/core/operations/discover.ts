/**
 * discover: the instances of a subscription or resource group (optionally those service-name and instance-tags
 * select) with their tier, location and whether they have backup; the ones with backup as data for the CI system's
 * own matrix, keyed by this step's input names so each matrix job passes them straight back in.
 */
import type { FoundInstance } from '../azure/instances';
import { findInstances, noBackupReason, planFleet } from './fleet-plan';
import { describeScope, describeSelection, FleetScope, Selection } from '../inputs/selection';
import { lacksBackup } from '../azure/tiers';
import type { CommonConfig } from '../inputs/config';
import { formatDuration } from '../base/duration';
import type { OutputName, PlatformProfile } from '../ports';
import { MAX_OUTPUT_BYTES } from '../report/bounded-output';
import { ActionableError } from '../report/errors';
import { neutralise } from '../report/neutralise';
import { code, markdownTable } from '../report/summary';
import type { Job, Operation } from './operation';

export interface DiscoverConfig extends CommonConfig {
  scope: FleetScope;
  selection: Selection;
}

export const discover: Operation<DiscoverConfig> = {
  name: 'discover',
  usesInstance: true,
  polls: false,
  configure: (builder, common) => ({
    ...common,
    scope: builder.fleetScope(),
    selection: builder.selection('*'),
  }),
  title: () => 'APIM discover',
  action: (config) =>
    `Discovering the API Management instances ${describeSelection(config.selection)} in ${describeScope(config.scope)}`,
  describe: (config) =>
    `Listing the API Management instances ${describeSelection(config.selection)} in ${describeScope(config.scope)}. Timeout ${formatDuration(config.timing.timeoutMs)}.`,

  async run(config, job) {
    const found = await findInstances(job, config);
    const { run, skipped } = planFleet(found, config.selection, config.scope, config.profile);
    const listed = [...run, ...skipped.map(({ instance }) => instance)].sort((a, b) =>
      a.serviceName.localeCompare(b.serviceName),
    );
    job.log.info(
      `Found ${listed.length} instance(s) ${describeSelection(config.selection)} in ${describeScope(config.scope)}; ${run.length} can be backed up:`,
    );
    for (const instance of listed) {
      const backup = lacksBackup(instance.tier) ? `no backup (${noBackupReason(instance)})` : 'backup';
      job.log.info(
        `  ${instance.serviceName}: ${instance.tier}, ${instance.location ?? 'location unknown'}, resource group ${instance.resourceGroup}; ${backup}`,
      );
    }
    await publishMatrix(job, run, config);

    job.summary.rows.push(
      ['Where', describeScope(config.scope)],
      ['Instances', `${listed.length} found, ${run.length} with backup`],
    );
    job.summary.sections.push(
      markdownTable(
        ['Instance', 'Resource group', 'Tier', 'Location', 'Backup'],
        listed.map((instance) => [
          code(instance.serviceName),
          code(instance.resourceGroup),
          instance.tier,
          instance.location ?? '',
          lacksBackup(instance.tier) ? 'no' : 'yes',
        ]),
      ),
    );
  },
};

/**
 * A matrix must hold every instance or none: a cut one would leave instances out of the nightly run unseen. So
 * the file always holds them all, and a matrix over the 32 KiB an output may hold fails the step, saying how to
 * split the fleet.
 */
async function publishMatrix(job: Job, run: FoundInstance[], config: DiscoverConfig): Promise<void> {
  const { profile } = config;
  const outputs = matrixOutputs(run, profile);
  const file = await job.saveJson('apim-instances', JSON.parse(outputs.instances ?? '[]'));
  job.setOutput('instancesFile', file);
  const tooLarge = Object.entries(outputs).find(
    ([, value]) => Buffer.byteLength(neutralise(value)) > MAX_OUTPUT_BYTES,
  );
  if (tooLarge) {
    const kib = Math.ceil(Buffer.byteLength(tooLarge[1]) / 1024);
    throw new ActionableError(
      `discover found ${run.length} instances with backup in ${describeScope(config.scope)}: as output ${profile.outputName(tooLarge[0] as OutputName)} they take ${kib} KiB, over the ${MAX_OUTPUT_BYTES / 1024} KiB an output may hold, so no matrix was set (a cut one would leave instances out). Every instance is in ${profile.outputName('instancesFile')}: ${file}.`,
      'TooManyInstances',
      `Split the fleet: one discover per ${profile.inputName('resourceGroup')}, ${profile.inputName('serviceName')} pattern or ${profile.inputName('instanceTags')}, each feeding its own matrix.`,
    );
  }
  for (const [name, value] of Object.entries(outputs)) job.setOutput(name as OutputName, value);
}

/** The outputs of discover: the one place they are serialised. */
export function matrixOutputs(
  instances: FoundInstance[],
  profile: PlatformProfile,
): Partial<Record<OutputName, string>> {
  const entries = instances.map((instance) => matrixEntry(instance, profile));
  return {
    instances: JSON.stringify(entries),
    instanceCount: String(entries.length),
    // A system's own matrix object, where it has an output for one (Azure Pipelines' strategy: matrix).
    ...(profile.hasOutput('instancesMatrix')
      ? { instancesMatrix: JSON.stringify(matrix(instances, profile)) }
      : {}),
  };
}

/** One instance, keyed by this step's own input names on the platform, plus what the matrix job may show. */
function matrixEntry(instance: FoundInstance, profile: PlatformProfile): Record<string, string> {
  return {
    [profile.inputName('serviceName')]: instance.serviceName,
    [profile.inputName('resourceGroup')]: instance.resourceGroup,
    [profile.inputName('subscriptionId')]: instance.subscriptionId,
    tier: instance.tier,
    location: instance.location ?? '',
  };
}

/**
 * Azure Pipelines' `strategy: matrix` object: a job name per instance (letters, digits and underscores; instance
 * names are letters, digits and hyphens, and unique in Azure, so the names are too) and its variables.
 */
function matrix(
  instances: FoundInstance[],
  profile: PlatformProfile,
): Record<string, Record<string, string>> {
  return Object.fromEntries(
    instances.map((instance) => [instance.serviceName.replace(/-/g, '_'), matrixEntry(instance, profile)]),
  );
}

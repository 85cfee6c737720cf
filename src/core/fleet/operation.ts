/**
 * An operation over several instances: the instances service-name selects are found in Resource Manager, then each
 * runs exactly as a single run of the operation would (its own configuration from the step's inputs, its own
 * checks, waits and outputs), at most max-parallel at once, all under the step's one deadline. Every instance is
 * tried; the step fails after the others finished when one failed, naming each failure.
 */
import type { FoundInstance } from '../azure/instances';
import { forEachConcurrently } from '../base/concurrently';
import type { CommonConfig, Instance } from '../inputs/config';
import { formatDuration } from '../base/duration';
import type { FleetOperationName } from '../inputs/table';
import type { Job, Operation, RunnableOperation } from '../operations/operation';
import { ActionableError, explainError } from '../report/errors';
import { instanceJob } from './instance-job';
import { findInstances, planFleet } from '../operations/fleet-plan';
import { InstanceResult, publishResults, succeededMessage } from './results';
import { describeScope, describeSelection, FleetScope, Selection } from '../inputs/selection';

export interface FleetConfig extends CommonConfig {
  operation: FleetOperationName;
  scope: FleetScope;
  selection: Selection;
  maxParallel: number;
  /** The configuration validated before sign-in, for an instance named like the selection. */
  representative: CommonConfig;
  /** A single run's configuration for one instance: the step's inputs, with this instance named. */
  configureInstance(instance: Instance): CommonConfig;
}

export function fleetOf(inner: Operation<CommonConfig>): RunnableOperation<FleetConfig> {
  return {
    name: inner.name,
    usesInstance: true,
    polls: inner.polls,
    title: (config) =>
      `${inner.title(config.representative)}: instances ${describeSelection(config.selection)}`,
    action: (config) =>
      `${NOUNS[config.operation]} of the API Management instances ${describeSelection(config.selection)} in ${describeScope(config.scope)}`,
    describe: (config) =>
      `${NOUNS[config.operation]} of each API Management instance ${describeSelection(config.selection)} in ${describeScope(config.scope)}, at most ${config.maxParallel} at once, each as a single ${config.operation} would run. Timeout ${formatDuration(config.timing.timeoutMs)} for all of them.`,

    async run(config, job) {
      const found = await findInstances(job, config);
      const plan = planFleet(found, config.selection, config.scope, config.profile);
      const skipped: InstanceResult[] = plan.skipped.map(({ instance, reason }) => {
        job.log.info(`[${instance.serviceName}] Skipped: ${reason} (found by a pattern).`);
        return { instance, status: 'skipped', message: `Skipped: ${reason}.` };
      });
      job.log.info(
        `${plan.run.length} instance(s), at most ${config.maxParallel} at once: ${plan.run.map((instance) => instance.serviceName).join(', ')}.`,
      );

      // With one instance, the step's outputs and summary are the single run's, as without a fleet.
      const passThrough = plan.run.length === 1;
      const results: InstanceResult[] = [];
      await forEachConcurrently(
        plan.run.map((instance, index) => ({ instance, index })),
        config.maxParallel,
        async ({ instance, index }) => {
          results[index] = await runInstance(inner, config, job, instance, passThrough);
        },
      );
      const all = [...results, ...skipped];
      await publishResults(job, all, config.maxParallel);

      const failed = all.filter((result) => result.status === 'failed');
      if (failed.length > 0) {
        const succeeded = all.filter((result) => result.status === 'succeeded').length;
        throw new ActionableError(
          `${NOUNS[config.operation]} failed for ${failed.length} of ${plan.run.length} instance(s) (${succeeded} succeeded${skipped.length ? `, ${skipped.length} skipped` : ''}):\n${failed.map((result) => `  - ${result.instance.serviceName}: ${result.message}`).join('\n')}`,
          'InstancesFailed',
        );
      }
    },
  };
}

/**
 * One instance, as a single run: describe, run, and its outcome as a result. Never throws: a failure is the
 * instance's result, and the other instances go on.
 *
 * Checks that belong to an operation (such as a pre-flight check before a backup) live in its run, so each
 * instance gets them here as a single run does.
 */
async function runInstance(
  inner: Operation<CommonConfig>,
  fleet: FleetConfig,
  parent: Job,
  instance: FoundInstance,
  passThrough: boolean,
): Promise<InstanceResult> {
  const { deadline } = parent;
  if (deadline.ended) {
    const why = deadline.expired ? 'the step timed out' : 'the step was cancelled';
    return { instance, status: 'failed', message: `Not started: ${why} before its turn.` };
  }
  const { job, outputs } = instanceJob(parent, instance.serviceName, passThrough);
  const startedAt = Date.now();
  let config: CommonConfig | undefined;
  try {
    config = fleet.configureInstance(instance);
    job.log.info(inner.describe(config));
    await inner.run(config, job);
    return {
      instance,
      status: 'succeeded',
      backupName: outputs.backupName,
      backupUrl: outputs.backupUrl,
      durationMs: Date.now() - startedAt,
      message: succeededMessage(fleet.operation, config, outputs),
      sections: passThrough ? undefined : job.summary.sections,
    };
  } catch (error) {
    const running = job.operationUrl;
    let message: string;
    if (deadline.ended) {
      const stopped = deadline.expired ? "Stopped by the step's timeout" : 'Cancelled';
      message = running
        ? `${stopped}. The ${fleet.operation} may still be running in Azure: ${running}`
        : `${stopped} before any operation started in Azure.`;
    } else {
      const explained = config ? explainError(error, { action: inner.action(config), config }) : error;
      message = (explained as Error).message.replace(/\s*\n\s*/g, ' ');
      job.log.warning(message);
    }
    return {
      instance,
      status: 'failed',
      backupName: outputs.backupName,
      backupUrl: outputs.backupUrl,
      durationMs: Date.now() - startedAt,
      message,
      operationUrl: running,
    };
  }
}

/** What the operation does to each instance, for messages. */
const NOUNS: Record<FleetOperationName, string> = {
  backup: 'Backup',
  verify: 'Verification of the backups',
  list: 'Listing of the backups',
  prune: 'Pruning of the backups',
  check: 'The pre-flight check',
};

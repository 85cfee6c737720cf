/**
 * From the instances Resource Manager lists to the ones a fleet runs: a named instance must exist and have backup
 * (else nothing starts), a pattern's finds without backup are skipped with a note, and a selection that runs
 * nothing fails, naming where it looked.
 */
import type { FoundInstance } from '../azure/instances';
import { lacksBackup } from '../azure/tiers';
import type { CommonConfig } from '../inputs/config';
import {
  describeScope,
  describeSelection,
  FleetScope,
  hasTags,
  matchesPattern,
  Selection,
} from '../inputs/selection';
import type { InputKey } from '../inputs/table';
import type { PlatformProfile } from '../ports';
import { ActionableError, explainError } from '../report/errors';
import type { Job } from './operation';

export interface FleetPlan {
  /** Named ones first, in the order given, then a pattern's finds by name. */
  run: FoundInstance[];
  /** Found by a pattern, but on a tier without backup. */
  skipped: { instance: FoundInstance; reason: string }[];
}

export function noBackupReason(instance: FoundInstance): string {
  return `${instance.tier} has no backup or restore`;
}

/** The instances of the scope; a refusal is explained with the scope, where the role is missing. */
export async function findInstances(
  job: Job,
  config: CommonConfig & { scope: FleetScope },
): Promise<FoundInstance[]> {
  try {
    return await job.instances(config.scope);
  } catch (error) {
    if (job.deadline.ended) throw error;
    const { subscriptionId, resourceGroup = '' } = config.scope;
    throw explainError(error, {
      action: `Listing the API Management instances of ${describeScope(config.scope)}`,
      config: { ...config, instance: { subscriptionId, resourceGroup, serviceName: '' } },
    });
  }
}

/** The plan, or an ActionableError saying what in the selection cannot run; nothing has started either way. */
export function planFleet(
  found: FoundInstance[],
  selection: Selection,
  scope: FleetScope,
  profile: PlatformProfile,
): FleetPlan {
  const name = (key: InputKey) => profile.inputName(key);
  const byName = new Map(found.map((instance) => [instance.serviceName.toLowerCase(), instance]));
  const problems: string[] = [];
  const run: FoundInstance[] = [];
  for (const wanted of selection.names) {
    const instance = byName.get(wanted.toLowerCase());
    if (!instance) problems.push(`'${wanted}' does not exist in ${describeScope(scope)}`);
    else if (lacksBackup(instance.tier)) {
      problems.push(
        `'${instance.serviceName}' is on the ${instance.tier} tier, which has no backup or restore`,
      );
    } else run.push(instance);
  }
  if (problems.length > 0) {
    throw new ActionableError(
      `The instances named in ${name('serviceName')} cannot all be run; nothing was started:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
      'InstanceNotUsable',
      `Check the names (operation: discover lists the instances of a scope). Backup and restore exist only on the Developer, Basic, Standard and Premium tiers: leave the others out, or match them with a pattern, which skips them with a note.`,
    );
  }

  const named = new Set(run.map((instance) => instance.serviceName.toLowerCase()));
  const matched = found
    .filter(
      (instance) =>
        !named.has(instance.serviceName.toLowerCase()) &&
        selection.patterns.some((pattern) => matchesPattern(pattern, instance.serviceName)) &&
        hasTags(instance.tags, selection.tags),
    )
    .sort((a, b) => a.serviceName.localeCompare(b.serviceName));
  const skipped = matched
    .filter((instance) => lacksBackup(instance.tier))
    .map((instance) => ({ instance, reason: noBackupReason(instance) }));
  run.push(...matched.filter((instance) => !lacksBackup(instance.tier)));

  if (run.length === 0) {
    const where = `${describeSelection(selection)} in ${describeScope(scope)}`;
    const held = found.length
      ? `it holds ${found
          .slice(0, 10)
          .map((instance) => instance.serviceName)
          .join(', ')}${found.length > 10 ? ` and ${found.length - 10} more` : ''}`
      : 'it holds no API Management instance';
    throw new ActionableError(
      skipped.length
        ? `Every API Management instance ${where} is on a tier without backup: ${skipped.map(({ instance }) => `'${instance.serviceName}' (${instance.tier})`).join(', ')}. Nothing was run.`
        : `No API Management instance ${where}; ${held}. Nothing was run.`,
      'NoInstance',
      `Check ${(['serviceName', 'resourceGroup', 'subscriptionId', 'instanceTags'] as const).map(name).join(', ')}; operation: discover lists what a scope holds.`,
    );
  }
  return { run, skipped };
}

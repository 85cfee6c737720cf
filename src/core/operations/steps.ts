/**
 * The Azure work backup, restore and copy share: a backup (waited for, then stamped with its provenance), a restore,
 * and the safety backup of a target before it is overwritten. Each step tells the job what it started and finished,
 * so a failure or timeout can say what is done, what may still run in Azure and how to undo it.
 */
import type { ApimInstance, BackupLocation, InstanceFacts } from '../azure/apim';
import { ownership, Provenance } from '../azure/backup-entry';
import { blobUrl } from '../azure/blob-url';
import type { ApimStorageAccess, CommonConfig, Instance } from '../inputs/config';
import { formatDuration } from '../base/duration';
import type { InputKey } from '../inputs/table';
import type { Job } from './operation';
import { startAndWait } from './start-and-wait';

export interface BackupStep {
  apim: ApimInstance;
  facts: InstanceFacts;
  backupName: string;
  access: ApimStorageAccess;
  /** e.g. "Backup of 'apim-prod'" or "Safety backup of 'apim-staging'". */
  label: string;
  /** false: start it and hand over its URL (nothing to stamp yet). Default true. */
  wait?: boolean;
}

/**
 * Backs the instance up to `backupName`, then stamps the blob; returns how long the backup took, or undefined when
 * the step did not wait for it.
 */
export async function backUp(job: Job, config: CommonConfig, step: BackupStep): Promise<number | undefined> {
  const { instance } = step.apim;
  const createdAt = new Date();
  const durationMs = await startAndWait(
    job,
    step.apim,
    'backup',
    location(config, step.backupName, step.access),
    { ...config, wait: step.wait ?? true },
    step.label,
    // The storage client (and its token) is readied while the backup runs: the stamp after it is one request.
    () => {
      if (!job.storageRefused) void job.catalog().then((catalog) => catalog.prepare(), noProblem);
    },
  );
  if (durationMs === undefined) return undefined;
  job.done.push(`${step.label} to '${step.backupName}' finished after ${formatDuration(durationMs)}.`);
  await stampProvenance(job, step.backupName, {
    apimservice: instance.serviceName,
    apimresourcegroup: instance.resourceGroup,
    apimsubscription: instance.subscriptionId,
    apimsku: step.facts.tier,
    apimlocation: step.facts.location,
    apimcreated: createdAt.toISOString(),
    apimrun: job.context.runUrl,
    apimcommit: job.context.commit,
  });
  return durationMs;
}

/** Restores the instance from `backupName`; returns how long it took, or undefined when not waited for. */
export function restoreFrom(
  job: Job,
  config: CommonConfig & { wait?: boolean },
  apim: ApimInstance,
  backupName: string,
  access: ApimStorageAccess,
  label: string,
): Promise<number | undefined> {
  return startAndWait(
    job,
    apim,
    'restore',
    location(config, backupName, access),
    { ...config, wait: config.wait ?? true },
    label,
  );
}

function location(config: CommonConfig, backupName: string, access: ApimStorageAccess): BackupLocation {
  return { storageAccount: config.storage.account, container: config.storage.container, backupName, access };
}

/**
 * The safety backup of a target before it is overwritten. Once it exists, the job can say how to put the target
 * back: a restore of it, with these inputs.
 */
export async function safetyBackup(
  job: Job,
  config: CommonConfig & { safetyBackupName: string; apimAccess: ApimStorageAccess },
  apim: ApimInstance,
  facts: InstanceFacts,
): Promise<void> {
  const name = config.safetyBackupName;
  const url = blobUrl(config.storage, name);
  job.log.info(
    `Taking a safety backup of '${apim.instance.serviceName}' to '${name}' before it is overwritten.`,
  );
  job.setOutput('safetyBackupName', name);
  job.setOutput('safetyBackupUrl', url);
  try {
    await backUp(job, config, {
      apim,
      facts,
      backupName: name,
      access: config.apimAccess,
      label: `Safety backup of '${apim.instance.serviceName}'`,
    });
  } catch (error) {
    job.done.push(
      `Nothing was restored: the safety backup of '${apim.instance.serviceName}' did not finish, so it is unchanged.`,
    );
    throw error;
  }
  job.summary.rows.push(['Safety backup', `[\`${name}\`](${url})`]);
}

/** The step inputs that restore the safety backup into the target, as the user would write them. */
export function recoveryInputs(
  config: CommonConfig & { safetyBackupName: string },
  target: Instance,
): string {
  const name = (key: InputKey) => config.profile.inputName(key);
  const lines: [InputKey, string][] = [
    ['operation', 'restore'],
    ['subscriptionId', target.subscriptionId],
    ['resourceGroup', target.resourceGroup],
    ['serviceName', target.serviceName],
    ['storageAccount', config.storage.account],
    ['container', config.storage.container],
    ['backupName', config.safetyBackupName],
    ['safetyBackup', 'false'],
  ];
  return `The safety backup '${config.safetyBackupName}' holds '${target.serviceName}' as it was before. To put it back, run the step with these inputs (and this step's sign-in and storage access):\n${lines.map(([key, value]) => `    ${name(key)}: ${value}`).join('\n')}`;
}

/** Provenance lets list, latest and prune recognise the backup; without it the backup is still good. */
async function stampProvenance(job: Job, backupName: string, provenance: Provenance): Promise<void> {
  if (job.storageRefused) {
    job.log.info(
      `Did not stamp '${backupName}' with its provenance: the storage refused the step (see the warning).`,
    );
    return;
  }
  try {
    const catalog = await job.catalog();
    await catalog.stamp(backupName, provenance);
    job.log.info(
      `Stamped '${backupName}' with its provenance (instance, tier ${provenance.apimsku}, time, run).`,
    );
  } catch (error) {
    if (job.deadline.expired) throw error;
    const byName =
      ownership(backupName, undefined, provenance.apimservice) === 'own'
        ? 'will know it only by its name'
        : `will pass it over: its name does not show it is a backup of '${provenance.apimservice}' (that takes a date, time or run number right after the instance name, as the default name has)`;
    job.log.warning(
      `The backup '${backupName}' succeeded, but the step could not stamp its provenance metadata, so list, verify, prune and restore latest ${byName}: ${(error as Error).message}`,
    );
  }
}

/** Readying is optional: whatever failed is met again, and reported, where it is needed. */
function noProblem(): void {}

/** What a restore does not carry: the operator checks these on the target. */
export const NOT_RESTORED =
  'A restore does not carry: custom-domain and CA certificates, managed-identity configuration, VNet settings, diagnostics, protocol and cipher settings, developer portal content, analytics data. Check these on the target.';

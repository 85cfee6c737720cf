/**
 * check: every pre-flight check for an instance (and, with source-service-name, for a copy from that source), plus
 * the step's own access — sign-in, the permission to back up and restore the instance, reading and writing the
 * container — with nothing started and nothing written. A table in the job summary, output findings, and a failed
 * step when a check fails: a pull-request check of a pipeline's configuration, or a DR drill's first step.
 */
import type { ApimInstance, InstanceFacts } from '../azure/apim';
import { isSignInError, Permission, Read } from '../azure/arm-resources';
import type { ApimStorageAccess, CommonConfig, Instance, StorageAccountScope } from '../inputs/config';
import { gather } from '../preflight/gather';
import { allows, BLOB_WRITE } from '../preflight/permissions';
import type { Finding, PreflightSubject } from '../preflight/plan';
import {
  checkFailure,
  describeFinding,
  findingsOutput,
  findingsTable,
  skippedWarning,
} from '../preflight/report';
import { evaluate, permissionFinding, skippedBecause, tierFinding } from '../preflight/rules';
import { ActionableError, explainError } from '../report/errors';
import { code, describeApimAccess } from '../report/summary';
import { addInstanceRows, describeInstance } from './describe';
import type { Job, Operation } from './operation';
import { preflightPlan } from './preflight';

export interface CheckConfig extends CommonConfig {
  instance: Instance;
  /** A copy's source, checked as such, when source-service-name is given. */
  source?: Instance;
  apimAccess: ApimStorageAccess;
  storageScope: StorageAccountScope;
}

export const check: Operation<CheckConfig> = {
  name: 'check',
  usesInstance: true,
  polls: false,
  configure(builder, common) {
    const instance = builder.instance();
    const source = builder.raw.sourceServiceName === undefined ? undefined : builder.sourceInstance(instance);
    if (source && sameInstance(source, instance)) {
      builder.report(
        `${builder.name('sourceServiceName')} names the instance itself ('${instance.serviceName}'): leave it out to check the instance alone`,
      );
    }
    return {
      ...common,
      instance,
      source,
      apimAccess: builder.apimAccess(),
      storageScope: builder.storageAccountScope(),
    };
  },
  title: () => 'APIM pre-flight check',
  action: (config) => `Check of '${config.instance.serviceName}'`,
  describe: (config) =>
    `Checking what ${config.source ? `a copy of '${config.source.serviceName}' into` : 'a backup and a restore of'} ${describeInstance(config.instance)} needs, with container '${config.storage.container}' of storage account '${config.storage.account}' and ${describeApimAccess(config.apimAccess)}. Nothing is started or written.`,

  async run(config, job) {
    const findings: Finding[] = [];
    try {
      await inspect(config, job, findings);
    } finally {
      job.setOutput('findings', findingsOutput(findings));
      job.summary.sections.push(findingsTable(findings));
    }
    for (const finding of findings) {
      if (finding.severity === 'warning') job.log.warning(describeFinding(finding));
      if (finding.severity === 'ok') job.log.info(`✓ ${describeFinding(finding)}`);
    }
    const skipped = skippedWarning(findings, {
      identity: job.signedInAs,
      storageAccount: config.storage.account,
      profile: config.profile,
    });
    if (skipped) job.log.warning(skipped);
    const errors = findings.filter((finding) => finding.severity === 'error');
    if (errors.length > 0) throw checkFailure(errors, findings.length);
    job.log.info(`All ${findings.length} checks passed or were skipped; none would fail the operation.`);
  },
};

async function inspect(config: CheckConfig, job: Job, findings: Finding[]): Promise<void> {
  const { instance, source } = config;
  const targets: [Instance, PreflightSubject['needs']][] = source
    ? [
        [instance, ['read', 'write']],
        [source, ['write']],
      ]
    : [[instance, ['read', 'write']]];
  const instances = await Promise.all(targets.map(([target]) => job.apim(target)));
  const read = await Promise.allSettled(instances.map((apim) => apim.inspect()));
  const failed = read.findIndex((result) => result.status === 'rejected');
  if (failed >= 0) {
    findings.push(
      readFailure((read[failed] as PromiseRejectedResult).reason, instances[failed], config, job),
    );
    return;
  }
  findings.push({ check: 'sign-in', severity: 'ok', message: `Signed in as ${job.signedInAs}.` });
  const subjects: PreflightSubject[] = targets.map(([target, needs], i) => ({
    instance: target,
    facts: (read[i] as PromiseFulfilledResult<InstanceFacts>).value,
    needs,
  }));
  addInstanceRows(job, instance, subjects[0].facts.tier);
  if (source) job.summary.rows.push(['Source', `${code(source.serviceName)} (${subjects[1].facts.tier})`]);
  job.summary.rows.push([
    'Storage',
    `container ${code(config.storage.container)} of ${code(config.storage.account)}`,
  ]);
  findings.push(...subjects.map(tierFinding));

  // One round: the pre-flight reads, the step's permissions on each instance, and a read of the container.
  const arm = await job.arm();
  const plan = preflightPlan(config, subjects);
  const [reads, permissions, storageRead] = await Promise.all([
    gather(arm, plan),
    Promise.all(subjects.map((subject) => arm.permissions(subject.facts.id))),
    readContainer(config, job),
  ]);
  findings.push(
    ...subjects.map((subject, i) => permissionFinding(subject, permissions[i], job.signedInAs)),
    ...evaluate(plan, reads),
    storageRead,
  );
  findings.push(
    config.storage.sharedKey
      ? {
          check: 'storage-write',
          severity: 'ok',
          message: 'The storage key lets the step write provenance metadata.',
        }
      : reads.account.ok
        ? storageWrite(await arm.permissions(reads.account.value.id), config, job.signedInAs)
        : {
            check: 'storage-write',
            severity: 'skipped',
            message: skippedBecause(reads.account),
            cause: reads.account,
          },
  );
}

/** The instance could not be read: a failed sign-in, or the instance itself. */
function readFailure(error: unknown, apim: ApimInstance, config: CheckConfig, job: Job): Finding {
  if (job.deadline.ended) throw error;
  const explained = explainError(error, {
    action: `Reading API Management instance '${apim.instance.serviceName}'`,
    config: { ...config, instance: apim.instance },
  });
  const [message] = explained.message.split('\nWhat to do: ');
  const signIn = isSignInError(error) || /^AADSTS/.test(explained.code ?? '');
  return {
    check: signIn ? 'sign-in' : 'instance',
    instance: signIn ? undefined : apim.instance.serviceName,
    severity: 'error',
    message: signIn ? `Signing in as ${job.signedInAs} failed: ${message}` : message,
    fix: explained.hint,
  };
}

async function readContainer(config: CheckConfig, job: Job): Promise<Finding> {
  const where = `container '${config.storage.container}' of storage account '${config.storage.account}'`;
  try {
    const catalog = await job.catalog();
    const found = await catalog.probe();
    return {
      check: 'storage-read',
      severity: 'ok',
      message:
        found === 'ok'
          ? `The step can read ${where}.`
          : `The step can reach storage account '${config.storage.account}'; container '${config.storage.container}' does not exist yet (the first backup creates it).`,
    };
  } catch (error) {
    if (job.deadline.ended) throw error;
    const hint = error instanceof ActionableError ? error.hint : undefined;
    return {
      check: 'storage-read',
      severity: 'warning',
      message: `${(error as Error).message.split('\nWhat to do: ')[0]} Backups and restores of a named blob still work; list, verify, prune and restore latest need this access.`,
      fix: hint,
    };
  }
}

function storageWrite(read: Read<Permission[]>, config: CheckConfig, identity: string): Finding {
  if (!read.ok)
    return { check: 'storage-write', severity: 'skipped', message: skippedBecause(read), cause: read };
  if (allows(read.value, BLOB_WRITE, 'dataActions')) {
    return {
      check: 'storage-write',
      severity: 'ok',
      message: `${identity} may write blobs in storage account '${config.storage.account}'.`,
    };
  }
  return {
    check: 'storage-write',
    severity: 'warning',
    message: `${identity} may not write blobs in storage account '${config.storage.account}': backups succeed without provenance metadata (list, verify, prune and restore latest then know them only by name), and prune cannot delete.`,
    fix: `Grant ${identity} 'Storage Blob Data Contributor' on storage account '${config.storage.account}'.`,
  };
}

function sameInstance(a: Instance, b: Instance): boolean {
  return (
    [a.subscriptionId, a.resourceGroup, a.serviceName].join('/').toLowerCase() ===
    [b.subscriptionId, b.resourceGroup, b.serviceName].join('/').toLowerCase()
  );
}

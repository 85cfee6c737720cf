/**
 * Pre-flight for backup, restore and copy: after the instances are read and before any POST, the checks read in
 * one round what would make Azure fail the operation at its end, refuse a certain failure (naming what to change),
 * warn of a likely one, and say in one warning what the step could not read — and then let the operation go on.
 */
import type { ApimStorageAccess, CommonConfig, StorageAccountScope } from '../inputs/config';
import { gather } from '../preflight/gather';
import { CHECK_TITLES, Finding, PreflightPlan, PreflightSubject } from '../preflight/plan';
import { describeFinding, findingLabel, preflightFailure, skippedWarning } from '../preflight/report';
import { evaluate } from '../preflight/rules';
import type { Job } from './operation';

export interface PreflightConfig {
  /** false: the checks are skipped (preflight: false). */
  preflight: boolean;
  storageScope: StorageAccountScope;
}

type Planned = CommonConfig & PreflightConfig & { apimAccess: ApimStorageAccess };

export function preflightPlan(
  config: CommonConfig & Pick<PreflightConfig, 'storageScope'> & { apimAccess: ApimStorageAccess },
  subjects: PreflightSubject[],
): PreflightPlan {
  return {
    subjects,
    access: config.apimAccess,
    storage: {
      account: config.storage.account,
      container: config.storage.container,
      resourceGroup: config.storageScope.resourceGroup,
      subscriptionId: config.storageScope.subscriptionId,
    },
    profile: config.profile,
  };
}

/** Reads and judges; throws when Azure would certainly fail `doing` (e.g. "the backup of 'apim-prod'"). */
export async function runPreflight(
  job: Job,
  config: Planned,
  subjects: PreflightSubject[],
  doing: string,
): Promise<void> {
  if (!config.preflight) {
    job.log.info(`Pre-flight checks skipped (${config.profile.inputName('preflight')}: false).`);
    job.summary.rows.push(['Pre-flight', 'skipped']);
    return;
  }
  const startedAt = Date.now();
  const arm = await job.arm();
  const requestsBefore = arm.requests;
  const plan = preflightPlan(config, subjects);
  const reads = await gather(arm, plan);
  const findings = evaluate(plan, reads);
  const cost = `${arm.requests - requestsBefore} requests in ${reads.rounds} round${reads.rounds > 1 ? 's' : ''}, ${Date.now() - startedAt} ms`;
  job.log.debug(`Pre-flight: ${cost}.`);
  reportFindings(job, config, findings, doing, cost);
}

function reportFindings(job: Job, config: Planned, findings: Finding[], doing: string, cost: string): void {
  const errors = findings.filter((finding) => finding.severity === 'error');
  const warnings = findings.filter((finding) => finding.severity === 'warning');
  if (errors.length > 0) {
    job.summary.rows.push(['Pre-flight', `refused: ${errors.map(findingLabel).join(', ')}`]);
    throw preflightFailure(errors, doing, config.profile);
  }
  for (const warning of warnings) job.log.warning(`Pre-flight: ${describeFinding(warning)}`);
  const skipped = skippedWarning(findings, {
    identity: job.signedInAs,
    storageAccount: config.storage.account,
    profile: config.profile,
    goesOn: `${doing.charAt(0).toUpperCase()}${doing.slice(1)} goes on.`,
  });
  if (skipped) job.log.warning(skipped);
  const passed = [
    ...new Set(
      findings.filter((finding) => finding.severity === 'ok').map((finding) => CHECK_TITLES[finding.check]),
    ),
  ];
  job.log.info(`Pre-flight checks passed: ${passed.join(', ') || 'none'} (${cost}).`);
  const notes = [
    warnings.length ? `${warnings.length} warning${warnings.length > 1 ? 's' : ''}` : '',
    skipped ? 'some checks skipped' : '',
  ].filter(Boolean);
  job.summary.rows.push(['Pre-flight', `passed${notes.length ? ` (${notes.join(', ')})` : ''}`]);
}

/** Findings in words: the failure that stops a step, the one warning for what could not be checked, the table. */
import type { PlatformProfile } from '../ports';
import { ActionableError } from '../report/errors';
import { markdownTable } from '../report/summary';
import { CHECK_TITLES, Finding } from './plan';

/** "Data role on the account ('apim-prod')". */
export function findingLabel(finding: Finding): string {
  const title = CHECK_TITLES[finding.check];
  return finding.instance ? `${title} ('${finding.instance}')` : title;
}

/** A finding with what to do, as one log line. */
export function describeFinding(finding: Finding): string {
  return `${findingLabel(finding)}: ${finding.message}${finding.fix ? ` What to do: ${finding.fix}` : ''}`;
}

/** The certain failures found before anything started, each with what to change. */
export function preflightFailure(
  errors: Finding[],
  doing: string,
  profile: PlatformProfile,
): ActionableError {
  return new ActionableError(
    `Pre-flight: ${doing} would fail in Azure, so nothing was started (${errors.length} problem${errors.length > 1 ? 's' : ''}):\n${errors.map(item).join('\n')}`,
    'PreflightFailed',
    `Fix the above and run again. ${profile.inputName('operation')}: check shows every check without starting anything; ${profile.inputName('preflight')}: false skips them.`,
  );
}

/** operation: check's failure: every check that failed, each with what to change. */
export function checkFailure(errors: Finding[], total: number): ActionableError {
  return new ActionableError(
    `Check: ${errors.length} of ${total} checks failed; a backup or restore would fail in Azure:\n${errors.map(item).join('\n')}`,
    'CheckFailed',
    'Fix the above and run the check again (the job summary has every check).',
  );
}

function item(finding: Finding): string {
  return `  - ${findingLabel(finding)}: ${finding.message}${finding.fix ? `\n    What to do: ${finding.fix}` : ''}`;
}

export interface SkipContext {
  /** Who the step signs in as: "app '…'". */
  identity: string;
  storageAccount: string;
  profile: PlatformProfile;
  /** "The backup goes on." for an operation; nothing for check. */
  goesOn?: string;
}

/** One warning for every check the step could not read for, saying why and which role would let it. */
export function skippedWarning(findings: Finding[], context: SkipContext): string | undefined {
  const skipped = findings.filter((finding) => finding.severity === 'skipped');
  if (skipped.length === 0) return undefined;
  const causes = new Map<string, string>();
  for (const finding of skipped) {
    if (finding.cause)
      causes.set(
        `${finding.cause.resource} ${finding.cause.detail}`,
        finding.message.replace(/^Not checked: /, ''),
      );
  }
  const reasons = new Set(skipped.map((finding) => finding.cause?.reason));
  const fixes = skipped.map((finding) => finding.fix).filter((fix): fix is string => Boolean(fix));
  const advice: string[] = [...new Set(fixes)];
  if (reasons.has('denied') || reasons.has('not-found')) {
    const onInstance = skipped.some(
      (finding) => finding.check === 'workspace-gateways' || finding.check === 'permissions',
    )
      ? ' and on the API Management instance'
      : '';
    advice.push(
      `To let it check them, grant ${context.identity} 'Reader' on storage account '${context.storageAccount}'${onInstance}, or set ${context.profile.inputName('preflight')}: false to skip the checks.`,
    );
  }
  if (reasons.has('unreachable') || reasons.has('failed')) {
    advice.push(
      'Resource Manager did not answer those reads; Azure checks the same things itself while it works.',
    );
  }
  const labels = [...new Set(skipped.map(findingLabel))];
  return [
    `Pre-flight skipped ${labels.length} check${labels.length > 1 ? 's' : ''} it could not read for: ${labels.join(', ')}.`,
    ...[...causes.values()].map((cause) => `${cause.charAt(0).toUpperCase()}${cause.slice(1)}`),
    ...advice,
    ...(context.goesOn ? [context.goesOn] : []),
  ].join(' ');
}

const RESULTS = { error: '❌ error', warning: '⚠️ warning', ok: '✅ ok', skipped: '➖ skipped' } as const;

/** The job summary's table of every check: check, result, what to do. */
export function findingsTable(findings: Finding[]): string {
  return markdownTable(
    ['Check', 'Result', 'What to do'],
    findings.map((finding) => [
      findingLabel(finding),
      `${RESULTS[finding.severity]}: ${finding.message}`,
      finding.fix ?? '',
    ]),
  );
}

/** The findings output: check, severity, message, and instance and fix where they apply. */
export function findingsOutput(findings: Finding[]): string {
  return JSON.stringify(
    findings.map(({ check, instance, severity, message, fix }) => ({
      check,
      severity,
      message,
      ...(instance ? { instance } : {}),
      ...(fix ? { fix } : {}),
    })),
  );
}

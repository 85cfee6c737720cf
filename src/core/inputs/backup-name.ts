/** Expands the placeholders users put in `backup-name`, so nightly runs get distinct, sortable blob names. */

export interface NameContext {
  serviceName: string;
  resourceGroup: string;
  now: Date;
  runId?: string;
}

export const PLACEHOLDERS = ['service', 'resource-group', 'date', 'time', 'timestamp', 'run-id'] as const;

export type ExpansionResult = { ok: true; name: string } | { ok: false; problem: string };

export function expandBackupName(template: string, context: NameContext): ExpansionResult {
  const iso = context.now.toISOString(); // UTC: yyyy-MM-ddTHH:mm:ss.sssZ
  const date = iso.slice(0, 10);
  const time = iso.slice(11, 19).replace(/:/g, '');
  const values: Record<string, string | undefined> = {
    service: context.serviceName,
    'resource-group': context.resourceGroup,
    date,
    time,
    timestamp: `${date.replace(/-/g, '')}-${time}`,
    'run-id': context.runId,
  };
  const problems: string[] = [];
  const name = template.replace(/\{([^{}]*)\}/g, (whole, placeholder: string) => {
    if (!Object.hasOwn(values, placeholder)) {
      problems.push(`unknown placeholder ${whole} (use ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})`);
      return whole;
    }
    const value = values[placeholder];
    // An empty run id (a runner that sets the variable blank) is as absent as a missing one.
    if (value === undefined || (placeholder === 'run-id' && !value)) {
      problems.push(`${whole} is not available: this run has no run id`);
      return whole;
    }
    return value;
  });
  return problems.length ? { ok: false, problem: problems.join('; ') } : { ok: true, name };
}

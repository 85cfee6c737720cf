/** expandBackupName: every placeholder, in UTC, and the problems users can make. */
import { expandBackupName, NameContext, PLACEHOLDERS } from '../../src/core/inputs/backup-name';
import { DEFAULT_BACKUP_NAME } from '../../src/core/inputs/table';

const CONTEXT: NameContext = {
  serviceName: 'contoso-apim',
  resourceGroup: 'rg-apim',
  now: new Date(Date.UTC(2024, 2, 5, 7, 8, 9, 999)), // 2024-03-05T07:08:09.999Z
  runId: '4242',
};

describe('expandBackupName', () => {
  it.each([
    ['{service}', 'contoso-apim'],
    ['{resource-group}', 'rg-apim'],
    ['{date}', '2024-03-05'],
    ['{time}', '070809'],
    ['{timestamp}', '20240305-070809'],
    ['{run-id}', '4242'],
  ])('expands %s', (template, expected) => {
    expect(expandBackupName(template, CONTEXT)).toEqual({ ok: true, name: expected });
  });

  it('covers every documented placeholder', () => {
    expect([...PLACEHOLDERS].sort()).toEqual([
      'date',
      'resource-group',
      'run-id',
      'service',
      'time',
      'timestamp',
    ]);
  });

  it('expands several placeholders, repeated, inside a path', () => {
    expect(
      expandBackupName('{resource-group}/{date}/{service}-{time}-{run-id}-{service}.apimbackup', CONTEXT),
    ).toEqual({ ok: true, name: 'rg-apim/2024-03-05/contoso-apim-070809-4242-contoso-apim.apimbackup' });
  });

  it('leaves text without placeholders as it is', () => {
    expect(expandBackupName('backup (final).apimbackup', CONTEXT)).toEqual({
      ok: true,
      name: 'backup (final).apimbackup',
    });
  });

  it('uses UTC, whatever the local time zone', () => {
    const newYearsEve = { ...CONTEXT, now: new Date(Date.UTC(2024, 11, 31, 23, 59, 58)) };
    expect(expandBackupName('{date} {time} {timestamp}', newYearsEve)).toEqual({
      ok: true,
      name: '2024-12-31 235958 20241231-235958',
    });
    const newYear = { ...CONTEXT, now: new Date(Date.UTC(2025, 0, 1, 0, 0, 0)) };
    expect(expandBackupName('{timestamp}', newYear)).toEqual({ ok: true, name: '20250101-000000' });
  });

  it('gives the default name {service}-{timestamp}.apimbackup', () => {
    expect(DEFAULT_BACKUP_NAME).toBe('{service}-{timestamp}.apimbackup');
    expect(expandBackupName(DEFAULT_BACKUP_NAME, CONTEXT)).toEqual({
      ok: true,
      name: 'contoso-apim-20240305-070809.apimbackup',
    });
  });

  it.each(['{nope}', '{Service}', '{ service }', '{}', '{run_id}'])(
    'refuses the unknown placeholder %s',
    (placeholder) => {
      const result = expandBackupName(`backup-${placeholder}.apimbackup`, CONTEXT);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.problem).toContain(`unknown placeholder ${placeholder}`);
      // The problem lists the placeholders that exist.
      for (const known of PLACEHOLDERS) expect(result.problem).toContain(`{${known}}`);
    },
  );

  it.each(['{constructor}', '{toString}', '{__proto__}', '{hasOwnProperty}'])(
    'refuses %s, a name Object.prototype happens to have, as an unknown placeholder',
    (placeholder) => {
      const result = expandBackupName(`backup-${placeholder}.apimbackup`, CONTEXT);
      expect(result).toEqual({
        ok: false,
        problem: expect.stringContaining(`unknown placeholder ${placeholder}`),
      });
    },
  );

  it('refuses {run-id} when the run has no id', () => {
    const result = expandBackupName('{service}-{run-id}.apimbackup', { ...CONTEXT, runId: undefined });
    expect(result).toEqual({ ok: false, problem: expect.stringContaining('{run-id} is not available') });
    expect(result.ok || result.problem).toContain('run id');
  });

  it('reports every problem of a template together', () => {
    const result = expandBackupName('{a}-{run-id}-{b}', { ...CONTEXT, runId: undefined });
    expect(result.ok).toBe(false);
    const problem = result.ok ? '' : result.problem;
    expect(problem.split('; ')).toHaveLength(3);
    expect(problem).toContain('unknown placeholder {a}');
    expect(problem).toContain('{run-id} is not available');
    expect(problem).toContain('unknown placeholder {b}');
  });
});

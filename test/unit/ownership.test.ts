/**
 * Whose a blob is: the `apimservice` stamp decides; unstamped, a name is a backup of X only when a digit follows X
 * and a separator, so a standby named after its primary (`apim-prod-dr`) never lends it its backups.
 */
import { ownership } from '../../src/core/azure/backup-entry';
import { expandBackupName, NameContext, PLACEHOLDERS } from '../../src/core/inputs/backup-name';
import { DEFAULT_BACKUP_NAME, DEFAULT_SAFETY_BACKUP_NAME } from '../../src/core/inputs/table';
import { describeUnproven } from '../../src/core/operations/catalog-config';
import type { CatalogConfig } from '../../src/core/operations/catalog-config';

const PROD = 'apim-prod';
const stampedAs = (service: string) => ({ apimservice: service, apimsku: 'Premium' });

describe('ownership: unstamped blobs, by name', () => {
  it.each([
    'apim-prod-20261201.apimbackup',
    'apim-prod/2026-12-01.apimbackup',
    'apim-prod-20261201-020000.apimbackup',
    'apim-prod_20261201.apimbackup',
    'apim-prod.20261201.apimbackup',
    'apim-prod-4242.apimbackup', // a run number
    'APIM-PROD-20261201.APIMBACKUP', // names are case-insensitive in Azure
    'apim-prod-2026-12-01-02-00.apimbackup', // PowerShell's {Name}-{yyyy-MM-dd-HH-mm}
    'apim-prod-pre-restore-20261201-020000.apimbackup', // the step's own safety backup
    'apim-prod.apimbackup', // the name alone
  ])('%s is a backup of apim-prod', (name) => {
    expect(ownership(name, undefined, PROD)).toBe('own');
  });

  it.each([
    'apim-prod-dr-20261201-0200.apimbackup', // the standby's, named after its primary
    'apim-prod-dr-20261201.apimbackup',
    'apim-prod/dr/2026-12-01.apimbackup',
    'apim-prod_weekly.apimbackup',
    'apim-prod-pre-restore.apimbackup', // the marker without a timestamp proves nothing
    'apim-prod-pre-deploy-4242.apimbackup',
    'apim-prod-.apimbackup',
  ])('%s is unproven: letters after the name may be another instance’s', (name) => {
    expect(ownership(name, undefined, PROD)).toBe('unproven');
  });

  it.each([
    'apim-production-20261201.apimbackup', // no separator: another instance
    'nightly/apim-prod-20261201.apimbackup', // does not start with the name
    'apim-prod-20261201.bak',
    'apim-prod-20261201.apimbackup.txt',
    'apim-pro-20261201.apimbackup',
  ])('%s is not a backup of apim-prod at all', (name) => {
    expect(ownership(name, undefined, PROD)).toBe('other');
  });

  it('the standby’s own unstamped backups are its own', () => {
    expect(ownership('apim-prod-dr-20261201-0200.apimbackup', undefined, 'apim-prod-dr')).toBe('own');
    expect(ownership('apim-prod-20261201-0200.apimbackup', undefined, 'apim-prod-dr')).toBe('other');
  });
});

describe('ownership: the apimservice stamp decides, whatever the name', () => {
  it.each([
    ['apim-prod-dr-20261201.apimbackup', PROD, 'own'],
    ['custom.apimbackup', PROD, 'own'],
    ['apim-prod-20261201.apimbackup', 'apim-prod-dr', 'other'],
    ['apim-prod-weekly.apimbackup', 'apim-prod-dr', 'other'],
    ['apim-prod-20261201.apimbackup', 'APIM-PROD', 'own'],
  ])('%s stamped apimservice=%s', (name, stamped, expected) => {
    expect(ownership(name, stampedAs(stamped), PROD)).toBe(expected);
  });

  it('reads the key in any case, as Azure returns metadata names as they were set', () => {
    expect(ownership('x.apimbackup', { ApimService: PROD }, PROD)).toBe('own');
    expect(ownership('apim-prod-1.apimbackup', { APIMSERVICE: 'apim-prod-dr' }, PROD)).toBe('other');
  });

  it('compares only the instance name: a moved instance keeps its backups', () => {
    const moved = { ...stampedAs(PROD), apimresourcegroup: 'rg-old', apimsubscription: 'old-subscription' };
    expect(ownership('custom.apimbackup', moved, PROD)).toBe('own');
  });

  it('a blank stamp is no stamp', () => {
    expect(ownership('apim-prod-dr-1.apimbackup', { apimservice: ' ' }, PROD)).toBe('unproven');
    expect(ownership('apim-prod-1.apimbackup', { apimservice: '' }, PROD)).toBe('own');
  });

  it('other metadata is no stamp', () => {
    expect(ownership('apim-prod-dr-1.apimbackup', { apimsku: 'Premium' }, PROD)).toBe('unproven');
  });
});

describe('the step’s own default names are recognised even when unstamped', () => {
  const context: NameContext = {
    serviceName: PROD,
    resourceGroup: 'rg-apim',
    now: new Date(Date.UTC(2026, 11, 1, 2, 0, 0)),
    runId: '4242',
  };
  const expand = (template: string) => {
    const result = expandBackupName(template, context);
    if (!result.ok) throw new Error(result.problem);
    return result.name;
  };

  it.each([
    ['backup-name', DEFAULT_BACKUP_NAME],
    ['safety-backup-name', DEFAULT_SAFETY_BACKUP_NAME],
  ])('default %s', (_input, template) => {
    expect(ownership(expand(template), undefined, PROD)).toBe('own');
    expect(ownership(expand(template), undefined, 'apim')).toBe('unproven');
  });

  // Every placeholder that can follow {service}: those that make a digit prove the owner; a resource group
  // (letters) does not, so such a template needs the stamp.
  it.each(PLACEHOLDERS.filter((placeholder) => placeholder !== 'service'))(
    '{service}-{%s}.apimbackup',
    (placeholder) => {
      const name = expand(`{service}-{${placeholder}}.apimbackup`);
      const expected = placeholder === 'resource-group' ? 'unproven' : 'own';
      expect(ownership(name, undefined, PROD)).toBe(expected);
      expect(ownership(expand(`{service}/{${placeholder}}.apimbackup`), undefined, PROD)).toBe(expected);
    },
  );
});

describe('describeUnproven', () => {
  const config = {
    sourceServiceName: PROD,
    storage: { account: 'stapimbackups', container: 'apim-backups' },
  } as CatalogConfig;

  it('says how many, why, that none is used, and how to claim one', () => {
    const text = describeUnproven(config, [
      'apim-prod-dr-20261201-0200.apimbackup',
      'apim-prod_weekly.apimbackup',
    ]);
    expect(text).toContain('Passed over 2 unstamped blobs');
    expect(text).toContain("'apim-prod-dr-20261201-0200.apimbackup', 'apim-prod_weekly.apimbackup'");
    expect(text).toContain('no date, time or run number');
    expect(text).toContain("None is used or deleted as a backup of 'apim-prod'");
    expect(text).toContain('apimservice=apim-prod');
  });

  it('names five and counts the rest', () => {
    const names = Array.from({ length: 8 }, (_, i) => `apim-prod-x${i}.apimbackup`);
    const text = describeUnproven(config, names);
    expect(text).toContain('Passed over 8 unstamped blobs');
    expect(text).toContain("'apim-prod-x4.apimbackup', and 3 more");
    expect(text).not.toContain('apim-prod-x5');
  });
});

/**
 * Several instances in service-name: which entries a selection holds, what a service list turns into (run, skip,
 * refuse), the inputs a fleet checks before sign-in, each instance's own configuration, and its view of the job.
 */
import type { RunContext } from '../../src/core/inputs/config';
import { InputError } from '../../src/core/inputs/config';
import { parseJob } from '../../src/core/parse';
import type { RawInputs } from '../../src/core/inputs/table';
import type { FleetConfig } from '../../src/core/fleet/operation';
import type { FoundInstance } from '../../src/core/azure/instances';
import { planFleet } from '../../src/core/operations/fleet-plan';
import { publishResults, resultEntries } from '../../src/core/fleet/results';
import { hasTags, isFleet, matchesPattern, parseSelection } from '../../src/core/inputs/selection';
import { instanceJob } from '../../src/core/fleet/instance-job';
import type { BackupConfig } from '../../src/core/operations/backup';
import type { Job } from '../../src/core/operations/operation';
import type { OutputName } from '../../src/core/inputs/outputs';
import type { DiscoverConfig } from '../../src/core/operations/discover';
import {
  AZURE_DEVOPS,
  AZURE_DEVOPS_PROFILE,
  CLIENT,
  GITHUB,
  GITHUB_PROFILE,
  KEY,
  SUBSCRIPTION,
  TENANT,
} from './platforms';

const BASE: RawInputs = {
  tenantId: TENANT,
  clientId: CLIENT,
  subscriptionId: SUBSCRIPTION,
  storageAccount: 'stbackups',
  container: 'apim-backups',
};

function problems(raw: RawInputs, context: RunContext = GITHUB): string[] {
  try {
    parseJob({ ...BASE, ...raw }, context);
    return [];
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
}

describe('service-name as a selection', () => {
  it('is a fleet with more than one entry or a *, and one instance otherwise', () => {
    expect(isFleet('apim-prod')).toBe(false);
    expect(isFleet(' apim-prod ,')).toBe(false);
    expect(isFleet(undefined)).toBe(false);
    expect(isFleet('apim-a,apim-b')).toBe(true);
    expect(isFleet('apim-a\napim-b')).toBe(true);
    expect(isFleet('apim-*')).toBe(true);
  });

  it('splits names from patterns, drops repeats, and says which entry breaks the rules', () => {
    const { selection, nameProblems } = parseSelection(
      'apim-a, apim-*-prod\nAPIM-A,,bad_name, *x_',
      undefined,
    );
    expect(selection.names).toEqual(['apim-a']);
    expect(selection.patterns).toEqual(['apim-*-prod']);
    expect(nameProblems).toEqual([
      "'bad_name' must be 1-50 letters, digits and hyphens, start with a letter and not end with a hyphen",
      "'*x_' is not a pattern of instance names: letters, digits, hyphens and * (any characters), at most 50",
    ]);
  });

  it('reads tags as name=value or a name alone, and matches them without regard to case', () => {
    const { selection, tagProblems } = parseSelection('*', 'Env=Prod, backup ,=x');
    expect(selection.tags).toEqual([{ name: 'env', value: 'Prod' }, { name: 'backup' }]);
    expect(tagProblems).toEqual(["'=x' has no tag name: write name=value or a name alone"]);
    expect(hasTags({ ENV: 'prod', Backup: '' }, selection.tags)).toBe(true);
    expect(hasTags({ env: 'prod' }, selection.tags)).toBe(false);
    expect(hasTags({ env: 'dev', backup: 'yes' }, selection.tags)).toBe(false);
    expect(hasTags(undefined, [])).toBe(true);
  });

  it('matches * against any run of characters, whole name, any case', () => {
    expect(matchesPattern('*', 'apim-x')).toBe(true);
    expect(matchesPattern('apim-*-prod', 'APIM-payments-PROD')).toBe(true);
    expect(matchesPattern('apim-*-prod', 'apim--prod')).toBe(true);
    expect(matchesPattern('apim-*-prod', 'apim-payments-prod2')).toBe(false);
    expect(matchesPattern('apim-*', 'xapim-a')).toBe(false);
  });
});

describe('planFleet', () => {
  const scope = { subscriptionId: SUBSCRIPTION, resourceGroup: 'rg-apim' };
  const found = (serviceName: string, tier = 'Developer', tags?: Record<string, string>): FoundInstance => ({
    subscriptionId: SUBSCRIPTION,
    resourceGroup: 'rg-apim',
    serviceName,
    tier,
    tags,
  });
  const listed = [
    found('apim-z-prod', 'Premium', { env: 'prod' }),
    found('apim-a-prod', 'StandardV2', { env: 'prod' }),
    found('apim-b-prod', 'Developer', { env: 'dev' }),
    found('apim-core'),
    found('apim-cons', 'Consumption'),
  ];
  const selection = (names: string, tags?: string) => parseSelection(names, tags).selection;

  it('runs the named ones first, in the order given, then what patterns find by name; a pattern skips tiers without backup', () => {
    const plan = planFleet(listed, selection('apim-core, apim-*-prod'), scope, GITHUB_PROFILE);
    expect(plan.run.map((instance) => instance.serviceName)).toEqual([
      'apim-core',
      'apim-b-prod',
      'apim-z-prod',
    ]);
    expect(plan.skipped).toEqual([{ instance: listed[1], reason: 'StandardV2 has no backup or restore' }]);
  });

  it('narrows what a pattern finds by tags', () => {
    const plan = planFleet(listed, selection('*', 'env=prod'), scope, GITHUB_PROFILE);
    expect(plan.run.map((instance) => instance.serviceName)).toEqual(['apim-z-prod']);
    expect(plan.skipped.map(({ instance }) => instance.serviceName)).toEqual(['apim-a-prod']);
  });

  it('refuses a named instance that does not exist or has no backup, all of them at once', () => {
    expect(() =>
      planFleet(listed, selection('apim-core,apim-gone,apim-cons'), scope, AZURE_DEVOPS_PROFILE),
    ).toThrow(
      `The instances named in serviceName cannot all be run; nothing was started:\n  - 'apim-gone' does not exist in resource group 'rg-apim' of subscription '${SUBSCRIPTION}'\n  - 'apim-cons' is on the Consumption tier, which has no backup or restore`,
    );
  });

  it('fails when a selection runs nothing, naming where it looked and what is there', () => {
    expect(() =>
      planFleet(listed, selection('web-*'), { subscriptionId: SUBSCRIPTION }, GITHUB_PROFILE),
    ).toThrow(
      `No API Management instance matching 'web-*' in subscription '${SUBSCRIPTION}' (every resource group); it holds apim-z-prod, apim-a-prod, apim-b-prod, apim-core, apim-cons. Nothing was run.`,
    );
    expect(() => planFleet([], selection('*'), scope, GITHUB_PROFILE)).toThrow(
      "No API Management instance matching '*' in resource group 'rg-apim'",
    );
    expect(() => planFleet(listed, selection('apim-cons*'), scope, GITHUB_PROFILE)).toThrow(
      "Every API Management instance matching 'apim-cons*' in resource group 'rg-apim' of subscription '0b5c3a8e-1f2d-4c6b-9a7e-2d3f4a5b6c7d' is on a tier without backup: 'apim-cons' (Consumption). Nothing was run.",
    );
  });
});

describe('the inputs of a fleet', () => {
  it('resource-group may be empty (the whole subscription), and each instance gets a single run’s configuration', () => {
    const { operation, config, ignored } = parseJob(
      { ...BASE, operation: 'backup', serviceName: 'apim-*', maxParallel: '7' },
      GITHUB,
    );
    const fleet = config as FleetConfig;
    expect(operation.name).toBe('backup');
    expect(fleet).toMatchObject({
      scope: { subscriptionId: SUBSCRIPTION, resourceGroup: undefined },
      maxParallel: 7,
    });
    expect(ignored).toEqual([]);
    const one = fleet.configureInstance({
      subscriptionId: SUBSCRIPTION,
      resourceGroup: 'rg-weu',
      serviceName: 'apim-weu',
    }) as BackupConfig;
    expect(one.instance).toEqual({
      subscriptionId: SUBSCRIPTION,
      resourceGroup: 'rg-weu',
      serviceName: 'apim-weu',
    });
    expect(one.backupName).toBe('apim-weu-20240305-070809.apimbackup');
  });

  it('a single instance still needs its resource group', () => {
    expect(problems({ operation: 'backup', serviceName: 'apim-prod' })).toEqual([
      'resource-group is required',
    ]);
  });

  it('refuses what cannot hold for several instances, all at once, before sign-in', () => {
    expect(
      problems({
        operation: 'backup',
        serviceName: 'apim-a,apim-b',
        backupName: 'nightly.apimbackup',
        wait: 'false',
        maxParallel: '21',
        instanceTags: 'env=prod',
      }),
    ).toEqual([
      'instance-tags narrows what a pattern in service-name finds, and service-name names its instances outright: remove instance-tags, or use a pattern such as *',
      "max-parallel '21' must be a whole number from 1 to 20",
      "backup-name 'nightly.apimbackup' would be the same blob for every instance: put {service} in it",
      'wait: false hands over one operation to wait for later; with several instances the step waits for each: remove it (or run one instance a step, e.g. through discover and a matrix)',
    ]);
    expect(
      problems({ operation: 'verify', serviceName: 'apim-*', sourceServiceName: 'apim-primary' }),
    ).toEqual([
      "source-service-name names one instance's backups; with several instances in service-name each instance's own backups are meant: remove it",
    ]);
  });

  it('restore and copy keep one target', () => {
    for (const operation of ['restore', 'copy']) {
      expect(
        problems({
          operation,
          resourceGroup: 'rg',
          serviceName: 'apim-*',
          backupName: 'latest',
          sourceServiceName: 'apim-x',
        }),
      ).toContain(
        `service-name 'apim-*' names several instances, and ${operation} takes one: name one instance (backup, verify, list, prune, check take several)`,
      );
    }
  });

  it('list and prune with a storage key still sign in, to find the instances; resource-group is then read, not ignored', () => {
    const { config, ignored } = parseJob(
      { ...BASE, operation: 'prune', serviceName: 'apim-*', resourceGroup: 'rg-apim', storageKey: KEY },
      GITHUB,
    );
    expect(config.signIn).toMatchObject({ method: 'oidc' });
    expect(config.storage.sharedKey).toBeDefined();
    expect(ignored).toEqual([]);
    expect(problems({ operation: 'list', serviceName: 'apim-*', storageKey: KEY }, AZURE_DEVOPS)).toEqual([
      'azureSubscription is required',
    ]);
  });

  it('checks the rest as a single run would, once', () => {
    expect(
      problems({ operation: 'backup', serviceName: 'apim-*', timeout: 'soon', tenantId: undefined }),
    ).toEqual([
      'tenant-id is required to sign in with OIDC (workload identity federation)',
      "timeout 'soon' is not a duration: write e.g. 90s, 45m, 1h30m or 7d (a bare number means minutes)",
    ]);
  });
});

describe('discover', () => {
  it('needs no service name (every instance) and no storage', () => {
    const config = parseJob(
      { tenantId: TENANT, clientId: CLIENT, subscriptionId: SUBSCRIPTION, operation: 'discover' },
      GITHUB,
    ).config as DiscoverConfig;
    expect(config.selection).toEqual({ names: [], patterns: ['*'], tags: [] });
    expect(config.scope).toEqual({ subscriptionId: SUBSCRIPTION, resourceGroup: undefined });
  });
});

describe('an instance’s view of the job', () => {
  function parent() {
    const lines: string[] = [];
    const outputs: Partial<Record<OutputName, string>> = {};
    const running = new Map<string, string>();
    const job = {
      log: {
        info: (line: string) => lines.push(`info ${line}`),
        warning: (line: string) => lines.push(`warning ${line}`),
        debug: (line: string) => lines.push(`debug ${line}`),
        debugEnabled: false,
      },
      setOutput: (name: OutputName, value: string) => (outputs[name] = value),
      summary: { rows: [], sections: [] },
      trackOperation: (label: string, url: string) => running.set(url, label),
      operationFinished: (url: string) => running.delete(url),
      get running() {
        return [...running].map(([url, label]) => ({ label, url }));
      },
    } as unknown as Job;
    return { job, lines, outputs };
  }

  it('prefixes its lines with the instance, keeps its outputs apart, and tracks its operations by name', () => {
    const step = parent();
    const view = instanceJob(step.job, 'apim-a', false);
    view.job.log.info('Backup started');
    view.job.log.warning('slow');
    view.job.setOutput('backupName', 'a.apimbackup');
    view.job.trackOperation('Backup', 'https://arm/op-a');
    const other = instanceJob(step.job, 'apim-b', false);
    other.job.trackOperation('Backup', 'https://arm/op-b');
    expect(step.lines).toEqual(['info [apim-a] Backup started', 'warning [apim-a] slow']);
    expect(step.outputs).toEqual({});
    expect(view.outputs).toEqual({ backupName: 'a.apimbackup' });
    expect(step.job.running).toEqual([
      { label: '[apim-a] Backup', url: 'https://arm/op-a' },
      { label: '[apim-b] Backup', url: 'https://arm/op-b' },
    ]);
    expect(view.job.operationUrl).toBe('https://arm/op-a');
    view.job.operationFinished('https://arm/op-a');
    expect(view.job.operationUrl).toBeUndefined();
    expect(other.job.operationUrl).toBe('https://arm/op-b');
  });

  it('passes outputs through when the fleet runs one instance', () => {
    const step = parent();
    instanceJob(step.job, 'apim-a', true).job.setOutput('backupName', 'a.apimbackup');
    expect(step.outputs).toEqual({ backupName: 'a.apimbackup' });
  });
});

it('results: one entry per instance with the documented keys', () => {
  const instance = { subscriptionId: SUBSCRIPTION, resourceGroup: 'rg-apim', serviceName: 'apim-a' };
  expect(
    resultEntries([
      {
        instance,
        status: 'succeeded',
        backupName: 'a.apimbackup',
        backupUrl: 'https://b/a',
        durationMs: 2600,
        message: 'Backed up.',
      },
      { instance: { ...instance, serviceName: 'apim-v2' }, status: 'skipped', message: 'Skipped.' },
    ]),
  ).toEqual([
    {
      service: 'apim-a',
      resourceGroup: 'rg-apim',
      subscription: SUBSCRIPTION,
      status: 'succeeded',
      backupName: 'a.apimbackup',
      backupUrl: 'https://b/a',
      durationSeconds: 3,
      message: 'Backed up.',
    },
    {
      service: 'apim-v2',
      resourceGroup: 'rg-apim',
      subscription: SUBSCRIPTION,
      status: 'skipped',
      message: 'Skipped.',
    },
  ]);
});

it('results: a fleet too large for one output keeps the first entries that fit in 32 KiB; the file holds all', async () => {
  const outputs: Partial<Record<OutputName, string>> = {};
  const lines: string[] = [];
  const saved: unknown[] = [];
  const job = {
    log: { info: (line: string) => lines.push(line), warning: (line: string) => lines.push(line) },
    context: { profile: GITHUB_PROFILE },
    setOutput: (name: OutputName, value: string) => (outputs[name] = value),
    saveJson: async (_stem: string, value: unknown) => {
      saved.push(value);
      return '/runner/temp/apim-results-1.json';
    },
    summary: { rows: [], sections: [] },
  } as unknown as Job;
  const results = Array.from({ length: 400 }, (_, index) => ({
    instance: { subscriptionId: SUBSCRIPTION, resourceGroup: 'rg-apim', serviceName: `apim-${index}` },
    status: 'succeeded' as const,
    backupName: `apim-${index}-20261201.apimbackup`,
    backupUrl: `https://stapimbackups.blob.core.windows.net/apim-backups/apim-${index}-20261201.apimbackup`,
    durationMs: 3000,
    message: 'Backed up.',
  }));
  await publishResults(job, results, 5);
  expect(Buffer.byteLength(outputs.results!)).toBeLessThanOrEqual(32 * 1024);
  const shown = JSON.parse(outputs.results!) as { service: string }[];
  expect(shown.length).toBeGreaterThan(50);
  expect(shown.length).toBeLessThan(400);
  expect(shown.map((entry) => entry.service)).toEqual(
    results.slice(0, shown.length).map((r) => r.instance.serviceName),
  );
  expect(saved).toEqual([resultEntries(results)]);
  expect(outputs['results-file' as OutputName] ?? outputs.resultsFile).toBe(
    '/runner/temp/apim-results-1.json',
  );
  expect(lines.join('\n')).toContain(
    `Output results holds the first ${shown.length} of the 400 instance results`,
  );
});

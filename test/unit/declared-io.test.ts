/**
 * What each operation reads is what the input table declares, and nothing else: parseJob runs every operation (and
 * its fleet form) over inputs that give every input, records each key read, and compares the record with
 * `usedBy` both ways. The table generates action.yml, task.json and the README (test/manifests.test.ts), so a
 * manifest that hides an input an operation reads, or shows one it ignores, fails here. The outputs each run
 * sets are checked against the outputs table by the end-to-end harness (test/e2e/harness.ts), on both platforms.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ConnectionInputs,
  ConnectionSignInMethod,
  ConnectionValues,
  RunContext,
} from '../../src/core/inputs/config';
import { InputError } from '../../src/core/inputs/config';
import { parseJob } from '../../src/core/parse';
import {
  FLEET_OPERATIONS,
  INPUTS,
  Input,
  InputKey,
  inputsOf,
  OPERATIONS,
  OperationName,
  Platform,
  RawInputs,
  usedBy,
} from '../../src/core/inputs/table';
import { connectionOf, PROFILES } from './platforms';

const SUBSCRIPTION = '0b5c3a8e-1f2d-4c6b-9a7e-2d3f4a5b6c7d';
const OTHER_SUBSCRIPTION = '1c6d4b9f-2a3e-4d7c-8b8f-3e4a5b6c7d8e';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '11111111-2222-3333-4444-555555555555';
const IDENTITY = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const STORAGE_KEY = Buffer.from('declared-io-storage-account-key'.padEnd(64, '#')).toString('base64');
const ARM = 'https://management.azure.com';

/** A valid value for every input: what a step that gives everything passes in. */
const EVERY_INPUT: Record<Exclude<InputKey, 'operation'>, string> = {
  auth: 'auto',
  tenantId: TENANT,
  clientId: CLIENT,
  clientSecret: 'Qx8~declared.io-client_secret.value',
  audience: 'api://AzureADTokenExchange',
  serviceConnection: 'prod-connection',
  subscriptionId: SUBSCRIPTION,
  resourceGroup: 'rg-apim',
  serviceName: 'apim-target',
  sourceServiceName: 'apim-source',
  sourceResourceGroup: 'rg-source',
  sourceSubscriptionId: OTHER_SUBSCRIPTION,
  storageAccount: 'contosobackups',
  container: 'apim-backups',
  backupName: '{service}-nightly.apimbackup',
  safetyBackup: 'true',
  safetyBackupName: '{service}-safety.apimbackup',
  blobEndpoint: 'https://127.0.0.1:10000/contosobackups',
  storageAccess: 'auto',
  storageKey: STORAGE_KEY,
  storageIdentityClientId: IDENTITY,
  storageResourceGroup: 'rg-storage',
  storageSubscriptionId: OTHER_SUBSCRIPTION,
  preflight: 'true',
  maxAge: '26h',
  retentionDays: '30',
  keepLast: '2',
  dryRun: 'true',
  listLimit: '50',
  timeout: '30m',
  pollInterval: '5s',
  environment: 'AzureCloud',
  resourceManagerEndpoint: ARM,
  authorityHost: 'https://login.microsoftonline.com',
  wait: 'true',
  operationUrl: `${ARM}/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-apim/providers/Microsoft.ApiManagement/service/apim-target/operationresults/op-1?api-version=2022-08-01`,
  maxParallel: '3',
  instanceTags: 'env=prod',
};

/** What the Azure DevOps service connection supplies: inputs the task has no field for (see handedOver). */
const CONNECTION: RawInputs & ConnectionInputs = {
  auth: 'client-secret',
  tenantId: TENANT,
  clientId: CLIENT,
  clientSecret: EVERY_INPUT.clientSecret,
  environment: 'AzureCloud',
  resourceManagerEndpoint: ARM,
  authorityHost: EVERY_INPUT.authorityHost,
};

const CONTEXT: Record<Platform, RunContext> = {
  github: { profile: PROFILES.github, now: new Date(), runId: '4242', idTokenAvailable: true },
  azureDevOps: {
    profile: PROFILES.azureDevOps,
    now: new Date(),
    runId: '20240305.1',
    idTokenAvailable: true,
  },
};

/**
 * A variant as the adapter hands it to the core: on Azure DevOps, the sign-in keys (CONNECTION's) are the service
 * connection's, and the rest are task inputs.
 */
function handedOver(platform: Platform, raw: RawInputs & ConnectionInputs): [RawInputs, RunContext] {
  if (platform === 'github') return [raw, CONTEXT.github];
  const { auth, ...inputs } = raw;
  const values: ConnectionValues = {};
  const connectionKeys = Object.keys(CONNECTION).filter((key) => key !== 'auth');
  for (const key of connectionKeys as (keyof ConnectionValues)[]) {
    values[key] = inputs[key];
    delete inputs[key];
  }
  const connection = connectionOf(
    auth as ConnectionSignInMethod,
    values,
    undefined,
    inputs.serviceConnection,
  );
  return [inputs, { ...CONTEXT.azureDevOps, connection }];
}

function parseAsHanded(
  platform: Platform,
  raw: RawInputs & ConnectionInputs,
  reads?: Set<string>,
): ReturnType<typeof parseJob> {
  const [inputs, context] = handedOver(platform, raw);
  return parseJob(inputs, context, reads);
}

/**
 * Some reads depend on other inputs (list and prune sign in only without a storage key; audience matters only
 * to OIDC), so each operation is parsed over a few variants of "everything given" and the reads are pooled.
 */
function variants(
  platform: Platform,
  operation: OperationName,
  fleet: boolean,
): (RawInputs & ConnectionInputs)[] {
  const given = Object.fromEntries(
    inputsOf(platform)
      .filter((input) => input.key !== 'operation')
      .map((input) => [input.key, EVERY_INPUT[input.key as Exclude<InputKey, 'operation'>]]),
  ) as RawInputs;
  const base: RawInputs & ConnectionInputs = {
    ...(platform === 'azureDevOps' ? CONNECTION : {}),
    ...given,
    operation,
    ...(fleet ? { serviceName: 'apim-*' } : {}),
  };
  // undefined: not given, as readInputs leaves an empty input out.
  const withoutKey = { ...base, storageKey: undefined };
  return [
    base,
    withoutKey,
    { ...withoutKey, storageAccess: 'user-assigned-identity' },
    { ...withoutKey, clientSecret: undefined, auth: 'oidc' },
  ];
}

const recorded = new Map<string, Set<InputKey>>();

function inputsRead(platform: Platform, operation: OperationName, fleet: boolean): Set<InputKey> {
  const id = `${platform} ${operation} ${fleet}`;
  if (!recorded.has(id)) recorded.set(id, recordInputsRead(platform, operation, fleet));
  return recorded.get(id)!;
}

function recordInputsRead(platform: Platform, operation: OperationName, fleet: boolean): Set<InputKey> {
  const reads = new Set<string>();
  for (const raw of variants(platform, operation, fleet)) {
    try {
      parseAsHanded(platform, raw, reads);
    } catch (error) {
      // A refused combination (e.g. source-service-name with several instances) still read what it read.
      if (!(error instanceof InputError)) throw error;
    }
  }
  const keys = new Set<string>(INPUTS.map((input) => input.key));
  return new Set([...reads].filter((key): key is InputKey => keys.has(key)));
}

function problemsOf(raw: RawInputs & ConnectionInputs, platform: Platform): string[] {
  try {
    parseAsHanded(platform, raw);
    return [];
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
}

const CASES: [Platform, OperationName, boolean][] = (['github', 'azureDevOps'] as const).flatMap(
  (platform) => [
    ...OPERATIONS.map((operation): [Platform, OperationName, boolean] => [platform, operation, false]),
    ...FLEET_OPERATIONS.map((operation): [Platform, OperationName, boolean] => [platform, operation, true]),
  ],
);

describe.each(CASES)('on %s, %s (several instances: %s)', (platform, operation, fleet) => {
  const read = inputsRead(platform, operation, fleet);
  const declared = (INPUTS as readonly Input[]).filter((input) => usedBy(input, operation, fleet));
  const refused = (INPUTS as readonly Input[]).filter(
    (input) => fleet && input.refusedWithSeveral?.includes(operation),
  );

  it('reads no input the table does not declare for it', () => {
    const undeclared = [...read].filter(
      (key) => ![...declared, ...refused].some((input) => input.key === key),
    );
    expect(undeclared).toEqual([]);
  });

  it('refuses the inputs the table says it refuses', () => {
    const [everything] = variants(platform, operation, fleet);
    for (const input of refused) {
      const without = { ...everything, [input.key]: undefined };
      const naming = (raw: RawInputs & ConnectionInputs) =>
        problemsOf(raw, platform).filter((problem) =>
          problem.startsWith(PROFILES[platform].inputName(input.key)),
        );
      expect(naming(everything)).toHaveLength(1);
      expect(naming(without)).toEqual([]);
    }
  });

  it('reads every input the table declares for it', () => {
    const unread = declared
      .filter((input) => input[platform] !== undefined && !read.has(input.key))
      .map((input) => input.key);
    expect(unread).toEqual([]);
  });
});

describe('task.json', () => {
  const task = JSON.parse(readFileSync(join(__dirname, '../../task.json'), 'utf8')) as {
    inputs: { name: string; visibleRule?: string }[];
  };

  /** The operations a visibleRule shows the input for: `operation = a || …`, `operation != a && …`, or all. */
  function shownFor(rule: string | undefined): OperationName[] {
    if (rule === undefined) return [...OPERATIONS];
    const named = [...rule.matchAll(/operation (!?=) (\w+)/g)];
    const hidden = named.every(([, op]) => op === '!=');
    const listed = named.map(([, , operation]) => operation);
    return OPERATIONS.filter((operation) => listed.includes(operation) !== hidden);
  }

  it.each(inputsOf('azureDevOps').map((input) => [input.azureDevOps!, input] as const))(
    'shows %s for exactly the operations that read it (with one instance or several, unless to refuse it)',
    (name, input) => {
      const readBy = OPERATIONS.filter(
        (operation) =>
          inputsRead('azureDevOps', operation, false).has(input.key) ||
          ((FLEET_OPERATIONS as readonly string[]).includes(operation) &&
            !input.refusedWithSeveral?.includes(operation) &&
            inputsRead('azureDevOps', operation, true).has(input.key)),
      );
      const rule = task.inputs.find((taskInput) => taskInput.name === name)?.visibleRule;
      expect(shownFor(rule)).toEqual(readBy);
    },
  );
});

it('the recording changes nothing parseJob returns', () => {
  for (const [platform, operation, fleet] of CASES) {
    const [raw] = variants(platform, operation, fleet);
    const outcome = (reads?: Set<string>) => {
      try {
        const { config, ignored } = parseAsHanded(platform, raw, reads);
        return JSON.stringify({ config, ignored });
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(outcome(new Set())).toBe(outcome());
  }
});

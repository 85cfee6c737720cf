/**
 * Pre-flight checks before every backup, restore and copy, and operation: check, through both bundles against the
 * ARM stand-in (storage accounts, role assignments and definitions, instance identities and networks, workspace
 * gateways) with Azurite holding the backups. Each test has its own instance and storage account, set up the way
 * the case needs; the storage itself is always the one Azurite account behind blob-endpoint.
 */
import { ServiceSpec, ServiceState, StorageAccountSpec } from '../stand-in';
import { APP_OBJECT_ID, CLIENT_ID, RESOURCE_GROUP, SUBSCRIPTION_ID, useLocalAzure } from './fixtures';
import { BundleRun } from './harness';

const standIn = useLocalAzure();
let number = 0;

afterEach(() => standIn.allowReads(CLIENT_ID));

const SLOW_MS = 600;
const USER_ASSIGNED = '5f0c2b1e-7d3a-4c8e-9b6f-1a2b3c4d5e6f';
const OTHER_USER_ASSIGNED = '6a1d3c2f-8e4b-4d9f-ac70-2b3c4d5e6f70';

/** A fresh instance, sound unless the spec says otherwise. */
function instance(spec: Partial<ServiceSpec> = {}): ServiceState {
  return standIn.addService({
    subscriptionId: SUBSCRIPTION_ID,
    resourceGroup: RESOURCE_GROUP,
    name: `apim-pf-${++number}`,
    ...spec,
  });
}

/** A fresh storage account in Resource Manager, sound unless the spec says otherwise; returns its name. */
function account(spec: Partial<StorageAccountSpec> = {}): { name: string; id: string } {
  const added = standIn.addStorageAccount({
    subscriptionId: SUBSCRIPTION_ID,
    resourceGroup: RESOURCE_GROUP,
    name: `stpf${++number}`,
    ...spec,
  });
  return { name: added.spec.name, id: added.id };
}

const github = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
  standIn.runGitHub(inputs, { env });
const azureDevOps = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
  standIn.runAzureDevOps(inputs, { env });

/** Requests of the pre-flight reads (storage, authorization, workspace links) since `from`. */
const preflightReads = (from: number) =>
  standIn.requests
    .slice(from)
    .filter((request) =>
      /\/providers\/Microsoft\.(Storage|Authorization)\/|\/workspaceLinks$/i.test(request.path),
    );

const warnings = (run: BundleRun) =>
  run.stdout
    .split('\n')
    .filter((line) => line.startsWith('::warning::') || line.startsWith('##vso[task.issue type=warning'));

function expectSuccess(run: BundleRun): void {
  if (run.exitCode !== 0) throw new Error(`expected success, got: ${run.errorMessage}\n${run.stdout}`);
}

describe('a sound set-up', () => {
  it('GitHub: a backup with the system-assigned identity passes every check in one round and runs as before', async () => {
    const apim = instance();
    const storage = account();
    const from = standIn.requests.length;
    standIn.faults.add('preflight', { kind: 'delay', ms: SLOW_MS });
    const run = await github(
      { operation: 'backup', 'service-name': apim.name, 'storage-account': storage.name, 'storage-key': '' },
      { RUNNER_DEBUG: '1' },
    );
    expectSuccess(run);
    expect(warnings(run)).toEqual([]);
    expect(run.stdout).toContain(
      'Pre-flight checks passed: Workspace gateways, Instance identity, Blob service CORS, Storage firewall, Data role on the account',
    );
    // Storage account list, blob service, role assignments, role definitions, workspace links: one round. Each
    // answer comes 600 ms late, so five reads one after another would take 3 s.
    const ms = Number(/Pre-flight: 5 requests in 1 round, (\d+) ms/.exec(run.stdout)?.[1]);
    expect(ms).toBeGreaterThanOrEqual(SLOW_MS);
    expect(ms).toBeLessThan(2 * SLOW_MS);
    const reads = preflightReads(from);
    expect(reads).toHaveLength(5);
    // All five were read before the backup was started.
    const post = standIn.requests.slice(from).find((request) => request.path.endsWith('/backup'))!;
    expect(Math.max(...reads.map((read) => read.at))).toBeLessThanOrEqual(post.at);
    expect(apim.operations.map((operation) => operation.kind)).toEqual(['backup']);
    expect(run.summary).toMatch(/\| Pre-flight \| passed \|/);
  });

  it('Azure DevOps: a restore with the access key passes and runs as before, with no warning', async () => {
    const apim = instance();
    const backup = await azureDevOps({ operation: 'backup', serviceName: apim.name });
    expectSuccess(backup);
    const run = await azureDevOps({
      operation: 'restore',
      serviceName: apim.name,
      backupName: backup.outputs.backupName,
    });
    expectSuccess(run);
    expect(warnings(run)).toEqual([]);
    expect(run.stdout).toContain(
      'Pre-flight checks passed: Workspace gateways, Shared Key access, Blob service CORS, Storage firewall',
    );
    expect(apim.operations.map((operation) => operation.kind)).toEqual(['backup', 'backup', 'restore']);
  });
});

describe('certain failures are refused before any POST, naming the fix', () => {
  const cases: [
    string,
    () => { apim: ServiceState; inputs: Record<string, string>; expected: (string | RegExp)[] },
  ][] = [
    [
      'system-assigned-identity on an instance without one',
      () => {
        const apim = instance({ identity: 'None' });
        return {
          apim,
          inputs: {
            'storage-key': '',
            'storage-access': 'system-assigned-identity',
            'storage-account': account().name,
          },
          expected: [
            `API Management instance '${apim.name}' has no system-assigned identity (identity type 'None' on ${apim.id})`,
            `What to do: Turn on the system-assigned identity of '${apim.name}'`,
          ],
        };
      },
    ],
    [
      'a user-assigned client ID not attached to the instance',
      () => {
        const apim = instance({ identity: 'UserAssigned', userAssignedClientIds: [OTHER_USER_ASSIGNED] });
        return {
          apim,
          inputs: {
            'storage-key': '',
            'storage-access': 'user-assigned-identity',
            'storage-identity-client-id': USER_ASSIGNED,
            'storage-account': account().name,
          },
          expected: [
            `The user-assigned identity with client ID '${USER_ASSIGNED}' is not attached to API Management instance '${apim.name}'`,
            `(client ID ${OTHER_USER_ASSIGNED})`,
            'set storage-identity-client-id to the client ID of an identity attached',
          ],
        };
      },
    ],
    [
      'the access key on an account that refuses Shared Key',
      () => {
        const storage = account({ allowSharedKeyAccess: false });
        return {
          apim: instance(),
          inputs: { 'storage-account': storage.name },
          expected: [
            `Storage account '${storage.name}' refuses Shared Key authorization (allowSharedKeyAccess: false on ${storage.id})`,
            'What to do: Use storage-access: system-assigned-identity',
          ],
        };
      },
    ],
    [
      'a firewall that lets neither trusted services, nor the public IP, nor the subnet through',
      () => {
        const storage = account({
          networkAcls: { defaultAction: 'Deny', bypass: 'None', ipRules: ['198.51.100.0/24'] },
        });
        const apim = instance();
        return {
          apim,
          inputs: { 'storage-key': '', 'storage-account': storage.name },
          expected: [
            `The firewall of storage account '${storage.name}' (${storage.id}: networkAcls.defaultAction Deny) lets API Management instance '${apim.name}' in by none of its ways`,
            "trusted Azure services are not let through (bypass 'None')",
            `the public IP of '${apim.name}' (20.50.0.10) is in no IP rule`,
            "What to do: On the account's Networking page, allow public access from selected networks with the exception for trusted Azure services (bypass AzureServices)",
          ],
        };
      },
    ],
    [
      'an instance identity with no data role on the account',
      () => {
        const apim = instance({ storageRole: null });
        const storage = account();
        standIn.authorization.assign(apim.principalId!, 'Reader', storage.id);
        return {
          apim,
          inputs: { 'storage-key': '', 'storage-account': storage.name },
          expected: [
            `The system-assigned identity of '${apim.name}' (principal ID ${apim.principalId}) holds no role on storage account '${storage.name}' that lets it write blobs`,
            `'Reader' on ${storage.id}`,
            `az role assignment create --assignee-object-id ${apim.principalId} --assignee-principal-type ServicePrincipal --role "Storage Blob Data Contributor" --scope ${storage.id}`,
          ],
        };
      },
    ],
    [
      'an instance with workspace gateways',
      () => {
        const apim = instance({ workspaceGateways: [{ workspace: 'team-a', gateways: ['gw-team-a'] }] });
        return {
          apim,
          inputs: {},
          expected: [
            `API Management instance '${apim.name}' has workspace gateways ('gw-team-a', linked to workspace 'team-a'; read from ${apim.id}/workspaceLinks)`,
            'Azure has no backup or restore for an instance with workspace gateways',
          ],
        };
      },
    ],
  ];

  it.each(cases)('GitHub backup: %s', async (_name, setUp) => {
    const { apim, inputs, expected } = setUp();
    const run = await github({ operation: 'backup', 'service-name': apim.name, ...inputs });
    expect(run.exitCode).toBe(1);
    expect(run.errorMessage).toContain(
      `Pre-flight: the backup of '${apim.name}' would fail in Azure, so nothing was started (1 problem)`,
    );
    for (const text of expected) expect(run.errorMessage).toContain(text);
    expect(apim.operations).toEqual([]);
    expect(run.summary).toContain('APIM backup failed');
  });

  it.each(cases)('Azure DevOps restore: %s', async (_name, setUp) => {
    const { apim, inputs, expected } = setUp();
    const names: Record<string, string> = {
      'storage-key': 'storageKey',
      'storage-access': 'storageAccess',
      'storage-identity-client-id': 'storageIdentityClientId',
      'storage-account': 'storageAccount',
    };
    const run = await azureDevOps({
      operation: 'restore',
      serviceName: apim.name,
      backupName: 'any.apimbackup',
      ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [names[name], value])),
    });
    expect(run.result).toBe('Failed');
    expect(run.errorMessage).toContain(`Pre-flight: the restore of '${apim.name}' would fail in Azure`);
    for (const text of expected) {
      expect(run.errorMessage).toContain(
        typeof text === 'string'
          ? text
              .replace('storage-access', 'storageAccess')
              .replace('storage-identity-client-id', 'storageIdentityClientId')
              .replace('write blobs', 'read and write blobs')
          : text,
      );
    }
    // Neither the safety backup nor the restore started.
    expect(apim.operations).toEqual([]);
  });

  it('preflight: false skips the checks: the backup is started (and Azure would judge it)', async () => {
    const apim = instance({ workspaceGateways: [{ workspace: 'team-b', gateways: ['gw-team-b'] }] });
    const from = standIn.requests.length;
    const run = await github({ operation: 'backup', 'service-name': apim.name, preflight: 'false' });
    expectSuccess(run);
    expect(run.stdout).toContain('Pre-flight checks skipped (preflight: false).');
    expect(preflightReads(from)).toEqual([]);
    expect(apim.operations.map((operation) => operation.kind)).toEqual(['backup']);
  });
});

describe('likely failures and what the step cannot read', () => {
  it('CORS on the Blob service is one warning, and the backup goes on', async () => {
    const apim = instance();
    const storage = account({ corsRules: [{ allowedOrigins: ['*'], allowedMethods: ['GET', 'PUT'] }] });
    const run = await github({
      operation: 'backup',
      'service-name': apim.name,
      'storage-account': storage.name,
    });
    expectSuccess(run);
    const [warning, ...others] = warnings(run);
    expect(others).toEqual([]);
    expect(warning).toContain(
      `The Blob service of storage account '${storage.name}' has 1 CORS rule (${storage.id}/blobServices/default)`,
    );
    expect(warning).toContain('InvalidParameters');
    expect(warning).toContain('Remove the CORS rules of the Blob service');
    expect(apim.operations.map((operation) => operation.kind)).toEqual(['backup']);
    expect(run.summary).toMatch(/\| Pre-flight \| passed \(1 warning\) \|/);
  });

  it.each([
    ['GitHub', github, 'preflight'],
    ['Azure DevOps', azureDevOps, 'preflight'],
  ] as const)(
    '%s: an identity that may not read storage accounts or role assignments gets one warning and a successful backup',
    async (_platform, run, preflightName) => {
      const apim = instance();
      standIn.denyReads(CLIENT_ID, ['Microsoft.Storage', 'Microsoft.Authorization']);
      const inputs: Record<string, string> =
        run === github
          ? { operation: 'backup', 'service-name': apim.name, 'storage-key': '' }
          : { operation: 'backup', serviceName: apim.name, storageKey: '' };
      const result = await run(inputs);
      expectSuccess(result);
      const all = warnings(result);
      expect(all).toHaveLength(1);
      expect(all[0]).toContain(
        `Pre-flight skipped 4 checks it could not read for: Storage account, Blob service CORS, Storage firewall ('${apim.name}'), Data role on the account ('${apim.name}').`,
      );
      expect(all[0]).toContain('AuthorizationFailed');
      expect(all[0]).toContain(`grant app '${CLIENT_ID}' 'Reader' on storage account`);
      expect(all[0]).toContain(`set ${preflightName}: false to skip the checks`);
      expect(all[0]).toContain(`The backup of '${apim.name}' goes on.`);
      expect(apim.operations.map((operation) => operation.kind)).toEqual(['backup']);
    },
  );

  it('a Resource Manager that does not answer the pre-flight reads is not taken for a configuration problem', async () => {
    const apim = instance();
    standIn.faults.add('preflight', { kind: 'reset' });
    const run = await github({ operation: 'backup', 'service-name': apim.name });
    expectSuccess(run);
    const [warning, ...others] = warnings(run);
    expect(others).toEqual([]);
    expect(warning).toContain(`No answer came for ${apim.id}/workspaceLinks (socket hang up)`);
    expect(warning).toContain('Resource Manager did not answer those reads');
    expect(warning).not.toContain('Reader');
    expect(apim.operations.map((operation) => operation.kind)).toEqual(['backup']);
  });

  it('an account in another resource group is found by the list, at the cost of a second round', async () => {
    const apim = instance();
    const storage = account({ resourceGroup: 'rg-storage' });
    const run = await github(
      { operation: 'backup', 'service-name': apim.name, 'storage-account': storage.name, 'storage-key': '' },
      { RUNNER_DEBUG: '1' },
    );
    expectSuccess(run);
    expect(warnings(run)).toEqual([]);
    expect(run.stdout).toMatch(/Pre-flight: 8 requests in 2 rounds/);
    // storage-resource-group says where it is: one round again.
    const direct = await github(
      {
        operation: 'backup',
        'service-name': apim.name,
        'storage-account': storage.name,
        'storage-key': '',
        'storage-resource-group': 'rg-storage',
      },
      { RUNNER_DEBUG: '1' },
    );
    expectSuccess(direct);
    expect(direct.stdout).toMatch(/Pre-flight: 5 requests in 1 round,/);
  });
});

describe('copy', () => {
  it('a target whose identity lacks its role is refused before either backup starts', async () => {
    const source = instance();
    const target = instance({ storageRole: null });
    const storage = account();
    standIn.authorization.assign(target.principalId!, 'Storage Blob Data Reader', storage.id);
    const run = await github({
      operation: 'copy',
      'service-name': target.name,
      'source-service-name': source.name,
      'storage-account': storage.name,
      'storage-key': '',
    });
    expect(run.exitCode).toBe(1);
    expect(run.errorMessage).toContain(
      `Pre-flight: the copy of '${source.name}' into '${target.name}' would fail in Azure`,
    );
    expect(run.errorMessage).toContain(
      `Data role on the account ('${target.name}'): The system-assigned identity of '${target.name}' (principal ID ${target.principalId}) holds no role on storage account '${storage.name}' that lets it write blobs`,
    );
    expect(run.errorMessage).toContain(`'Storage Blob Data Reader' on ${storage.id}`);
    expect([...source.operations, ...target.operations]).toEqual([]);
  });
});

describe('operation: check', () => {
  it('GitHub, a broken set-up: every finding in the output and the summary table, and a failed step', async () => {
    const apim = instance({ identity: 'None' });
    const storage = account({
      networkAcls: { defaultAction: 'Deny', bypass: 'None' },
      corsRules: [{ allowedOrigins: ['https://contoso.com'], allowedMethods: ['GET'] }],
    });
    const from = standIn.requests.length;
    const run = await github({
      operation: 'check',
      'service-name': apim.name,
      'storage-account': storage.name,
      'storage-key': '',
      'storage-access': 'system-assigned-identity',
    });
    expect(run.exitCode).toBe(1);
    const findings = JSON.parse(run.outputs.findings) as {
      check: string;
      severity: string;
      message: string;
      instance?: string;
      fix?: string;
    }[];
    const bySeverity = (severity: string) =>
      findings.filter((finding) => finding.severity === severity).map((finding) => finding.check);
    expect(bySeverity('error')).toEqual(['identity', 'firewall']);
    expect(bySeverity('warning')).toEqual(expect.arrayContaining(['cors']));
    expect(bySeverity('ok')).toEqual(
      expect.arrayContaining(['sign-in', 'tier', 'permissions', 'workspace-gateways']),
    );
    expect(findings.find((finding) => finding.check === 'firewall')).toMatchObject({
      instance: apim.name,
      fix: expect.stringContaining('bypass AzureServices'),
    });
    expect(run.errorMessage).toMatch(
      /^Check: 2 of \d+ checks failed; a backup or restore would fail in Azure:/,
    );
    expect(run.summary).toContain('APIM pre-flight check failed');
    expect(run.summary).toContain('| Check | Result | What to do |');
    expect(run.summary).toMatch(
      /\| Instance identity \('apim-pf-\d+'\) \| ❌ error: API Management instance/,
    );
    expect(run.summary).toMatch(/\| Blob service CORS \| ⚠️ warning: /);
    // Nothing started, nothing written.
    expect(
      standIn.requests
        .slice(from)
        .filter((request) => request.method !== 'GET' && !request.path.endsWith('/token')),
    ).toEqual([]);
    expect(apim.operations).toEqual([]);
  });

  it('Azure DevOps, a sound copy set-up: every check passes, findings and table, a successful step', async () => {
    const source = instance();
    const target = instance();
    // The step reads the storage with its own token: it needs its data role too.
    const storage = account();
    standIn.authorization.assign(APP_OBJECT_ID, 'Storage Blob Data Contributor', storage.id);
    const run = await azureDevOps({
      operation: 'check',
      serviceName: target.name,
      sourceServiceName: source.name,
      storageAccount: storage.name,
      storageKey: '',
    });
    expectSuccess(run);
    expect(run.result).toBe('Succeeded');
    const findings = JSON.parse(run.outputs.findings) as {
      check: string;
      severity: string;
      instance?: string;
    }[];
    expect(findings.filter((finding) => finding.severity !== 'ok')).toEqual([]);
    // Both instances are checked: the target reads and writes, the source writes.
    expect(
      findings.filter((finding) => finding.check === 'data-role').map((finding) => finding.instance),
    ).toEqual([target.name, source.name]);
    expect(findings.map((finding) => finding.check)).toEqual(
      expect.arrayContaining(['storage-read', 'storage-write']),
    );
    expect(run.summary).toContain('APIM pre-flight check succeeded');
    expect(run.summary).toMatch(/\| Data role on the account \('apim-pf-\d+'\) \| ✅ ok: /);
    expect([...source.operations, ...target.operations]).toEqual([]);
  });

  it('names a missing backup permission of the step itself', async () => {
    const apim = instance();
    standIn.authorization.unassign(APP_OBJECT_ID);
    try {
      standIn.authorization.assign(APP_OBJECT_ID, 'Reader', `/subscriptions/${SUBSCRIPTION_ID}`);
      const run = await github({ operation: 'check', 'service-name': apim.name });
      expect(run.exitCode).toBe(1);
      expect(run.errorMessage).toContain(
        `Backup and restore permission ('${apim.name}'): App '${CLIENT_ID}' may not 'Microsoft.ApiManagement/service/backup/action' or 'Microsoft.ApiManagement/service/restore/action'`,
      );
      expect(run.errorMessage).toContain(`Grant app '${CLIENT_ID}' 'API Management Service Contributor'`);
    } finally {
      standIn.authorization.unassign(APP_OBJECT_ID);
      for (const role of ['API Management Service Contributor', 'Reader']) {
        standIn.authorization.assign(APP_OBJECT_ID, role, `/subscriptions/${SUBSCRIPTION_ID}`);
      }
    }
  });
});

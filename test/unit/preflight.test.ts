/**
 * The pre-flight rules as pure functions over what was read, how RBAC is read (wildcards, not-actions, scopes, IP
 * ranges), how the reads are gathered in rounds, and the one warning for what could not be read.
 */
import type { InstanceFacts } from '../../src/core/azure/apim';
import type {
  ArmResources,
  BlobService,
  Read,
  RoleAssignment,
  RoleDefinition,
  StorageAccount,
  WorkspaceLink,
} from '../../src/core/azure/arm-resources';
import type { ApimStorageAccess } from '../../src/core/inputs/config';
import { gather } from '../../src/core/preflight/gather';
import { allows, ipInRule, matches, scopeCovers } from '../../src/core/preflight/permissions';
import type { Finding, PreflightPlan, PreflightReads, PreflightSubject } from '../../src/core/preflight/plan';
import { findingsOutput, skippedWarning } from '../../src/core/preflight/report';
import { evaluate } from '../../src/core/preflight/rules';
import { AZURE_DEVOPS_PROFILE, GITHUB_PROFILE } from './platforms';

const SUB = '0b5c3a8e-1f2d-4c6b-9a7e-2d3f4a5b6c7d';
const RG = 'rg-apim';
const INSTANCE_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/apim-prod`;
const ACCOUNT_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/stbackups`;
const PRINCIPAL = '11111111-2222-4333-8444-555555555555';
const UA_CLIENT = '66666666-7777-4888-8999-000000000000';
const UA_PRINCIPAL = '99999999-8888-4777-8666-555555555555';
const SUBNET = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/apim`;
const BLOBS = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs';
const CONTRIBUTOR = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe';
const READER = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1';

const SYSTEM: ApimStorageAccess = { type: 'SystemAssignedManagedIdentity' };
const KEY: ApimStorageAccess = { type: 'AccessKey', key: 'k' };
const USER: ApimStorageAccess = { type: 'UserAssignedManagedIdentity', clientId: UA_CLIENT };

const ok = <T>(value: T, resource = 'read'): Read<T> => ({ ok: true, value, resource });

function facts(overrides: Partial<InstanceFacts> = {}): InstanceFacts {
  return {
    tier: 'Developer',
    location: 'West Europe',
    id: INSTANCE_ID,
    identity: { type: 'SystemAssigned', principalId: PRINCIPAL, userAssigned: [] },
    network: { publicIPAddresses: ['20.50.0.10'], virtualNetworkType: 'None' },
    ...overrides,
  };
}

function subject(
  overrides: Partial<InstanceFacts> = {},
  needs: PreflightSubject['needs'] = ['write'],
): PreflightSubject {
  return {
    instance: { subscriptionId: SUB, resourceGroup: RG, serviceName: 'apim-prod' },
    facts: facts(overrides),
    needs,
  };
}

function plan(access: ApimStorageAccess, subjects = [subject()]): PreflightPlan {
  return { subjects, access, storage: { account: 'stbackups', container: 'apim' }, profile: GITHUB_PROFILE };
}

function storageAccount(
  properties: StorageAccount['properties'] = {},
  location = 'westeurope',
): StorageAccount {
  return { id: ACCOUNT_ID, name: 'stbackups', location, properties };
}

function definition(
  name: string,
  roleName: string,
  permissions: RoleDefinition['properties']['permissions'],
): RoleDefinition {
  return {
    id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${name}`,
    name,
    properties: { roleName, permissions },
  };
}

const BUILT_IN = [
  definition(CONTRIBUTOR, 'Storage Blob Data Contributor', [
    { dataActions: [`${BLOBS}/read`, `${BLOBS}/write`, `${BLOBS}/delete`] },
  ]),
  definition(READER, 'Storage Blob Data Reader', [{ dataActions: [`${BLOBS}/read`] }]),
];

function assignment(
  role: string,
  scope: string,
  principalId = PRINCIPAL,
  condition?: string,
): RoleAssignment {
  return {
    properties: {
      roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
      principalId,
      scope,
      condition,
    },
  };
}

function reads(
  overrides: Partial<PreflightReads> & { roles?: RoleAssignment[]; links?: WorkspaceLink[] } = {},
): PreflightReads {
  const { roles = [assignment(CONTRIBUTOR, `/subscriptions/${SUB}`)], links = [], ...rest } = overrides;
  return {
    account: ok(storageAccount(), ACCOUNT_ID),
    blobService: ok<BlobService>(
      { properties: { cors: { corsRules: [] } } },
      `${ACCOUNT_ID}/blobServices/default`,
    ),
    assignments: new Map([
      [PRINCIPAL, ok(roles)],
      [
        UA_PRINCIPAL,
        ok(roles.map((role) => ({ properties: { ...role.properties, principalId: UA_PRINCIPAL } }))),
      ],
    ]),
    definitions: new Map(BUILT_IN.map((role) => [role.name, role])),
    workspaceLinks: new Map([[INSTANCE_ID.toLowerCase(), ok(links, `${INSTANCE_ID}/workspaceLinks`)]]),
    rounds: 1,
    ...rest,
  };
}

const find = (findings: Finding[], check: Finding['check']) =>
  findings.filter((finding) => finding.check === check);
const severityOf = (findings: Finding[], check: Finding['check']) =>
  find(findings, check).map((finding) => finding.severity);

describe('how RBAC is read', () => {
  it('matches actions with wildcards, case-insensitively, minus not-actions of the same permission', () => {
    expect(matches('Microsoft.Storage/*/blobs/*', `${BLOBS}/write`)).toBe(true);
    expect(
      matches('microsoft.storage/storageaccounts/blobservices/containers/blobs/READ', `${BLOBS}/read`),
    ).toBe(true);
    expect(matches(`${BLOBS}/read`, `${BLOBS}/write`)).toBe(false);
    expect(
      allows([{ dataActions: ['*'], notDataActions: [`${BLOBS}/write`] }], `${BLOBS}/write`, 'dataActions'),
    ).toBe(false);
    expect(
      allows(
        [{ dataActions: ['*'], notDataActions: [`${BLOBS}/write`] }, { dataActions: [`${BLOBS}/*`] }],
        `${BLOBS}/write`,
        'dataActions',
      ),
    ).toBe(true);
    expect(allows([{ actions: ['*'] }], `${BLOBS}/write`, 'dataActions')).toBe(false);
  });

  it('inherits scopes downwards only, at segment boundaries, and from management groups', () => {
    expect(scopeCovers(`/subscriptions/${SUB}`, ACCOUNT_ID)).toBe(true);
    expect(scopeCovers('/', ACCOUNT_ID)).toBe(true);
    expect(scopeCovers('/providers/Microsoft.Management/managementGroups/corp', ACCOUNT_ID)).toBe(true);
    expect(scopeCovers(`${ACCOUNT_ID}/blobServices/default/containers/apim`, ACCOUNT_ID)).toBe(false);
    expect(scopeCovers(ACCOUNT_ID.replace('stbackups', 'stback'), ACCOUNT_ID)).toBe(false);
  });

  it('matches an IPv4 address against an address or a CIDR range', () => {
    expect(ipInRule('20.50.0.10', '20.50.0.0/24')).toBe(true);
    expect(ipInRule('20.50.1.10', '20.50.0.0/24')).toBe(false);
    expect(ipInRule('20.50.0.10', '20.50.0.10')).toBe(true);
    expect(ipInRule('20.50.0.10', '0.0.0.0/0')).toBe(true);
    expect(ipInRule('20.50.0.10', 'not-an-ip')).toBe(false);
  });
});

describe('identity', () => {
  it('refuses system-assigned access to an instance without that identity, naming what to turn on', () => {
    const [finding] = find(
      evaluate(plan(SYSTEM, [subject({ identity: { type: 'None', userAssigned: [] } })]), reads()),
      'identity',
    );
    expect(finding.severity).toBe('error');
    expect(finding.message).toContain(
      `has no system-assigned identity (identity type 'None' on ${INSTANCE_ID})`,
    );
    expect(finding.fix).toContain("Turn on the system-assigned identity of 'apim-prod'");
  });

  it('refuses a user-assigned client ID that is not attached, listing those that are', () => {
    const other = {
      resourceId: '/subscriptions/x/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-other',
      clientId: 'aaaa',
      principalId: 'bbbb',
    };
    const [finding] = find(
      evaluate(plan(USER, [subject({ identity: { type: 'UserAssigned', userAssigned: [other] } })]), reads()),
      'identity',
    );
    expect(finding.severity).toBe('error');
    expect(finding.message).toContain(`only 'id-other' (client ID aaaa)`);
  });

  it('checks the data role of the attached user-assigned identity, not the system-assigned one', () => {
    const attached = {
      resourceId: '/x/id-backup',
      clientId: UA_CLIENT.toUpperCase(),
      principalId: UA_PRINCIPAL,
    };
    const findings = evaluate(
      plan(USER, [
        subject({
          identity: {
            type: 'SystemAssigned, UserAssigned',
            principalId: PRINCIPAL,
            userAssigned: [attached],
          },
        }),
      ]),
      reads({
        assignments: new Map([
          [UA_PRINCIPAL, ok([])],
          [PRINCIPAL, ok([assignment(CONTRIBUTOR, ACCOUNT_ID)])],
        ]),
      }),
    );
    expect(severityOf(findings, 'identity')).toEqual(['ok']);
    expect(find(findings, 'data-role')[0]).toMatchObject({
      severity: 'error',
      message: expect.stringContaining(`principal ID ${UA_PRINCIPAL}`),
    });
  });
});

describe('storage account', () => {
  it('refuses the access key where Shared Key is off, and only for the access key', () => {
    const off = reads({ account: ok(storageAccount({ allowSharedKeyAccess: false })) });
    expect(severityOf(evaluate(plan(KEY), off), 'shared-key')).toEqual(['error']);
    expect(severityOf(evaluate(plan(SYSTEM), off), 'shared-key')).toEqual([]);
    expect(
      severityOf(
        evaluate(plan(KEY), reads({ account: ok(storageAccount({ allowSharedKeyAccess: null })) })),
        'shared-key',
      ),
    ).toEqual(['ok']);
  });

  it('warns of CORS rules on the Blob service', () => {
    const cors = reads({
      blobService: ok({ properties: { cors: { corsRules: [{ allowedOrigins: ['*'] }] } } }, 'blob'),
    });
    const [finding] = find(evaluate(plan(KEY), cors), 'cors');
    expect(finding.severity).toBe('warning');
    expect(finding.message).toContain('1 CORS rule (blob)');
  });

  it('skips every account check, per instance, when the account cannot be read', () => {
    const denied = {
      ok: false as const,
      reason: 'denied' as const,
      resource: '/subscriptions/x/providers/Microsoft.Storage/storageAccounts',
      detail: 'HTTP 403 AuthorizationFailed: no',
    };
    const findings = evaluate(plan(SYSTEM), reads({ account: denied }));
    expect(
      findings
        .filter((finding) => finding.severity === 'skipped')
        .map((finding) => [finding.check, finding.instance]),
    ).toEqual([
      ['storage-account', undefined],
      ['cors', undefined],
      ['firewall', 'apim-prod'],
      ['data-role', 'apim-prod'],
    ]);
  });
});

describe('firewall', () => {
  const firewall = (
    access: ApimStorageAccess,
    account: StorageAccount,
    overrides: Partial<InstanceFacts> = {},
  ) => find(evaluate(plan(access, [subject(overrides)]), reads({ account: ok(account) })), 'firewall')[0];
  const deny = (
    acls: Record<string, unknown> = {},
    more: StorageAccount['properties'] = {},
    location?: string,
  ) => storageAccount({ networkAcls: { defaultAction: 'Deny', bypass: 'None', ...acls }, ...more }, location);

  it.each([
    ['no firewall', SYSTEM, storageAccount(), {}, 'ok'],
    [
      'trusted services with the system-assigned identity',
      SYSTEM,
      deny({ bypass: 'Logging, AzureServices' }),
      {},
      'ok',
    ],
    ['trusted services with the access key', KEY, deny({ bypass: 'AzureServices' }), {}, 'warning'],
    [
      'trusted services with a user-assigned identity',
      USER,
      deny({ bypass: 'AzureServices' }),
      {},
      'warning',
    ],
    [
      'a resource-instance rule with a wildcard',
      SYSTEM,
      deny({
        resourceAccessRules: [
          {
            resourceId: `/subscriptions/${SUB}/resourceGroups/*/providers/Microsoft.ApiManagement/service/*`,
          },
        ],
      }),
      {},
      'ok',
    ],
    [
      'the instance subnet in a virtual network rule',
      KEY,
      deny({ virtualNetworkRules: [{ id: SUBNET.toUpperCase() }] }),
      { network: { publicIPAddresses: [], virtualNetworkType: 'External', subnetResourceId: SUBNET } },
      'ok',
    ],
    [
      'the public IP from another region',
      KEY,
      deny({ ipRules: [{ value: '20.50.0.0/16' }] }, {}, 'northeurope'),
      {},
      'ok',
    ],
    [
      'the public IP from the same region',
      KEY,
      deny({ ipRules: [{ value: '20.50.0.0/16' }] }),
      {},
      'warning',
    ],
    ['no way in', SYSTEM, deny({ ipRules: [{ value: '198.51.100.1' }] }), {}, 'error'],
    [
      'public access off, the instance in no virtual network',
      SYSTEM,
      storageAccount({
        publicNetworkAccess: 'Disabled',
        networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' },
      }),
      {},
      'warning',
    ],
    [
      'public access off, no exception',
      KEY,
      storageAccount({
        publicNetworkAccess: 'Disabled',
        networkAcls: { defaultAction: 'Allow', bypass: 'None' },
      }),
      {},
      'error',
    ],
    [
      'public access off, a private endpoint beside the instance virtual network',
      KEY,
      storageAccount({
        publicNetworkAccess: 'Disabled',
        privateEndpointConnections: [
          { properties: { privateLinkServiceConnectionState: { status: 'Approved' } } },
        ],
      }),
      { network: { publicIPAddresses: [], virtualNetworkType: 'Internal', subnetResourceId: SUBNET } },
      'ok',
    ],
    [
      'a network security perimeter',
      KEY,
      storageAccount({ publicNetworkAccess: 'SecuredByPerimeter' }),
      {},
      'ok',
    ],
  ] as const)('%s', (_name, access, account, overrides, severity) => {
    expect(firewall(access, account, overrides as Partial<InstanceFacts>).severity).toBe(severity);
  });

  it('says which ways in it tried, and what to allow', () => {
    const finding = firewall(SYSTEM, deny());
    expect(finding.message).toContain(`(${ACCOUNT_ID}: networkAcls.defaultAction Deny)`);
    expect(finding.message).toContain("trusted Azure services are not let through (bypass 'None')");
    expect(finding.message).toContain("the public IP of 'apim-prod' (20.50.0.10) is in no IP rule");
    expect(finding.message).toContain("'apim-prod' is not in a virtual network");
    expect(finding.fix).toContain('bypass AzureServices');
  });
});

describe('data role', () => {
  const dataRole = (
    roles: RoleAssignment[],
    needs: PreflightSubject['needs'] = ['write'],
    more: Partial<PreflightReads> = {},
  ) => find(evaluate(plan(SYSTEM, [subject({}, needs)]), reads({ roles, ...more })), 'data-role')[0];

  it('passes with Storage Blob Data Contributor inherited from the subscription', () => {
    expect(dataRole([assignment(CONTRIBUTOR, `/subscriptions/${SUB}`)], ['read', 'write']).severity).toBe(
      'ok',
    );
  });

  it('counts a role on the container, not one on another container or account', () => {
    expect(
      dataRole([assignment(CONTRIBUTOR, `${ACCOUNT_ID}/blobServices/default/containers/apim`)]).severity,
    ).toBe('ok');
    expect(
      dataRole([assignment(CONTRIBUTOR, `${ACCOUNT_ID}/blobServices/default/containers/other`)]).severity,
    ).toBe('error');
    expect(dataRole([assignment(CONTRIBUTOR, ACCOUNT_ID.replace('stbackups', 'stother'))]).severity).toBe(
      'error',
    );
  });

  it('reads a custom role by its data actions, wildcards and not-actions included', () => {
    const custom = definition('c0c0c0c0-0000-4000-8000-000000000000', 'Backup writer', [
      { dataActions: ['Microsoft.Storage/*'], notDataActions: [`${BLOBS}/delete`] },
    ]);
    const definitions = new Map([...BUILT_IN, custom].map((role) => [role.name, role]));
    expect(dataRole([assignment(custom.name, ACCOUNT_ID)], ['write'], { definitions }).severity).toBe('ok');
    const noWrite = definition(custom.name, 'No writer', [
      { dataActions: ['Microsoft.Storage/*'], notDataActions: [`${BLOBS}/write`] },
    ]);
    expect(
      dataRole([assignment(noWrite.name, ACCOUNT_ID)], ['write'], {
        definitions: new Map([[noWrite.name, noWrite]]),
      }).severity,
    ).toBe('error');
  });

  it('refuses a reader for a backup, and says which role to grant, where, with the command', () => {
    const finding = dataRole([assignment(READER, ACCOUNT_ID)], ['write']);
    expect(finding.severity).toBe('error');
    expect(finding.message).toContain(`'Storage Blob Data Reader' on ${ACCOUNT_ID}`);
    expect(finding.fix).toContain(
      `--assignee-object-id ${PRINCIPAL} --assignee-principal-type ServicePrincipal --role "Storage Blob Data Contributor" --scope ${ACCOUNT_ID}`,
    );
    expect(dataRole([assignment(READER, ACCOUNT_ID)], ['read']).severity).toBe('ok');
  });

  it('only warns on an account with a hierarchical namespace, whose ACLs may grant what no role does', () => {
    const hns = { account: ok(storageAccount({ isHnsEnabled: true })) };
    expect(dataRole([], ['write'], hns).severity).toBe('warning');
  });

  it('skips, rather than refuses, when a role it cannot read might grant it', () => {
    const failure = {
      ok: false as const,
      reason: 'denied' as const,
      resource: 'roleDefinitions',
      detail: 'HTTP 403',
    };
    const unknown = assignment('dddddddd-0000-4000-8000-000000000000', ACCOUNT_ID);
    expect(dataRole([unknown], ['write'], { definitionsFailure: failure }).severity).toBe('skipped');
  });

  it('counts an assignment with a condition, saying the step does not evaluate it', () => {
    const finding = dataRole([
      assignment(CONTRIBUTOR, ACCOUNT_ID, PRINCIPAL, "@Resource[x] StringEquals 'y'"),
    ]);
    expect(finding.severity).toBe('ok');
    expect(finding.message).toContain('with a condition the step does not evaluate');
  });
});

describe('workspace gateways', () => {
  it('refuses an instance with workspace gateways, not one with workspaces alone', () => {
    const gateway = {
      id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/gateways/gw-1`,
    };
    const linked = reads({
      links: [{ properties: { workspaceId: `${INSTANCE_ID}/workspaces/team-a`, gateways: [gateway] } }],
    });
    const [finding] = find(evaluate(plan(KEY), linked), 'workspace-gateways');
    expect(finding.severity).toBe('error');
    expect(finding.message).toContain("workspace gateways ('gw-1', linked to workspace 'team-a'");
    const alone = reads({
      links: [{ properties: { workspaceId: `${INSTANCE_ID}/workspaces/team-a`, gateways: [] } }],
    });
    expect(severityOf(evaluate(plan(KEY), alone), 'workspace-gateways')).toEqual(['ok']);
  });
});

describe('the warning for what could not be read', () => {
  const context = {
    identity: "app 'c1'",
    storageAccount: 'stbackups',
    profile: AZURE_DEVOPS_PROFILE,
    goesOn: 'The backup goes on.',
  };

  it('names the checks, Azure’s answer, and Reader on the account when the step was refused', () => {
    const denied = {
      ok: false as const,
      reason: 'denied' as const,
      resource: '/x/storageAccounts',
      detail: 'HTTP 403 AuthorizationFailed: no',
    };
    const text = skippedWarning(evaluate(plan(KEY), reads({ account: denied })), context)!;
    expect(text).toMatch(
      /^Pre-flight skipped 4 checks it could not read for: Storage account, Shared Key access, Blob service CORS, Storage firewall \('apim-prod'\)\./,
    );
    expect(text).toContain('The step may not read /x/storageAccounts (HTTP 403 AuthorizationFailed: no).');
    expect(text).toContain("grant app 'c1' 'Reader' on storage account 'stbackups', or set preflight: false");
    expect(text.endsWith('The backup goes on.')).toBe(true);
  });

  it('does not ask for a role when Resource Manager did not answer', () => {
    const unreachable = {
      ok: false as const,
      reason: 'unreachable' as const,
      resource: '/x',
      detail: 'ECONNRESET',
    };
    const text = skippedWarning(evaluate(plan(KEY), reads({ account: unreachable })), context)!;
    expect(text).not.toContain('Reader');
    expect(text).toContain('Resource Manager did not answer those reads');
  });

  it('is nothing when every check could be read; the output holds check, severity and message', () => {
    const findings = evaluate(plan(KEY), reads());
    expect(skippedWarning(findings, context)).toBeUndefined();
    expect(JSON.parse(findingsOutput(findings))[0]).toEqual({
      check: 'workspace-gateways',
      severity: 'ok',
      message: "'apim-prod' has no workspace gateways.",
      instance: 'apim-prod',
    });
  });
});

describe('gather', () => {
  /** A fake ArmResources answering from a table of paths, recording when each read was asked. */
  function fakeArm(accounts: StorageAccount[]) {
    const asked: string[] = [];
    const answer = <T>(path: string, value: T): Promise<Read<T>> => {
      asked.push(path);
      return Promise.resolve().then(() => ok(value, path));
    };
    const at = (id: string) => accounts.some((account) => account.id === id);
    const arm = {
      storageAccounts: (subscription: string) => answer(`list ${subscription}`, accounts),
      storageAccount: (id: string) =>
        answer(
          `get ${id}`,
          accounts.find((account) => account.id === id)!,
        ),
      blobService: (id: string) =>
        at(id)
          ? answer(`blob ${id}`, {})
          : Promise.resolve({
              ok: false,
              reason: 'not-found',
              resource: id,
              detail: '404',
            } as Read<BlobService>),
      roleAssignments: (scope: string) =>
        answer(`assignments ${scope}`, [assignment('cccccccc-0000-4000-8000-000000000000', ACCOUNT_ID)]),
      roleDefinitions: (scope: string) => answer(`definitions ${scope}`, BUILT_IN),
      roleDefinition: (id: string) =>
        answer(`definition ${id}`, definition('cccccccc-0000-4000-8000-000000000000', 'Custom', [])),
      workspaceLinks: (id: string) => answer(`links ${id}`, []),
    };
    return { arm: arm as unknown as ArmResources, asked };
  }

  it('reads at the account beside the instance in one round, and a role it did not list in a second', async () => {
    const { arm, asked } = fakeArm([storageAccount()]);
    const result = await gather(arm, plan(SYSTEM));
    expect(result.rounds).toBe(2);
    expect(asked.filter((entry) => !entry.includes('definition '))).toHaveLength(5);
    expect(asked.filter((entry) => entry.includes('definition '))).toEqual([
      `definition /subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/cccccccc-0000-4000-8000-000000000000`,
    ]);
    expect(result.definitions.has('cccccccc-0000-4000-8000-000000000000')).toBe(true);
  });

  it('reads again at the account the list found elsewhere', async () => {
    const elsewhere = {
      ...storageAccount(),
      id: ACCOUNT_ID.replace(`resourceGroups/${RG}`, 'resourceGroups/rg-storage'),
    };
    const { arm, asked } = fakeArm([elsewhere]);
    const result = await gather(arm, plan(KEY));
    expect(result.rounds).toBe(2);
    expect(result.blobService.ok).toBe(true);
    expect(asked).toContain(`blob ${elsewhere.id}`);
  });

  it('gets the account directly when its resource group is given', async () => {
    const { arm, asked } = fakeArm([storageAccount()]);
    const result = await gather(arm, {
      ...plan(KEY),
      storage: { account: 'stbackups', container: 'apim', resourceGroup: RG },
    });
    expect(result.rounds).toBe(1);
    expect(asked).toContain(`get ${ACCOUNT_ID}`);
    expect(asked.some((entry) => entry.includes('list '))).toBe(false);
  });
});

/**
 * The pre-flight rules: pure functions from what was read to findings. An error is a failure Azure would certainly
 * report at the end of the operation; a warning one it likely would; when the step could not read what a rule
 * needs, the rule is skipped — it never stops an operation that could work.
 */
import type {
  BlobService,
  Permission,
  Read,
  ReadFailure,
  RoleAssignment,
  StorageAccount,
  WorkspaceLink,
} from '../azure/arm-resources';
import { SUPPORTED_TIERS, UNSUPPORTED_TIERS } from '../azure/tiers';
import type { ApimStorageAccess } from '../inputs/config';
import type { InputKey } from '../inputs/table';
import {
  allows,
  BACKUP_ACTION,
  BLOB_READ,
  BLOB_WRITE,
  ipInRule,
  RESTORE_ACTION,
  roleGuid,
  scopeCovers,
} from './permissions';
import type { CheckName, DataNeed, Finding, PreflightPlan, PreflightReads, PreflightSubject } from './plan';

const CONTRIBUTOR = 'Storage Blob Data Contributor';
const READER = 'Storage Blob Data Reader';

/** Every pre-flight finding for the plan. */
export function evaluate(plan: PreflightPlan, reads: PreflightReads): Finding[] {
  const findings: Finding[] = [];
  const managedIdentity = plan.access.type !== 'AccessKey';
  for (const subject of plan.subjects) {
    findings.push(workspaceGateways(subject, reads.workspaceLinks.get(subject.facts.id.toLowerCase())));
    const identity = storageIdentity(subject, plan);
    if (identity) findings.push(identity.ok ? identityPassed(subject, identity) : identity.finding);
  }
  const { account } = reads;
  if (!account.ok) {
    const skipped = (check: CheckName, instance?: string): Finding => ({
      check,
      instance,
      severity: 'skipped',
      message: skippedBecause(account),
      cause: account,
    });
    findings.push(accountMissing(plan, account));
    if (!managedIdentity) findings.push(skipped('shared-key'));
    findings.push(skipped('cors'));
    for (const subject of plan.subjects) {
      findings.push(skipped('firewall', subject.instance.serviceName));
      if (storageIdentity(subject, plan)?.ok)
        findings.push(skipped('data-role', subject.instance.serviceName));
    }
    return findings;
  }
  if (!managedIdentity) findings.push(sharedKey(plan, account.value));
  findings.push(cors(account.value, reads.blobService));
  for (const subject of plan.subjects) {
    findings.push(firewall(plan, subject, account.value));
    const identity = storageIdentity(subject, plan);
    if (identity?.ok) findings.push(dataRole(plan, subject, identity, account.value, reads));
  }
  return findings;
}

function identityPassed(
  subject: PreflightSubject,
  identity: Extract<StorageIdentity, { ok: true }>,
): Finding {
  return {
    check: 'identity',
    instance: subject.instance.serviceName,
    severity: 'ok',
    message: `API Management reaches the storage as ${identity.label}.`,
  };
}

export type StorageIdentity =
  { ok: true; principalId: string; label: string } | { ok: false; finding: Finding };

/** The identity API Management reaches the storage with, or why it has none; undefined for the access key. */
export function storageIdentity(subject: PreflightSubject, plan: PreflightPlan): StorageIdentity | undefined {
  const { access } = plan;
  const { serviceName } = subject.instance;
  const { identity, id } = subject.facts;
  if (access.type === 'AccessKey') return undefined;
  if (access.type === 'SystemAssignedManagedIdentity') {
    if (/SystemAssigned/i.test(identity.type) && identity.principalId) {
      return {
        ok: true,
        principalId: identity.principalId,
        label: `the system-assigned identity of '${serviceName}' (principal ID ${identity.principalId})`,
      };
    }
    return {
      ok: false,
      finding: {
        check: 'identity',
        instance: serviceName,
        severity: 'error',
        message: `API Management instance '${serviceName}' has no system-assigned identity (identity type '${identity.type}' on ${id}), and storage access is system-assigned-identity: API Management would have no identity to reach the storage with.`,
        fix: `Turn on the system-assigned identity of '${serviceName}' (the instance > Security > Managed identities > System assigned: On) and grant it '${CONTRIBUTOR}' on the storage account; or use ${name(plan, 'storageAccess')}: access-key.`,
      },
    };
  }
  const attached = identity.userAssigned.find(
    (candidate) => candidate.clientId?.toLowerCase() === access.clientId.toLowerCase(),
  );
  if (attached?.principalId) {
    return {
      ok: true,
      principalId: attached.principalId,
      label: `user-assigned identity '${access.clientId}' of '${serviceName}' (principal ID ${attached.principalId})`,
    };
  }
  const others = identity.userAssigned.map(
    (candidate) => `'${lastSegment(candidate.resourceId)}' (client ID ${candidate.clientId})`,
  );
  return {
    ok: false,
    finding: {
      check: 'identity',
      instance: serviceName,
      severity: 'error',
      message: `The user-assigned identity with client ID '${access.clientId}' is not attached to API Management instance '${serviceName}' (${id} has ${others.length ? `only ${others.join(', ')}` : 'no user-assigned identity'}): API Management cannot reach the storage as it.`,
      fix: `Attach that identity to '${serviceName}' (the instance > Security > Managed identities > User assigned > Add) and grant it '${CONTRIBUTOR}' on the storage account; or set ${name(plan, 'storageIdentityClientId')} to the client ID of an identity attached to '${serviceName}'.`,
    },
  };
}

function workspaceGateways(subject: PreflightSubject, read: Read<WorkspaceLink[]> | undefined): Finding {
  const { serviceName } = subject.instance;
  const base = { check: 'workspace-gateways' as const, instance: serviceName };
  if (!read || !read.ok) {
    return {
      ...base,
      severity: 'skipped',
      message: read ? skippedBecause(read) : 'not read',
      cause: read && !read.ok ? read : undefined,
    };
  }
  const linked = read.value.filter((link) => (link.properties?.gateways ?? []).length > 0);
  if (linked.length === 0)
    return { ...base, severity: 'ok', message: `'${serviceName}' has no workspace gateways.` };
  const gateways = [
    ...new Set(
      linked.flatMap((link) => (link.properties?.gateways ?? []).map((gateway) => lastSegment(gateway.id))),
    ),
  ];
  const workspaces = linked.map((link) =>
    lastSegment(link.properties?.workspaceId ?? link.id ?? link.name ?? ''),
  );
  return {
    ...base,
    severity: 'error',
    message: `API Management instance '${serviceName}' has workspace gateways (${gateways.map(quote).join(', ')}, linked to workspace${workspaces.length > 1 ? 's' : ''} ${workspaces.map(quote).join(', ')}; read from ${read.resource}), and Azure has no backup or restore for an instance with workspace gateways.`,
    fix: `Back up the configuration of '${serviceName}' another way (APIOps, Bicep or Terraform export), or remove its workspace gateways first.`,
  };
}

function accountMissing(plan: PreflightPlan, failure: ReadFailure): Finding {
  return {
    check: 'storage-account',
    severity: 'skipped',
    message:
      failure.reason === 'not-found'
        ? `Storage account '${plan.storage.account}' was not found: ${failure.detail}.`
        : skippedBecause(failure),
    fix:
      failure.reason === 'not-found'
        ? `If the account lives in another subscription or resource group, set ${name(plan, 'storageSubscriptionId')} and ${name(plan, 'storageResourceGroup')}; check ${name(plan, 'storageAccount')}.`
        : undefined,
    cause: failure,
  };
}

function sharedKey(plan: PreflightPlan, account: StorageAccount): Finding {
  const base = { check: 'shared-key' as const };
  if (account.properties?.allowSharedKeyAccess === false) {
    return {
      ...base,
      severity: 'error',
      message: `Storage account '${account.name}' refuses Shared Key authorization (allowSharedKeyAccess: false on ${account.id}), so API Management cannot use the access key.`,
      fix: `Use ${name(plan, 'storageAccess')}: system-assigned-identity and grant the instance's identity '${CONTRIBUTOR}' on the account; or turn on 'Allow storage account key access' (the account > Settings > Configuration) if your policy allows it.`,
    };
  }
  return { ...base, severity: 'ok', message: `Storage account '${account.name}' accepts the access key.` };
}

function cors(account: StorageAccount, read: Read<BlobService>): Finding {
  const base = { check: 'cors' as const };
  if (!read.ok) return { ...base, severity: 'skipped', message: skippedBecause(read), cause: read };
  const rules = read.value.properties?.cors?.corsRules ?? [];
  if (rules.length === 0)
    return { ...base, severity: 'ok', message: `The Blob service of '${account.name}' has no CORS rules.` };
  return {
    ...base,
    severity: 'warning',
    message: `The Blob service of storage account '${account.name}' has ${rules.length} CORS rule${rules.length > 1 ? 's' : ''} (${read.resource}). API Management's backup and restore must not be used with CORS on the Blob service: with the access key Azure refuses them with InvalidParameters ('… Parameter name: backupStorageAccount').`,
    fix: `Remove the CORS rules of the Blob service (the account > Settings > Resource sharing (CORS) > Blob service), or keep the backups in an account without them.`,
  };
}

/**
 * Can API Management reach the account through its firewall? The ways in: the firewall is open; trusted Azure
 * services or a resource-instance rule (only for the system-assigned identity); the instance's subnet in the
 * virtual-network rules; a private endpoint from its virtual network; its public IP in the IP rules (which Azure
 * ignores for traffic from the account's own region).
 */
function firewall(plan: PreflightPlan, subject: PreflightSubject, account: StorageAccount): Finding {
  const { serviceName } = subject.instance;
  const base = { check: 'firewall' as const, instance: serviceName };
  const properties = account.properties ?? {};
  const publicAccess = properties.publicNetworkAccess ?? 'Enabled';
  const acls = properties.networkAcls ?? {};
  const where = `storage account '${account.name}'`;
  if (/^SecuredByPerimeter$/i.test(publicAccess)) {
    return {
      ...base,
      severity: 'ok',
      message: `${where} is secured by a network security perimeter, whose access rules the step does not read.`,
    };
  }
  const publicOff = /^Disabled$/i.test(publicAccess);
  if (!publicOff && !/^Deny$/i.test(acls.defaultAction ?? 'Allow')) {
    return { ...base, severity: 'ok', message: `${where} accepts every network (no firewall).` };
  }
  const system = plan.access.type === 'SystemAssignedManagedIdentity';
  const { network, id, location } = subject.facts;
  const subnet = network.virtualNetworkType !== 'None' ? network.subnetResourceId : undefined;
  const trusted = /\bAzureServices\b/i.test(acls.bypass ?? '');
  const instanceRule = (acls.resourceAccessRules ?? []).some(
    (rule) => rule.resourceId && resourceIdMatches(rule.resourceId, id),
  );
  const subnetRule =
    Boolean(subnet) &&
    (acls.virtualNetworkRules ?? []).some((rule) => rule.id.toLowerCase() === subnet!.toLowerCase());
  const ips = network.publicIPAddresses.filter((ip) =>
    (acls.ipRules ?? []).some((rule) => (rule.action ?? 'Allow') === 'Allow' && ipInRule(ip, rule.value)),
  );
  const privateEndpoints = (properties.privateEndpointConnections ?? []).filter((connection) =>
    /^Approved$/i.test(connection.properties?.privateLinkServiceConnectionState?.status ?? ''),
  );
  const sameRegion = Boolean(location && account.location) && region(location!) === region(account.location!);
  const accessName = describeAccess(plan.access);

  if (subnet && privateEndpoints.length > 0) {
    return {
      ...base,
      severity: 'ok',
      message: `'${serviceName}' is in a virtual network and ${where} has a private endpoint: it can reach the account through it (the step does not read the routing).`,
    };
  }
  if (!publicOff) {
    if (subnetRule)
      return { ...base, severity: 'ok', message: `${where} lets the subnet of '${serviceName}' through.` };
    if (system && (trusted || instanceRule)) {
      return {
        ...base,
        severity: 'ok',
        message: `${where} lets ${trusted ? 'trusted Azure services' : `'${serviceName}' (a resource-instance rule)`} through, with the system-assigned identity.`,
      };
    }
    if (ips.length > 0 && !sameRegion) {
      return {
        ...base,
        severity: 'ok',
        message: `${where} lets the public IP of '${serviceName}' (${ips.join(', ')}) through.`,
      };
    }
  }
  const fix = `On the account's Networking page, allow public access from selected networks with the exception for trusted Azure services (bypass AzureServices) and use ${name(plan, 'storageAccess')}: system-assigned-identity; or add the subnet of '${serviceName}' to the virtual network rules.`;
  if (ips.length > 0 && sameRegion && !publicOff) {
    return {
      ...base,
      severity: 'warning',
      message: `${where} lets the public IP of '${serviceName}' (${ips.join(', ')}) through, but both are in ${account.location}, and Azure Storage ignores IP rules for requests from its own region: the ${subject.needs.includes('write') ? 'backup' : 'restore'} is likely refused.`,
      fix,
    };
  }
  if ((trusted || instanceRule) && (!system || publicOff)) {
    return {
      ...base,
      severity: 'warning',
      message: publicOff
        ? `${where} has public network access Disabled; its exception for trusted Azure services may not apply, so '${serviceName}' is likely refused.`
        : `${where} lets trusted Azure services through only with the instance's system-assigned identity, and storage access is ${accessName}: '${serviceName}' is likely refused.`,
      fix: publicOff
        ? fix
        : `Use ${name(plan, 'storageAccess')}: system-assigned-identity (and grant it '${CONTRIBUTOR}' on the account).`,
    };
  }
  const reasons = publicOff
    ? [
        `public network access is Disabled, so only private endpoints reach it, and ${subnet ? `it has no approved private endpoint` : `'${serviceName}' is not in a virtual network`}`,
      ]
    : [
        trusted || instanceRule
          ? ''
          : `trusted Azure services are not let through (bypass '${acls.bypass ?? 'None'}')`,
        network.publicIPAddresses.length
          ? `the public IP of '${serviceName}' (${network.publicIPAddresses.join(', ')}) is in no IP rule`
          : `'${serviceName}' has no public IP`,
        subnet ? `its subnet is in no virtual network rule` : `'${serviceName}' is not in a virtual network`,
      ].filter(Boolean);
  return {
    ...base,
    severity: 'error',
    message: `The firewall of ${where} (${account.id}: ${publicOff ? 'publicNetworkAccess Disabled' : 'networkAcls.defaultAction Deny'}) lets API Management instance '${serviceName}' in by none of its ways: ${reasons.join('; ')}.`,
    fix,
  };
}

/** Does the instance's identity hold a role on the account that allows what its operation does there? */
function dataRole(
  plan: PreflightPlan,
  subject: PreflightSubject,
  identity: Extract<StorageIdentity, { ok: true }>,
  account: StorageAccount,
  reads: PreflightReads,
): Finding {
  const { serviceName } = subject.instance;
  const base = { check: 'data-role' as const, instance: serviceName };
  const read = reads.assignments.get(identity.principalId.toLowerCase());
  if (!read || !read.ok)
    return {
      ...base,
      severity: 'skipped',
      message: read ? skippedBecause(read) : 'not read',
      cause: read && !read.ok ? read : undefined,
    };
  const target = `${account.id}/blobServices/default/containers/${plan.storage.container}`;
  const applying = read.value.filter((assignment) => scopeCovers(assignment.properties.scope, target));
  const roleOf = (assignment: RoleAssignment) =>
    reads.definitions.get(roleGuid(assignment.properties.roleDefinitionId));
  const missing = subject.needs.filter(
    (need) => !applying.some((assignment) => grants(roleOf(assignment)?.properties.permissions, need)),
  );
  const held = applying.map((assignment) => {
    const role = roleOf(assignment)?.properties.roleName ?? roleGuid(assignment.properties.roleDefinitionId);
    return `'${role}' on ${assignment.properties.scope}${assignment.properties.condition ? ' (with a condition the step does not evaluate)' : ''}`;
  });
  if (missing.length === 0) {
    return {
      ...base,
      severity: 'ok',
      message: `${capitalise(identity.label)} may ${describeNeeds(subject.needs)} blobs in '${account.name}': ${held.join(', ')}.`,
    };
  }
  if (applying.some((assignment) => !roleOf(assignment)) && reads.definitionsFailure) {
    return {
      ...base,
      severity: 'skipped',
      message: skippedBecause(reads.definitionsFailure),
      cause: reads.definitionsFailure,
    };
  }
  const role = missing.includes('write') ? CONTRIBUTOR : READER;
  const message = `${capitalise(identity.label)} holds no role on storage account '${account.name}' that lets it ${describeNeeds(missing)} blobs (${missing.map((need) => (need === 'write' ? BLOB_WRITE : BLOB_READ)).join(', ')}); the role assignments that apply to it there: ${held.length ? held.join(', ') : 'none'}.`;
  const fix = `Grant it '${role}' on the storage account: az role assignment create --assignee-object-id ${identity.principalId} --assignee-principal-type ServicePrincipal --role "${role}" --scope ${account.id} (role assignments can take a few minutes to apply).`;
  // On an account with a hierarchical namespace, POSIX ACLs can grant what no role does.
  if (account.properties?.isHnsEnabled) {
    return {
      ...base,
      severity: 'warning',
      message: `${message} Unless the container's access control lists grant it, the operation fails.`,
      fix,
    };
  }
  return { ...base, severity: 'error', message, fix };
}

function grants(permissions: Permission[] | undefined, need: DataNeed): boolean {
  return (
    permissions !== undefined && allows(permissions, need === 'write' ? BLOB_WRITE : BLOB_READ, 'dataActions')
  );
}

/** operation: check: a tier without backup is a finding like the others there. */
export function tierFinding(subject: PreflightSubject): Finding {
  const { tier } = subject.facts;
  const { serviceName } = subject.instance;
  if (UNSUPPORTED_TIERS.includes(tier)) {
    return {
      check: 'tier',
      instance: serviceName,
      severity: 'error',
      message: `API Management instance '${serviceName}' is on the ${tier} tier, which has no backup or restore.`,
      fix: `Backup and restore exist only on the ${SUPPORTED_TIERS.join(', ')} tiers; export the configuration instead (APIOps, Bicep or Terraform).`,
    };
  }
  return {
    check: 'tier',
    instance: serviceName,
    severity: 'ok',
    message: `'${serviceName}' is on the ${tier} tier, which has backup and restore.`,
  };
}

/** operation: check: may the signed-in identity start the backup (and restore) of the instance? */
export function permissionFinding(
  subject: PreflightSubject,
  read: Read<Permission[]>,
  identity: string,
): Finding {
  const { serviceName } = subject.instance;
  const base = { check: 'permissions' as const, instance: serviceName };
  if (!read.ok) return { ...base, severity: 'skipped', message: skippedBecause(read), cause: read };
  const actions = [
    ...(subject.needs.includes('write') ? [BACKUP_ACTION] : []),
    ...(subject.needs.includes('read') ? [RESTORE_ACTION] : []),
  ];
  const lacking = actions.filter((action) => !allows(read.value, action, 'actions'));
  if (lacking.length === 0) {
    return {
      ...base,
      severity: 'ok',
      message: `${capitalise(identity)} may ${actions.map((action) => (action === BACKUP_ACTION ? 'back up' : 'restore')).join(' and ')} '${serviceName}'.`,
    };
  }
  return {
    ...base,
    severity: 'error',
    message: `${capitalise(identity)} may not ${lacking.map((action) => `'${action}'`).join(' or ')} on API Management instance '${serviceName}' (its permissions at ${subject.facts.id}).`,
    fix: `Grant ${identity} 'API Management Service Contributor' (or a custom role with ${lacking.join(' and ')}) on scope ${subject.facts.id}.`,
  };
}

/** The sentence a skipped check shows: what could not be read, and Azure's answer. */
export function skippedBecause(failure: ReadFailure): string {
  const why = {
    denied: 'the step may not read',
    'not-found': 'the step did not find',
    unreachable: 'no answer came for',
    failed: 'Azure failed to return',
  }[failure.reason];
  return `Not checked: ${why} ${failure.resource} (${failure.detail}).`;
}

function resourceIdMatches(pattern: string, id: string): boolean {
  const regex = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${regex}$`, 'i').test(id);
}

function describeNeeds(needs: DataNeed[]): string {
  return needs.map((need) => (need === 'write' ? 'write' : 'read')).join(' and ');
}

function describeAccess(access: ApimStorageAccess): string {
  return access.type === 'AccessKey'
    ? 'access-key'
    : access.type === 'UserAssignedManagedIdentity'
      ? 'user-assigned-identity'
      : 'system-assigned-identity';
}

function name(plan: PreflightPlan, key: InputKey): string {
  return plan.profile.inputName(key);
}

function region(location: string): string {
  return location.replace(/\s+/g, '').toLowerCase();
}

function lastSegment(id: string): string {
  return id.split('/').filter(Boolean).pop() ?? id;
}

function quote(text: string): string {
  return `'${text}'`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

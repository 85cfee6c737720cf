/** How Azure RBAC reads a role: wildcard actions minus not-actions, at a scope and everything below it. */
import type { Permission } from '../azure/arm-resources';

export const BLOB_WRITE = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write';
export const BLOB_READ = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read';
export const BACKUP_ACTION = 'Microsoft.ApiManagement/service/backup/action';
export const RESTORE_ACTION = 'Microsoft.ApiManagement/service/restore/action';

/** Does one of the permissions allow the action (`actions`) or data action (`dataActions`)? */
export function allows(permissions: Permission[], action: string, kind: 'actions' | 'dataActions'): boolean {
  const not = kind === 'actions' ? 'notActions' : 'notDataActions';
  return permissions.some(
    (permission) =>
      (permission[kind] ?? []).some((pattern) => matches(pattern, action)) &&
      !(permission[not] ?? []).some((pattern) => matches(pattern, action)),
  );
}

/** Actions compare case-insensitively; `*` stands for any run of characters. */
export function matches(pattern: string, action: string): boolean {
  const regex = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

/**
 * Does an assignment at `scope` reach `target`? Scopes are inherited downwards; a management group's assignment,
 * listed at the target, is one it inherits.
 */
export function scopeCovers(scope: string, target: string): boolean {
  const above = scope.replace(/\/+$/, '').toLowerCase();
  const below = target.toLowerCase();
  if (above === '') return true;
  if (above.startsWith('/providers/microsoft.management/managementgroups/')) return true;
  return below === above || below.startsWith(`${above}/`);
}

/** The GUID that names a role definition, whatever the scope its ID was written at. */
export function roleGuid(roleDefinitionId: string): string {
  return (roleDefinitionId.split('/').pop() ?? '').toLowerCase();
}

/** An IPv4 address inside an IP rule (an address or a CIDR range); anything else does not match. */
export function ipInRule(address: string, rule: string): boolean {
  const [base, bitsText] = rule.split('/');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const ip = ipv4(address);
  const network = ipv4(base);
  if (ip === undefined || network === undefined || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (ip & mask) >>> 0 === (network & mask) >>> 0;
}

function ipv4(text: string): number | undefined {
  const parts = text.trim().split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255))
    return undefined;
  return parts.reduce((value, part) => (value * 256 + Number(part)) >>> 0, 0);
}

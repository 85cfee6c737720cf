/** The part list, verify, prune and restore `latest` share: whose backups, where, and reading them. */
import type { BackupCatalog, Listing } from '../azure/backups';
import type { CommonConfig } from '../inputs/config';
import type { Job } from './operation';

export interface CatalogConfig extends CommonConfig {
  /** The instance whose backups are meant. */
  sourceServiceName: string;
}

/** The log names this many of the blobs passed over. */
const NAMED = 5;

export function describeCatalog(config: CatalogConfig): string {
  return `backups of '${config.sourceServiceName}' in container '${config.storage.container}' of storage account '${config.storage.account}'`;
}

/** The backups of the source, newest first; the log says how many blobs were passed over as unproven, and why. */
export async function listBackups(
  config: CatalogConfig,
  job: Job,
  catalog?: BackupCatalog,
): Promise<Listing> {
  const listing = await (catalog ?? (await job.catalog())).list(config.sourceServiceName);
  if (listing.unproven.length > 0) job.log.info(describeUnproven(config, listing.unproven));
  return listing;
}

export function describeUnproven(config: CatalogConfig, unproven: string[]): string {
  const service = config.sourceServiceName;
  const count = unproven.length;
  const named = unproven.slice(0, NAMED).map((name) => `'${name}'`);
  if (count > NAMED) named.push(`and ${count - NAMED} more`);
  return `Passed over ${count} unstamped blob${count === 1 ? '' : 's'} whose name starts with '${service}' but goes on with no date, time or run number, so ${count === 1 ? 'it' : 'they'} may be another instance's (one named '${service}-…'): ${named.join(', ')}. None is used or deleted as a backup of '${service}'; to count one, stamp it with blob metadata apimservice=${service}.`;
}

/** For "no backup" failures: what was passed over, if anything. */
export function unprovenNote(config: CatalogConfig, listing: Listing): string {
  const count = listing.unproven.length;
  if (count === 0) return '';
  return ` (${count} unstamped blob${count === 1 ? '' : 's'} starting with '${config.sourceServiceName}' ${count === 1 ? 'was' : 'were'} passed over: see the log)`;
}

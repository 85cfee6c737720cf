/** The part list, verify and prune share: whose backups, and where. */
import type { CommonConfig } from '../inputs/config';

export interface CatalogConfig extends CommonConfig {
  /** The instance whose backups are meant. */
  sourceServiceName: string;
}

export function describeCatalog(config: CatalogConfig): string {
  return `backups of '${config.sourceServiceName}' in container '${config.storage.container}' of storage account '${config.storage.account}'`;
}

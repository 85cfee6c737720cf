/** The URL of a blob under the step's blob endpoint, each path segment encoded (names may hold spaces or '#'). */
import type { StorageLocation } from '../inputs/config';

export function blobUrl(location: StorageLocation, name: string): string {
  return `${location.blobEndpoint}/${location.container}/${name.split('/').map(encodeURIComponent).join('/')}`;
}

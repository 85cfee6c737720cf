/**
 * Blob creation times Azurite cannot give: it stamps a blob when it is uploaded and cannot backdate it, so a blob
 * that another tool made weeks ago (no `apimcreated` metadata, its age is its creation time) is made here by
 * rewriting what the storage proxy passes back: `Creation-Time` and `Last-Modified` in a List Blobs answer, and the
 * `x-ms-creation-time` and `last-modified` headers of a blob's own answers (HEAD, GET).
 */

export class BlobAges {
  private readonly created = new Map<string, Date>();

  /** From now on the blob reads as created (and last modified) at `createdOn`. */
  set(container: string, blob: string, createdOn: Date): void {
    this.created.set(key(container, blob), createdOn);
  }

  /** Whether any blob of the container is backdated (else its answers pass untouched, streamed). */
  has(container: string): boolean {
    const prefix = key(container, '');
    return [...this.created.keys()].some((k) => k.startsWith(prefix));
  }

  of(container: string, blob: string): Date | undefined {
    return this.created.get(key(container, blob));
  }

  /** A List Blobs answer (XML) with the backdated blobs' times replaced. */
  rewriteListing(container: string, xml: string): string {
    return xml.replace(/<Blob>([\s\S]*?)<\/Blob>/g, (whole, inner: string) => {
      const name = /<Name>([\s\S]*?)<\/Name>/.exec(inner)?.[1];
      const createdOn = name === undefined ? undefined : this.of(container, unescapeXml(name));
      if (!createdOn) return whole;
      const time = createdOn.toUTCString();
      return whole
        .replace(/<Creation-Time>[^<]*<\/Creation-Time>/, `<Creation-Time>${time}</Creation-Time>`)
        .replace(/<Last-Modified>[^<]*<\/Last-Modified>/, `<Last-Modified>${time}</Last-Modified>`);
    });
  }

  /** A blob's answer headers with its times replaced, when it is backdated. */
  rewriteHeaders(
    container: string,
    blob: string,
    headers: Record<string, string | string[] | undefined>,
  ): Record<string, string | string[] | undefined> {
    const createdOn = this.of(container, blob);
    if (!createdOn) return headers;
    const time = createdOn.toUTCString();
    return { ...headers, 'x-ms-creation-time': time, 'last-modified': time };
  }
}

/**
 * Which container (and blob) a request path names, below the account's path (e.g. `/devstoreaccount1`); undefined
 * for account-level requests.
 */
export function blobTarget(
  path: string,
  accountPath: string,
): { container: string; blob?: string } | undefined {
  const rest = path.startsWith(`${accountPath}/`) ? path.slice(accountPath.length + 1) : undefined;
  if (!rest) return undefined;
  const slash = rest.indexOf('/');
  if (slash < 0) return { container: decodeURIComponent(rest) };
  return {
    container: decodeURIComponent(rest.slice(0, slash)),
    blob: decodeURIComponent(rest.slice(slash + 1)),
  };
}

function key(container: string, blob: string): string {
  return `${container}/${blob}`;
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

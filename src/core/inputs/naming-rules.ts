/**
 * Azure's own naming rules, checked before sign-in so a typo fails in milliseconds rather than after an ARM
 * round trip. Each returns a problem description, or undefined when the value is valid.
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function checkGuid(value: string): string | undefined {
  return GUID.test(value) ? undefined : 'must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)';
}

export function checkTenant(value: string): string | undefined {
  if (GUID.test(value) || /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(value)) return undefined;
  return 'must be a tenant GUID or a domain such as contoso.onmicrosoft.com';
}

export function checkResourceGroup(value: string): string | undefined {
  if (!/^[\p{L}\p{N}\-_.()]{1,90}$/u.test(value) || value.endsWith('.')) {
    return 'must be 1-90 letters, digits, hyphens, underscores, periods or parentheses, not ending in a period';
  }
  return undefined;
}

export function checkServiceName(value: string): string | undefined {
  if (!/^[a-zA-Z](?:[a-zA-Z0-9-]{0,48}[a-zA-Z0-9])?$/.test(value)) {
    return 'must be 1-50 letters, digits and hyphens, start with a letter and not end with a hyphen';
  }
  return undefined;
}

export function checkStorageAccount(value: string): string | undefined {
  return /^[a-z0-9]{3,24}$/.test(value) ? undefined : 'must be 3-24 lowercase letters and digits';
}

export function checkContainer(value: string): string | undefined {
  if (!/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/.test(value)) {
    return 'must be 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit';
  }
  return undefined;
}

export function checkBlobName(value: string): string | undefined {
  if (value.length < 1 || value.length > 1024) return 'must be 1-1024 characters long';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return 'must not contain control characters';
  if (/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(value)) {
    return 'must not contain bidirectional-override characters (they make a name read differently than it is)';
  }
  if (value.includes('\\')) return 'must not contain backslashes (Azure turns them into slashes)';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'must be a blob name, not a URL';
  if (value.startsWith('/')) return 'must not start with a slash (the name is relative to the container)';
  if (value.split('/').some((segment) => segment === '..' || segment === '.')) {
    return "must not have '..' or '.' segments (they would point outside the container's folder)";
  }
  if (value.includes('//')) return 'must not contain an empty segment (//)';
  if (/##\s*(?:vso)?\s*\[|::/i.test(value)) {
    return 'must not contain runner log commands (two # before [ or vso[, or two colons)';
  }
  if (/[./]$/.test(value)) return 'must not end with a period or a slash';
  return undefined;
}

export function checkStorageKey(value: string): string | undefined {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? undefined : 'is not a base64 storage account key';
}

export function checkHttpsUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.username || url.password) return 'must not contain a user name or password';
    return url.protocol === 'https:' ? undefined : 'must be an https URL';
  } catch {
    return 'must be an https URL';
  }
}

/** `storageKeyName`: the input to give instead of a SAS token in the query, as the user names it. */
export function checkHttpUrl(value: string, storageKeyName: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
    if (url.username || url.password) return 'must not contain a user name or password';
    if (url.search || url.hash)
      return `must be a URL without a query or fragment (no SAS token: give ${storageKeyName})`;
    return undefined;
  } catch {
    return 'must be an http(s) URL';
  }
}

/**
 * The operation-status URL of an API Management backup or restore. The step sends its Azure bearer token to this
 * URL, so it must be an https `operationresults` URL on the configured Resource Manager host, nothing else: a URL
 * a user passes in (operation: status) or Azure hands back (Location) is checked before any token goes to it.
 *
 * Checked in the form Azure itself uses, so the shapes it has been recorded giving pass and nothing else does:
 * - `…/service/{name}//operationresults/{id}` (two slashes): the first Location of a backup or restore in Azure's
 *   2019 and 2021 recordings. Azure answers a GET on it and names the same operation with one slash in every later
 *   Location, and only with one slash since 2023, so runs of slashes are collapsed: the request is the one Azure
 *   names itself.
 * - `{id}` is base64 with `=` padding and may hold `+`. Azure gives them literally; a URL passed on through a tool
 *   that escaped them (`%3D`, `%2B`) is put back, so the request is the one Azure handed out.
 */
import type { Instance } from './config';

const PATH =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)\/operationresults\/([^/]+)$/i;

export type OperationUrlCheck =
  { ok: true; url: string; instance: Instance } | { ok: false; problem: string };

export function checkOperationUrl(value: string, resourceManagerEndpoint: string): OperationUrlCheck {
  let url: URL;
  let arm: URL;
  try {
    url = new URL(value);
    arm = new URL(resourceManagerEndpoint);
  } catch {
    return { ok: false, problem: 'must be an https URL' };
  }
  if (url.protocol !== 'https:') return { ok: false, problem: 'must be an https URL' };
  if (url.username || url.password) return { ok: false, problem: 'must not contain a user name or password' };
  if (url.host.toLowerCase() !== arm.host.toLowerCase()) {
    return {
      ok: false,
      problem: `must be on the Azure Resource Manager host ${arm.host} (the step sends its Azure token there, and nowhere else)`,
    };
  }
  if (url.hash) return { ok: false, problem: 'must not have a fragment' };
  const path = url.pathname.replace(/\/{2,}/g, '/');
  const match = PATH.exec(path);
  if (!match) {
    return {
      ok: false,
      problem:
        'must be an API Management operation-status URL: …/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.ApiManagement/service/{name}/operationresults/{id}',
    };
  }
  let parts: string[];
  try {
    parts = match.map((part) => decodeURIComponent(part));
  } catch {
    return { ok: false, problem: 'is not a valid URL (bad %-escape)' };
  }
  const [, subscriptionId, resourceGroup, serviceName, operationId] = parts;
  url.pathname = `${path.slice(0, path.length - match[4].length)}${encodeOperationId(operationId)}`;
  return { ok: true, url: url.href, instance: { subscriptionId, resourceGroup, serviceName } };
}

/** The id as Azure writes it: base64's `+` and `=` literal, anything else escaped as a path segment needs. */
function encodeOperationId(id: string): string {
  return encodeURIComponent(id).replace(/%2B/gi, '+').replace(/%3D/gi, '=');
}

/** Resource Manager names are case-insensitive: the instance a URL names is the one the step works on. */
export function sameInstance(a: Instance, b: Instance): boolean {
  const same = (x: string, y: string) => x.toLowerCase() === y.toLowerCase();
  return (
    same(a.subscriptionId, b.subscriptionId) &&
    same(a.resourceGroup, b.resourceGroup) &&
    same(a.serviceName, b.serviceName)
  );
}

/** A URL as it may be quoted in a message: any user name and password cut out. */
export function quoteUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}

/**
 * The operation-status URL of an API Management backup or restore. The step sends its Azure bearer token to this
 * URL, so it must be an https `operationresults` URL on the configured Resource Manager host, nothing else: a URL
 * a user passes in (operation: status) or Azure hands back (Location) is checked before any token goes to it.
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
  const match = PATH.exec(url.pathname);
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
  const [, subscriptionId, resourceGroup, serviceName] = parts;
  return { ok: true, url: url.href, instance: { subscriptionId, resourceGroup, serviceName } };
}

/** A URL as it may be quoted in a message: any user name and password cut out. */
export function quoteUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}

/**
 * Which instances a step means: service-name as one name, a list of names, or patterns with `*`, and instance-tags.
 * Pure rules, checked before sign-in; matching runs on the service list Resource Manager returns.
 */
import { checkServiceName } from './naming-rules';

/** What service-name and instance-tags select, once checked. */
export interface Selection {
  /** Instances named outright: each must exist, and have a tier with backup. */
  names: string[];
  /** Patterns with `*`: what they find is run; an instance without backup is skipped with a note. */
  patterns: string[];
  /** Tags every instance a pattern finds must carry (lower-case names; value undefined: any value). */
  tags: TagFilter[];
}

export interface TagFilter {
  name: string;
  value?: string;
}

/** Where a fleet looks: a resource group, or the whole subscription. */
export interface FleetScope {
  subscriptionId: string;
  /** Undefined: every resource group of the subscription. */
  resourceGroup?: string;
}

export function describeScope(scope: FleetScope): string {
  return scope.resourceGroup
    ? `resource group '${scope.resourceGroup}' of subscription '${scope.subscriptionId}'`
    : `subscription '${scope.subscriptionId}' (every resource group)`;
}

/** The entries of service-name: comma- or newline-separated, trimmed, empty ones dropped. */
export function serviceNameEntries(value: string): string[] {
  return value
    .split(/[,\n\r]/)
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** service-name names more than one instance, or a pattern: the step runs as a fleet. */
export function isFleet(value: string | undefined): boolean {
  if (value === undefined) return false;
  const entries = serviceNameEntries(value);
  return entries.length > 1 || entries.some((entry) => entry.includes('*'));
}

/** Checks each entry of service-name and instance-tags; problems say which entry and why. */
export function parseSelection(
  serviceNames: string,
  tags: string | undefined,
): { selection: Selection; nameProblems: string[]; tagProblems: string[] } {
  const problems: string[] = [];
  const names: string[] = [];
  const patterns: string[] = [];
  const seen = new Set<string>();
  for (const entry of serviceNameEntries(serviceNames)) {
    const key = entry.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const issue = entry.includes('*') ? checkPattern(entry) : checkServiceName(entry);
    if (issue) problems.push(`'${entry}' ${issue}`);
    else (entry.includes('*') ? patterns : names).push(entry);
  }
  if (seen.size === 0) problems.push('names no instance');
  const parsedTags = tags === undefined ? { tags: [], problems: [] } : parseTags(tags);
  return {
    selection: { names, patterns, tags: parsedTags.tags },
    nameProblems: problems,
    tagProblems: parsedTags.problems,
  };
}

function checkPattern(pattern: string): string | undefined {
  if (!/^[a-zA-Z0-9*-]{1,50}$/.test(pattern)) {
    return 'is not a pattern of instance names: letters, digits, hyphens and * (any characters), at most 50';
  }
  return undefined;
}

/** `env=prod,team=payments`: name=value pairs, or a name alone for "has this tag". */
function parseTags(text: string): { tags: TagFilter[]; problems: string[] } {
  const tags: TagFilter[] = [];
  const problems: string[] = [];
  for (const entry of serviceNameEntries(text)) {
    const at = entry.indexOf('=');
    const name = (at < 0 ? entry : entry.slice(0, at)).trim();
    const value = at < 0 ? undefined : entry.slice(at + 1).trim();
    if (!name) problems.push(`'${entry}' has no tag name: write name=value or a name alone`);
    else tags.push({ name: name.toLowerCase(), value });
  }
  return { tags, problems };
}

/** `*` matches any run of characters (none included); case does not matter, as in instance names. */
export function matchesPattern(pattern: string, name: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'i').test(name);
}

/** The instance carries every tag of the filter (names and values compared without regard to case). */
export function hasTags(instanceTags: Record<string, string> | undefined, filter: TagFilter[]): boolean {
  const tags = new Map(
    Object.entries(instanceTags ?? {}).map(([name, value]) => [name.toLowerCase(), value.toLowerCase()]),
  );
  return filter.every(
    ({ name, value }) => tags.has(name) && (value === undefined || tags.get(name) === value.toLowerCase()),
  );
}

/** "named 'a', 'b'", "matching 'apim-*'", "named 'a' or matching 'apim-*' tagged env=prod". */
export function describeSelection(selection: Selection): string {
  const quoted = (entries: string[]) => entries.map((entry) => `'${entry}'`).join(', ');
  const parts = [
    selection.names.length ? `named ${quoted(selection.names)}` : '',
    selection.patterns.length ? `matching ${quoted(selection.patterns)}` : '',
  ].filter(Boolean);
  const tagged = selection.tags.length
    ? ` tagged ${selection.tags.map(({ name, value }) => (value === undefined ? name : `${name}=${value}`)).join(', ')}`
    : '';
  return `${parts.join(' or ')}${tagged}`;
}

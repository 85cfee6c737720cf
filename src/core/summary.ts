/** The job summary: what was done, where, and how it ended, as Markdown for either runner. */
import type { Config } from './config';
import { formatDuration } from './duration';

export interface SummaryFacts {
  config: Config;
  succeeded: boolean;
  backupUrl: string;
  durationMs?: number;
  operationUrl?: string;
  tier?: string;
  error?: string;
}

export function renderSummary(facts: SummaryFacts): string {
  const { config } = facts;
  const verb = config.operation === 'backup' ? 'Backup' : 'Restore';
  const rows: [string, string][] = [
    [
      'Instance',
      `\`${config.serviceName}\`${facts.tier ? ` (${facts.tier})` : ''} in resource group \`${config.resourceGroup}\``,
    ],
    ['Subscription', `\`${config.subscriptionId}\``],
    [
      config.operation === 'backup' ? 'Backup' : 'Restored from',
      `[\`${config.backupName}\`](${facts.backupUrl})`,
    ],
    [
      'Storage',
      `account \`${config.storageAccount}\`, container \`${config.container}\`, ${describeAccess(config)}`,
    ],
  ];
  if (facts.durationMs !== undefined) rows.push(['Duration', formatDuration(facts.durationMs)]);
  if (facts.operationUrl) rows.push(['Operation', facts.operationUrl]);
  const table = ['| | |', '|---|---|', ...rows.map(([key, value]) => `| ${key} | ${value} |`)].join('\n');
  const heading = facts.succeeded
    ? `### ✅ APIM ${verb.toLowerCase()} succeeded`
    : `### ❌ APIM ${verb.toLowerCase()} failed`;
  const error = facts.error ? `\n\n\`\`\`text\n${facts.error}\n\`\`\`` : '';
  return `${heading}\n\n${table}${error}\n`;
}

export function describeAccess(config: Config): string {
  switch (config.storageAccess.type) {
    case 'AccessKey':
      return 'access key';
    case 'SystemAssignedManagedIdentity':
      return "the instance's system-assigned identity";
    case 'UserAssignedManagedIdentity':
      return `user-assigned identity ${config.storageAccess.clientId}`;
  }
}

export function blobUrl(config: Config): string {
  const path = config.backupName.split('/').map(encodeURIComponent).join('/');
  return `https://${config.storageAccount}.blob.${config.cloud.storageSuffix}/${config.container}/${path}`;
}

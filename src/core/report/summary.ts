/** The job summary: what was done, where, and how it ended, as Markdown for either runner. */
import type { ApimStorageAccess } from '../inputs/config';

export interface SummaryFacts {
  /** e.g. "APIM backup". */
  title: string;
  succeeded: boolean;
  rows: [string, string][];
  /** Further Markdown blocks, e.g. the list of backups. */
  sections: string[];
  error?: string;
}

export function renderSummary(facts: SummaryFacts): string {
  const heading = `### ${facts.succeeded ? '✅' : '❌'} ${facts.title} ${facts.succeeded ? 'succeeded' : 'failed'}`;
  const parts = [heading, markdownTable(['', ''], facts.rows), ...facts.sections];
  if (facts.error) parts.push(`\`\`\`text\n${facts.error}\n\`\`\``);
  return `${parts.filter(Boolean).join('\n\n')}\n`;
}

/** A Markdown table; cell text is escaped so a blob name cannot break the table. */
export function markdownTable(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '';
  const line = (cells: string[]) => `|${cells.map((text) => (text ? ` ${text} ` : ' ')).join('|')}|`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map((row) => line(row.map(cell)))].join(
    '\n',
  );
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

export function describeApimAccess(access: ApimStorageAccess): string {
  switch (access.type) {
    case 'AccessKey':
      return 'access key';
    case 'SystemAssignedManagedIdentity':
      return "the instance's system-assigned identity";
    case 'UserAssignedManagedIdentity':
      return `user-assigned identity ${access.clientId}`;
  }
}

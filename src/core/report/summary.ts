/**
 * The job summary: what was done, where, and how it ended, as Markdown for either runner. It stays small whatever
 * the step did: GitHub refuses a step summary over 1 MiB, and a table of 1,500 rows helps no one.
 */
import type { ApimStorageAccess } from '../inputs/config';

/** Rows in any table of the summary; the rest are counted, and the table says where they are. */
export const MAX_TABLE_ROWS = 100;
/** Lines of an error message in the summary; the whole message is in the step's log. */
export const MAX_ERROR_LINES = 60;
/** Characters of an error message in the summary. */
export const MAX_ERROR_CHARS = 8_000;

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
  if (facts.error) parts.push(`\`\`\`text\n${shortened(facts.error)}\n\`\`\``);
  return `${parts.filter(Boolean).join('\n\n')}\n`;
}

/**
 * A Markdown table of at most MAX_TABLE_ROWS rows, then "… and N more" with `whereTheRestIs` ("every backup is in
 * …"); cell text is escaped so a blob name cannot break the table.
 */
export function markdownTable(headers: string[], rows: string[][], whereTheRestIs?: string): string {
  if (rows.length === 0) return '';
  const line = (cells: string[]) => `|${cells.map((text) => (text ? ` ${text} ` : ' ')).join('|')}|`;
  const shown = rows.slice(0, MAX_TABLE_ROWS);
  const table = [line(headers), line(headers.map(() => '---')), ...shown.map((row) => line(row.map(cell)))];
  const hidden = rows.length - shown.length;
  if (hidden > 0) table.push('', `… and ${hidden} more${whereTheRestIs ? `: ${whereTheRestIs}` : ''}.`);
  return table.join('\n');
}

/** The start of a long error message, saying that the rest is in the log. */
function shortened(error: string): string {
  const lines = error.split('\n');
  let text = lines.slice(0, MAX_ERROR_LINES).join('\n');
  if (text.length > MAX_ERROR_CHARS) text = text.slice(0, MAX_ERROR_CHARS);
  if (text.length === error.length) return error;
  return `${text}\n… (cut here: the whole message, ${lines.length} lines, is in the step's log)`;
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

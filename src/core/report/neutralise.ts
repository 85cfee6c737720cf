/**
 * Makes text safe to print in a runner's log: no value the step echoes (a blob name, an Azure error message, a URL)
 * can act as a runner command. Both runners scan every line of output: Azure Pipelines for `##vso[` anywhere and
 * `##[` formatting commands, GitHub for `::command::` and the older `##[command]` form. Those sequences are broken
 * up with a space, so they stay readable and inert; control characters (other than tabs and the line breaks the
 * message is made of) and bidirectional-override characters are shown as escapes, so a line cannot hide what it says.
 */

const UNSAFE_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced here
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function neutralise(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(UNSAFE_CHARACTERS, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/##(?=\s*(?:vso)?\s*\[)/gi, '# #')
    .replace(/:(?=:)/g, ': ');
}

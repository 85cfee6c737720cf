/** Reads every input of a platform through its own getter, masking secrets before anything else sees them. */
import { Input, inputsOf, Platform, RawInputs } from './table';

/**
 * `column`: the table's names the runner passes the inputs by. The getter gets each input's definition too: an
 * adapter whose system fills an empty input from elsewhere (GitHub: AZURE_TENANT_ID) does so there. Empty strings
 * count as "not given".
 */
export function readInputs(
  column: Platform,
  getInput: (name: string, input: Input) => string | undefined,
  maskSecret: (value: string) => void,
): RawInputs {
  const raw: RawInputs = {};
  for (const input of inputsOf(column)) {
    const value = getInput(input[column] as string, input)?.trim() ?? '';
    if (!value) continue;
    if (input.secret) maskSecret(value);
    raw[input.key] = value;
  }
  return raw;
}

/** Reads every input of a platform through its own getter, masking secrets before anything else sees them. */
import { inputsOf, Platform, RawInputs } from './table';

/** Empty strings count as "not given". */
export function readInputs(
  platform: Platform,
  getInput: (name: string) => string | undefined,
  maskSecret: (value: string) => void,
  env: NodeJS.ProcessEnv = {},
): RawInputs {
  const raw: RawInputs = {};
  for (const input of inputsOf(platform)) {
    let value = getInput(input[platform] as string)?.trim() ?? '';
    if (!value && platform === 'github' && input.githubEnvFallback) {
      value = env[input.githubEnvFallback]?.trim() ?? '';
    }
    if (!value) continue;
    if (input.secret) maskSecret(value);
    raw[input.key] = value;
  }
  return raw;
}

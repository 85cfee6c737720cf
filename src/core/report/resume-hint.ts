/**
 * How to pick up an operation the step leaves running in Azure: said by status itself, by a backup or restore that
 * hands its operation over, and by every message of a step that stops while one runs.
 */
import type { PlatformProfile } from '../ports';

/** The exact inputs that wait for an operation later, on this platform. */
export function resumeHint(profile: PlatformProfile, operationUrl: string): string {
  return `To wait for it later, run the step with ${profile.inputName('operation')}: status and ${profile.inputName('operationUrl')}: ${operationUrl}`;
}
